// The example editor's pages: one bundle for index.html (the notes list and
// editor), settings.html, about.html and minimal.html, chosen by
// <body data-page="...">. Everything goes through @tauri-apps/api as in a
// Tauri app; what each window may do is decided by the core from
// examples/editor/capabilities/, not here.
import { invoke } from '@tauri-apps/api/core'
import { listen, emit } from '@tauri-apps/api/event'
import { WebviewWindow } from '@tauri-apps/api/webviewWindow'

const $ = (sel) => document.querySelector(sel)
// A rejected invoke carries the core's message (a string).
const errorText = (e) => (e instanceof Error ? e.message : String(e))

function setStatus(text, kind) {
  const s = $('#status')
  s.textContent = text
  s.className = kind || ''
}

// What the core answers when this page calls cmd: {value} or {error}. The
// tour uses it to show what a window may not do; any script in the page
// could make the same call, so it grants nothing.
window.editorProbe = (cmd, args) =>
  invoke(cmd, args).then((value) => ({ value }), (e) => ({ error: errorText(e) }))

function applySettings(s) {
  document.body.dataset.theme = s.theme
  document.documentElement.style.setProperty('--font-size', `${s.fontSize}px`)
}

// ------------------------------------------------------------------ main

async function mainPage() {
  const list = $('#notes')
  const name = $('#note-name')
  const editor = $('#editor')
  let current = null

  function logEvent(text) {
    const li = document.createElement('li')
    li.textContent = `${new Date().toLocaleTimeString()}  ${text}`
    $('#events').prepend(li)
  }

  function markCurrent() {
    for (const b of list.querySelectorAll('button')) b.classList.toggle('current', b.dataset.name === current)
  }

  async function refresh() {
    const names = await invoke('list_notes')
    list.replaceChildren(...names.map((n) => {
      const li = document.createElement('li')
      const b = document.createElement('button')
      b.type = 'button'
      b.textContent = n
      b.dataset.name = n
      b.addEventListener('click', () => open(n))
      li.append(b)
      return li
    }))
    markCurrent()
  }

  async function open(n) {
    try {
      editor.value = await invoke('read_note', { name: n })
      name.value = n
      current = n
      markCurrent()
      setStatus(`Opened ${n}`)
    } catch (e) {
      setStatus(errorText(e), 'error')
    }
  }

  async function save() {
    const n = name.value.trim()
    try {
      await invoke('save_note', { name: n, text: editor.value })
      current = n
      setStatus(`Saved ${n}`, 'ok')
      await refresh()
    } catch (e) {
      setStatus(errorText(e), 'error')
    }
  }

  // A window that is already open answers with an error; say so.
  function openWindow(label, options) {
    const w = new WebviewWindow(label, options)
    w.once('tauri://error', (e) => setStatus(`${options.title}: ${errorText(e.payload)}`, 'error'))
  }

  await listen('note-saved', (e) => {
    logEvent(`note-saved ${JSON.stringify(e.payload)}`)
    refresh().catch((err) => setStatus(errorText(err), 'error'))
  })
  await listen('settings-changed', (e) => {
    logEvent(`settings-changed ${JSON.stringify(e.payload)}`)
    applySettings(e.payload)
  })

  $('#save').addEventListener('click', save)
  $('#new').addEventListener('click', () => {
    current = null
    name.value = 'untitled.md'
    editor.value = ''
    markCurrent()
    name.focus()
  })
  $('#open-settings').addEventListener('click', () =>
    openWindow('settings', { url: 'settings.html', title: 'Settings', width: 420, height: 330 }))
  $('#open-about').addEventListener('click', () =>
    openWindow('about', { url: 'about.html', title: 'About', width: 420, height: 300 }))
  await refresh()
}

// -------------------------------------------------------------- settings

async function settingsPage() {
  const theme = $('#theme')
  const fontSize = $('#font-size')
  const show = (s) => {
    theme.value = s.theme
    fontSize.value = String(s.fontSize)
    applySettings(s)
  }
  show(await invoke('get_settings'))
  await listen('note-saved', (e) => {
    $('#last-saved').textContent = e.payload.name
  })
  $('#settings-form').addEventListener('submit', async (ev) => {
    ev.preventDefault()
    try {
      const settings = await invoke('set_settings', {
        settings: { theme: theme.value, fontSize: Number(fontSize.value) }
      })
      show(settings)
      await emit('settings-changed', settings)
      setStatus('Saved', 'ok')
    } catch (e) {
      setStatus(errorText(e), 'error')
    }
  })
}

// ----------------------------------------------------------------- about

async function aboutPage() {
  $('#try').addEventListener('click', async () => {
    const r = await window.editorProbe('list_notes')
    const out = $('#result')
    // The core's message names the rule and the fix ("denied: no capability grants ...").
    out.textContent = r.error !== undefined ? r.error : `Allowed?! ${JSON.stringify(r.value)}`
    out.className = r.error !== undefined ? 'error' : ''
  })
}

// -------------------------------------------- minimal (examples/editor/minimal.c)

async function minimalPage() {
  $('#greet-form').addEventListener('submit', async (ev) => {
    ev.preventDefault()
    const out = $('#greeting')
    try {
      out.textContent = await invoke('greet', { name: $('#name').value })
    } catch (e) {
      out.textContent = errorText(e)
    }
    console.log(`greet: ${out.textContent}`)
  })
  $('#greet-form').requestSubmit()
}

const pages = { main: mainPage, settings: settingsPage, about: aboutPage, minimal: minimalPage }

// data-ready="1" once the page is set up (the tour waits for it); a failure
// is shown on the page and in data-error.
const page = pages[document.body.dataset.page]
Promise.resolve(page ? page() : Promise.reject(new Error(`unknown page ${document.body.dataset.page}`)))
  .then(() => {
    document.body.dataset.ready = '1'
  }, (e) => {
    document.body.dataset.error = errorText(e)
    const p = document.createElement('p')
    p.className = 'error panel'
    p.textContent = `This page could not start: ${errorText(e)}`
    document.body.prepend(p)
  })
