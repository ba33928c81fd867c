#!/usr/bin/env node
// Bundles web frontends for the capgate runtime: for each DIR, DIR/src/main.js
// (with its npm imports, e.g. @tauri-apps/api) becomes DIR/dist/bundle.js, an
// ES2020 IIFE (the pages load it with a plain <script>), and DIR/src/*.html and
// *.css are copied next to it.
//
//   node build-aux/build-frontends.mjs [--out BUILD_DIR] [--oldest-api] [DIR...]
//
// --oldest-api bundles against the oldest @tauri-apps/api 2.x release
// (package.json's "tauri-api-oldest" alias, 2.0.0) into DIR/dist-oldest, so
// the runtime tests can hold capgate to both ends of what apps ship.
//
// DIRs are relative to the project root (the directory above tools/), so a
// VPATH build can name them as in the source tree. --out BUILD_DIR writes
// BUILD_DIR/DIR/dist instead of DIR/dist: make distcheck builds from a
// read-only source tree. esbuild and the frontends' packages are looked up in
// the project's node_modules, then in the current directory's, BUILD_DIR's and
// NODE_PATH's, for a source tree unpacked from a tarball has none.
import { createRequire } from 'node:module'
import fs from 'node:fs'
import path from 'node:path'
import process from 'node:process'
import { fileURLToPath } from 'node:url'

const DEFAULT_DIRS = ['examples/editor/frontend', 'tests/integration/frontend']
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

function fail(msg) {
  console.error(`build-frontends: ${msg}`)
  process.exit(1)
}

function parseArgs(argv) {
  let out = null
  let oldest = false
  const dirs = []
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--out') {
      if (i + 1 >= argv.length) fail('--out needs a directory')
      out = path.resolve(argv[++i])
    } else if (a.startsWith('--out=')) {
      out = path.resolve(a.slice('--out='.length))
    } else if (a === '--oldest-api') {
      oldest = true
    } else if (a === '-h' || a === '--help') {
      console.log('usage: node build-aux/build-frontends.mjs [--out BUILD_DIR] [--oldest-api] [DIR...]\n' +
        `  DIR (relative to ${root}) holds src/main.js; default: ${DEFAULT_DIRS.join(' ')}\n` +
        '  --oldest-api: bundle @tauri-apps/api 2.0.0 (tauri-api-oldest) into DIR/dist-oldest')
      process.exit(0)
    } else if (a.startsWith('-')) {
      fail(`unknown option ${a} (see --help)`)
    } else {
      dirs.push(a)
    }
  }
  return { out, oldest, dirs: dirs.length ? dirs : DEFAULT_DIRS }
}

// The node_modules directories to resolve from, most specific first.
function moduleDirs(out) {
  const bases = [root, process.cwd()]
  if (out) bases.push(out)
  const dirs = bases.map((b) => path.join(b, 'node_modules'))
  for (const p of (process.env.NODE_PATH || '').split(path.delimiter)) if (p) dirs.push(path.resolve(p))
  return [...new Set(dirs)].filter((d) => fs.existsSync(d))
}

function loadEsbuild(dirs) {
  for (const d of dirs) {
    try {
      return createRequire(path.join(d, 'noop.js'))('esbuild')
    } catch (e) {
      if (e.code !== 'MODULE_NOT_FOUND') fail(`cannot load esbuild from ${d}: ${e.message}`)
    }
  }
  fail(`esbuild is not installed (looked in ${dirs.length ? dirs.join(', ') : 'no node_modules'}); ` +
    `run "npm ci" in ${root} or set NODE_PATH`)
}

async function buildOne(esbuild, dir, out, nodePaths, oldest) {
  const srcAbs = path.resolve(root, dir)
  const rel = path.relative(root, srcAbs)
  if (out && (rel.startsWith('..') || path.isAbsolute(rel)))
    fail(`${dir} is outside the project root ${root}: cannot place it under --out`)
  const src = path.join(srcAbs, 'src')
  const entry = path.join(src, 'main.js')
  if (!fs.existsSync(entry)) fail(`${path.join(dir, 'src', 'main.js')}: no such file (in ${root})`)
  const dist = path.join(out ? path.join(out, rel) : srcAbs, oldest ? 'dist-oldest' : 'dist')
  try {
    fs.mkdirSync(dist, { recursive: true })
  } catch (e) {
    fail(`cannot create ${dist}: ${e.message}`)
  }
  try {
    await esbuild.build({
      entryPoints: [entry],
      outfile: path.join(dist, 'bundle.js'),
      bundle: true,
      format: 'iife',
      target: 'es2020',
      minify: false,
      platform: 'browser',
      nodePaths,
      // subpaths follow: '@tauri-apps/api/core' -> 'tauri-api-oldest/core'
      alias: oldest ? { '@tauri-apps/api': 'tauri-api-oldest' } : {},
      logLevel: 'warning'
    })
  } catch (e) {
    // esbuild has already printed the located errors.
    fail(`bundling ${path.relative(process.cwd(), entry) || entry} failed` +
      (e.errors && e.errors.length ? ` (${e.errors.length} error(s))` : `: ${e.message}`))
  }
  let copied = 0
  for (const name of fs.readdirSync(src)) {
    if (!/\.(html|css)$/.test(name)) continue
    try {
      fs.copyFileSync(path.join(src, name), path.join(dist, name))
      copied++
    } catch (e) {
      fail(`cannot copy ${path.join(src, name)} to ${dist}: ${e.message}`)
    }
  }
  console.log(`build-frontends: ${rel} -> ${dist} (bundle.js and ${copied} page file(s))`)
}

const { out, oldest, dirs } = parseArgs(process.argv.slice(2))
const nodePaths = moduleDirs(out)
const esbuild = loadEsbuild(nodePaths)
for (const dir of dirs) await buildOne(esbuild, dir, out, nodePaths, oldest)
