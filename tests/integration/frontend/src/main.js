// The page the runtime's integration tests drive. It uses @tauri-apps/api
// unmodified, as an app would, so the tests exercise the real package against
// capgate's bridge. The tests call
//   await window.capgateTest(name, arg)
// which never throws: a failed scenario returns {error: "..."}.
import { invoke, Channel, Resource } from '@tauri-apps/api/core'
import { listen, emit, emitTo } from '@tauri-apps/api/event'
import * as windowApi from '@tauri-apps/api/window'
import * as webviewApi from '@tauri-apps/api/webview'
import * as appApi from '@tauri-apps/api/app'
import * as dpi from '@tauri-apps/api/dpi'
import { Image } from '@tauri-apps/api/image'
import * as fs from '@tauri-apps/plugin-fs'
import * as pathApi from '@tauri-apps/api/path'
import * as store from '@tauri-apps/plugin-store'
// plugin-store 2.0.0 (package.json alias): createStore, get answering the value.
import * as storeOldest from 'tauri-plugin-store-oldest'
import * as osApi from '@tauri-apps/plugin-os'

// Every event delivery seen by this page, in order: {event, payload, windowLabel}.
window.__received = []
const unlisteners = new Map() // event name -> [unlisten functions]

const { getCurrentWindow } = windowApi

// Window events seen by this page (win_watch): {name, payload}.
window.__winEvents = []
// Whether this page's onCloseRequested calls preventDefault().
window.__refuseClose = false

// {dpi: "LogicalSize", args: [w, h]} -> new LogicalSize(w, h); the rest as is.
const revive = (a) => (a && typeof a === 'object' && typeof a.dpi === 'string' ? new dpi[a.dpi](...a.args) : a)
const plainJson = (v) => (v === undefined ? null : JSON.parse(JSON.stringify(v)))

// Errors are not JSON: the tests see their text.
const plain = (v) => (v instanceof Error ? String(v) : v)
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

// Calls the message handler from a same-origin iframe, without the bridge
// (it is injected into the top frame only). Resolves "reply:<raw reply>" or
// "error:<message>".
function iframeInvoke(arg) {
  const msg = JSON.stringify({
    cmd: arg.cmd,
    callback: 1,
    error: 2,
    payload: arg.args === undefined ? {} : arg.args,
    options: { headers: {} }
  })
  // "<" escaped so the JSON cannot close the inline script.
  const literal = JSON.stringify(msg).replace(/</g, '\\u003c')
  const html = `<!doctype html><script>
    (function () {
      function report(s) { parent.postMessage({ capgateIframe: String(s) }, '*') }
      try {
        var h = window.webkit && window.webkit.messageHandlers && window.webkit.messageHandlers.capgate
        if (!h) { report('error:no capgate message handler in the iframe'); return }
        Promise.resolve(h.postMessage(${literal})).then(
          function (r) { report('reply:' + r) },
          function (e) { report('error:' + (e && e.message !== undefined ? e.message : e)) })
      } catch (e) { report('error:' + (e && e.message !== undefined ? e.message : e)) }
    })()
  <\/script>`
  return new Promise((resolve) => {
    const frame = document.createElement('iframe')
    let timer = null
    function done(s) {
      clearTimeout(timer)
      window.removeEventListener('message', onMessage)
      frame.remove()
      resolve(s)
    }
    function onMessage(e) {
      if (e.source === frame.contentWindow && e.data && typeof e.data.capgateIframe === 'string')
        done(e.data.capgateIframe)
    }
    window.addEventListener('message', onMessage)
    timer = setTimeout(() => done('error:timeout: the iframe got no answer in 5 s'), 5000)
    frame.srcdoc = html
    document.body.appendChild(frame)
  })
}

// Tries to take the bridge over, then checks that invoke still goes through
// it: a hijacked path would answer "hijacked".
async function tamper(arg) {
  const hijacked = async () => 'hijacked'
  const fakeHandlers = {
    capgate: { postMessage: async () => '1"hijacked"' },
    capgate_raw: { postMessage: async () => '1"hijacked"' }
  }
  const internals = window.__TAURI_INTERNALS__
  const internalsInvoke = internals.invoke
  const jsonParse = JSON.parse
  const webkitDesc = Object.getOwnPropertyDescriptor(window, 'webkit')
  const handler = window.webkit && window.webkit.messageHandlers && window.webkit.messageHandlers.capgate
  const handlerOwnPost = handler ? Object.getOwnPropertyDescriptor(handler, 'postMessage') : undefined
  let webkitDefined = false
  const attempts = {}
  const attempt = (name, f) => {
    try {
      f()
      attempts[name] = 'no exception'
    } catch (e) {
      attempts[name] = String(e)
    }
  }
  attempt('assign __TAURI_INTERNALS__', () => { window.__TAURI_INTERNALS__ = { invoke: hijacked } })
  attempt('define __TAURI_INTERNALS__', () =>
    Object.defineProperty(window, '__TAURI_INTERNALS__', { value: { invoke: hijacked } }))
  attempt('delete __TAURI_INTERNALS__', () => { delete window.__TAURI_INTERNALS__ })
  attempt('assign invoke', () => { window.__TAURI_INTERNALS__.invoke = hijacked })
  attempt('define invoke', () => Object.defineProperty(window.__TAURI_INTERNALS__, 'invoke', { value: hijacked }))
  attempt('assign runCallback', () => { window.__TAURI_INTERNALS__.runCallback = () => {} })
  attempt('assign JSON.parse', () => { JSON.parse = () => 'hijacked' })
  attempt('assign webkit.messageHandlers', () => { window.webkit.messageHandlers = fakeHandlers })
  attempt('assign messageHandlers.capgate.postMessage', () => {
    window.webkit.messageHandlers.capgate.postMessage = fakeHandlers.capgate.postMessage
  })
  attempt('define window.webkit', () => {
    Object.defineProperty(window, 'webkit', { value: { messageHandlers: fakeHandlers }, configurable: true, writable: true })
    webkitDefined = true
  })
  const result = {}
  try {
    result.invokeResult = await invoke(arg.cmd, arg.args)
  } catch (e) {
    result.invokeError = plain(e)
  } finally {
    // Put the page back, so that later scenarios (and the harness) work.
    JSON.parse = jsonParse
    if (handler && !handlerOwnPost) delete handler.postMessage
    if (webkitDefined) {
      if (webkitDesc) Object.defineProperty(window, 'webkit', webkitDesc)
      else delete window.webkit
    }
  }
  result.internalsReplaced = window.__TAURI_INTERNALS__ !== internals ||
    window.__TAURI_INTERNALS__.invoke !== internalsInvoke
  result.attempts = attempts
  // Whether page scripts can see the core's metadata line (and its key).
  // eslint-disable-next-line no-undef
  result.metaVisible = typeof __CAPGATE_META__ !== 'undefined'
  return result
}

function dataBytes(n) {
  const u = new Uint8Array(n)
  for (let i = 0; i < n; i++) u[i] = (i * 7 + 3 + (i >> 8)) & 255
  return u
}

function describeBytes(v, n) {
  const type = v instanceof ArrayBuffer ? 'ArrayBuffer' : Object.prototype.toString.call(v)
  if (!(v instanceof ArrayBuffer)) return { type, value: JSON.stringify(v).slice(0, 200) }
  const got = new Uint8Array(v)
  const want = dataBytes(n)
  let equal = got.length === want.length
  for (let i = 0; equal && i < got.length; i++) equal = got[i] === want[i]
  return { type, len: got.length, equal }
}

const scenarios = {
  label: () => getCurrentWindow().label,

  invoke: (arg) => invoke(arg.cmd, arg.args),

  invoke_error: async (arg) => {
    let value
    try {
      value = await invoke(arg.cmd, arg.args)
    } catch (e) {
      return plain(e)
    }
    return { error: `expected a rejection, got ${JSON.stringify(value)}` }
  },

  // arg.wait: ms to keep collecting after the command resolved (default 0).
  channel: async (arg) => {
    const messages = []
    // onmessage set after construction: @tauri-apps/api 2.0's Channel
    // constructor takes no handler (2.1 added that).
    const onEvent = new Channel()
    onEvent.onmessage = (m) => messages.push(m)
    const result = await invoke(arg.cmd, { ...(arg.args || {}), onEvent })
    await sleep(arg.wait || 0)
    return { result, messages }
  },

  // arg.target (optional): listen's options.target, a label or {kind, label}.
  listen: async (arg) => {
    const windowLabel = getCurrentWindow().label
    const unlisten = await listen(arg.event, (e) => {
      window.__received.push({ event: e.event, payload: e.payload, windowLabel })
    }, arg.target === undefined ? undefined : { target: arg.target })
    if (!unlisteners.has(arg.event)) unlisteners.set(arg.event, [])
    unlisteners.get(arg.event).push(unlisten)
    return 'ok'
  },

  // Drops every listener this page made for arg.event.
  unlisten: async (arg) => {
    for (const unlisten of unlisteners.get(arg.event) || []) await unlisten()
    unlisteners.delete(arg.event)
    return 'ok'
  },

  received: () => window.__received,

  clear_received: () => {
    window.__received.length = 0
    return 'ok'
  },

  emit: async (arg) => {
    await emit(arg.event, arg.payload)
    return 'ok'
  },

  emit_to: async (arg) => {
    await emitTo(arg.target, arg.event, arg.payload)
    return 'ok'
  },

  iframe_invoke: iframeInvoke,

  // A method of the current Window (arg.on: "webview" for the Webview),
  // called as an app would: {method, args} with dpi values revived.
  win: async (arg) => {
    const target = arg.on === 'webview' ? webviewApi.getCurrentWebview() : getCurrentWindow()
    if (typeof target[arg.method] !== 'function') return { error: `no method ${arg.method}` }
    return plainJson(await target[arg.method](...(arg.args || []).map(revive)))
  },

  // core:image through the Image class: made {from: "new"|"bytes"|"path"},
  // read back, optionally set as the window's icon, closed, then asked
  // again (which must fail). Errors come back as {error}.
  image: async (arg) => {
    const img = arg.from === 'new' ? await Image.new(new Uint8Array(arg.rgba), arg.width, arg.height)
      : arg.from === 'bytes' ? await Image.fromBytes(new Uint8Array(arg.bytes))
        : await Image.fromPath(arg.path)
    const size = await img.size()
    const rgba = Array.from(await img.rgba())
    if (arg.icon) await getCurrentWindow().setIcon(img)
    await img.close()
    let after = 'usable'
    try { await img.size() } catch (e) { after = String(e) }
    return { size, rgba: rgba.slice(0, 8), len: rgba.length, after }
  },

  // A function of a module of the API: {mod: "window"|"webview"|"app", fn, args}.
  api: async (arg) => {
    const mod = { window: windowApi, webview: webviewApi, app: appApi }[arg.mod]
    if (!mod || typeof mod[arg.fn] !== 'function') return { error: `no function ${arg.mod}.${arg.fn}` }
    return plainJson(await mod[arg.fn](...(arg.args || []).map(revive)))
  },

  // Listens for every window event through the Window class's own
  // helpers, once per page; events land in window.__winEvents.
  win_watch: async () => {
    if (window.__winWatching) return 'ok'
    window.__winWatching = true
    const w = getCurrentWindow()
    const push = (name) => (e) => window.__winEvents.push({ name, payload: plainJson(e.payload) })
    await w.onResized(push('resize'))
    await w.onMoved(push('move'))
    await w.onFocusChanged(push('focus'))
    await w.onScaleChanged(push('scale'))
    await w.onThemeChanged(push('theme'))
    await w.onCloseRequested((e) => {
      window.__winEvents.push({ name: 'close-requested', refused: window.__refuseClose })
      if (window.__refuseClose) e.preventDefault()
    })
    return 'ok'
  },

  // A binary call: arg.bytes becomes a Uint8Array (Tauri's raw body).
  invoke_bytes: (arg) => invoke(arg.cmd, new Uint8Array(arg.bytes)),

  // The data path (issue 18), through @tauri-apps/api's invoke and
  // Channel. Bytes are dataBytes(n): every value, no period a shift or a
  // truncation would hide.
  //   bytes_echo {n, as}: invoke('echo_bytes', <n bytes as "u8" (a
  //     Uint8Array), "ab" (an ArrayBuffer), "view" (a Uint8Array in the
  //     middle of a bigger buffer), "dv" (a DataView) or "arr" (number[])>)
  //     -> {type, len, equal} of the answer (an ArrayBuffer, as Tauri's
  //     raw responses);
  //   bytes_src {n}: invoke('src_bytes', {n}) -> the same;
  //   bytes_channel {n}: a Channel's messages, in order, as
  //     {type, len, equal} for bytes and the JSON value otherwise.
  bytes_echo: async (arg) => {
    const u = dataBytes(arg.n)
    let payload = u
    if (arg.as === 'ab') payload = u.buffer
    else if (arg.as === 'arr') payload = Array.from(u)
    else if (arg.as === 'view' || arg.as === 'dv') {
      const big = new Uint8Array(arg.n + 10)
      big.fill(0xAA)
      big.set(u, 7)
      payload = arg.as === 'view' ? big.subarray(7, 7 + arg.n) : new DataView(big.buffer, 7, arg.n)
    }
    return describeBytes(await invoke(arg.cmd || 'echo_bytes', payload), arg.n)
  },

  // Resources: arg.n opened (their rids), or arg.rid closed through
  // @tauri-apps/api's Resource.
  res_open: async (arg) => {
    const rids = []
    for (let i = 0; i < arg.n; i++) rids.push(await invoke('open_res'))
    return rids
  },
  res_close: async (arg) => {
    await new Resource(arg.rid).close()
    return 'closed'
  },

  bytes_src: async (arg) => describeBytes(await invoke('src_bytes', { n: arg.n }), arg.n),

  bytes_channel: async (arg) => {
    const messages = []
    let resolveEnd
    const ended = new Promise((resolve) => { resolveEnd = resolve })
    const onEvent = new Channel((m) => {
      messages.push(m instanceof ArrayBuffer ? describeBytes(m, m.byteLength === 0 ? 0 : arg.n) : m)
      if (m !== null && typeof m === 'object' && m.end === 1) resolveEnd()
    })
    const result = await invoke('bytes_channel', { n: arg.n, onEvent })
    await Promise.race([ended, sleep(10000)])
    return { result, messages }
  },

  // Under the isolation pattern: everything the page can learn about the
  // isolation frame, for the test to look for the key in.
  isolation_probe: async () => {
    const frames = document.querySelectorAll('iframe[sandbox]')
    const f = frames[0]
    const out = { frames: frames.length, src: f ? f.src : null, sandbox: f ? f.getAttribute('sandbox') : null }
    try { out.contentDocument = String(f.contentDocument) } catch (e) { out.contentDocument = 'error:' + e }
    try { out.hook = typeof f.contentWindow.__TAURI_ISOLATION_HOOK__ } catch (e) { out.hook = 'error:' + e }
    try { out.frameKey = String(f.contentWindow.__CAPGATE_ISOLATION__) } catch (e) { out.frameKey = 'error:' + e }
    // eslint-disable-next-line no-undef
    out.globalKey = typeof __CAPGATE_ISOLATION__
    try {
      const res = await fetch(f.src)
      out.fetch = 'ok:' + (await res.text())
    } catch (e) {
      out.fetch = 'error:' + e
    }
    out.html = document.documentElement.outerHTML
    out.globals = Object.getOwnPropertyNames(window).filter((k) => {
      try { return typeof window[k] === 'string' } catch (_) { return false }
    }).map((k) => k + '=' + window[k])
    out.resources = performance.getEntries().map((e) => e.name)
    return out
  },

  // Plays a page that loads the isolation origin in a frame of its own and
  // has it seal arg.messages for arg.epoch: what an attacker in the page
  // could collect, for the test to replay, move and tamper with.
  seal_probe: (arg) => new Promise((resolve) => {
    const src = document.querySelector('iframe[sandbox]').src
    const frame = document.createElement('iframe')
    frame.setAttribute('sandbox', 'allow-scripts')
    const out = []
    const timer = setTimeout(() => resolve({ error: 'the probe frame did not answer in 15 s', out }), 15000)
    window.addEventListener('message', (e) => {
      if (e.source !== frame.contentWindow || !e.data) return
      if (e.data.capgate === 'ready') {
        arg.messages.forEach((message, id) =>
          frame.contentWindow.postMessage({ capgate: 'seal', id, epoch: arg.epoch, message }, '*'))
        return
      }
      out[e.data.id] = e.data.envelope || ('refused:' + e.data.reason)
      if (out.filter((x) => x !== undefined).length === arg.messages.length) {
        clearTimeout(timer)
        frame.remove()
        resolve(out)
      }
    })
    frame.src = src
    document.body.appendChild(frame)
  }),

  tamper
}

window.capgateTest = async function capgateTest(name, arg) {
  try {
    const run = Object.prototype.hasOwnProperty.call(scenarios, name) ? scenarios[name] : null
    if (!run) return { error: `unknown scenario ${JSON.stringify(name)}` }
    const value = await run(arg || {})
    return value === undefined ? null : value
  } catch (e) {
    return { error: String(e) }
  }
}

// index.html#selftest: the page runs by itself, for `capgate run` tests
// (an app with no C code): an allowed core command, a refused call, then
// it closes its own window, so the app must exit.
if (location.hash === '#selftest') {
  (async () => {
    const name = await invoke('plugin:app|name')
    document.title = 'selftest ' + name
    try {
      await invoke('plugin:fs|read_text_file', { path: '/etc/passwd' })
    } catch (e) {
      document.title += ' refused'
    }
    await getCurrentWindow().close()
  })()
}

// Cross-origin frames: the parent asks a child frame (any origin) to invoke
// a command through its own bridge and send back what happened.
window.addEventListener('message', async (e) => {
  const d = e.data
  if (!d || d.capgateFrameInvoke === undefined || !e.source) return
  let reply
  try {
    reply = { ok: true, value: await invoke(d.capgateFrameInvoke, {}) }
  } catch (err) {
    reply = { ok: false, value: String(err && err.message ? err.message : err) }
  }
  e.source.postMessage({ capgateFrameReply: reply }, '*')
})

scenarios.frame_invoke = (arg) => new Promise((resolve) => {
  const frame = document.createElement('iframe')
  const timer = setTimeout(() => resolve({ error: 'no answer from the frame in 15 s' }), 15000)
  window.addEventListener('message', (e) => {
    if (e.source === frame.contentWindow && e.data && e.data.capgateFrameReply) {
      clearTimeout(timer)
      resolve(e.data.capgateFrameReply)
    }
  })
  frame.addEventListener('load', () => frame.contentWindow.postMessage({ capgateFrameInvoke: arg.cmd }, '*'))
  frame.src = arg.url
  document.body.appendChild(frame)
})

// ---------------------------------------------------------------------------
// The hostile-page suite (tests/test_runtime_hostile.c): a page that forges,
// tampers, frames, floods. These scenarios never throw either.

// {ok: true, value} or {ok: false, error: text}; long error texts clipped.
async function settle(p) {
  try {
    return { ok: true, value: await p }
  } catch (e) {
    const s = typeof e === 'string' ? e : String(e && e.message !== undefined ? e.message : e)
    return { ok: false, error: s.length > 600 ? s.substring(0, 600) + '...' : s }
  }
}

// invoke with options (e.g. forged headers), as @tauri-apps/api sends them.
scenarios.try_invoke = (arg) => settle(invoke(arg.cmd, arg.args === undefined ? {} : arg.args, arg.options))

// Straight to a WebKit message handler, bypassing the bridge: what any page
// code can reach. arg.text (or arg.value, any value) to arg.handler.
async function postRaw(arg) {
  const hs = window.webkit && window.webkit.messageHandlers
  const h = hs && hs[arg.handler || 'capgate']
  if (!h) return 'error:no message handler ' + (arg.handler || 'capgate')
  try {
    return 'reply:' + (await h.postMessage(arg.value !== undefined ? arg.value : arg.text))
  } catch (e) {
    return 'error:' + (e && e.message !== undefined ? e.message : e)
  }
}
scenarios.post_raw = postRaw

// Tries to make the page's metadata say another window.
scenarios.forge_metadata = (arg) => {
  const attempts = {}
  const attempt = (name, f) => {
    try {
      f()
      attempts[name] = 'no exception'
    } catch (e) {
      attempts[name] = String(e)
    }
  }
  const internals = window.__TAURI_INTERNALS__
  attempt('assign currentWindow.label', () => { internals.metadata.currentWindow.label = arg.label })
  attempt('define currentWindow.label', () =>
    Object.defineProperty(internals.metadata.currentWindow, 'label', { value: arg.label }))
  attempt('assign metadata', () => { internals.metadata = { currentWindow: { label: arg.label } } })
  attempt('assign currentWebview', () => { internals.metadata.currentWebview = { label: arg.label, windowLabel: arg.label } })
  attempt('define __TAURI_METADATA__', () => {
    window.__TAURI_METADATA__ = { __currentWindow: { label: arg.label }, __windows: [{ label: arg.label }] }
  })
  return {
    attempts,
    label: getCurrentWindow().label,
    metadata: internals.metadata
  }
}

// Payloads past the core's limits, made in the page. arg.kind "string": a
// JSON payload with a string of arg.mb MiB; "bytes": a raw body of arg.mb
// MiB; "deep": arrays nested arg.depth levels in the payload.
scenarios.big_invoke = async (arg) => {
  let args
  if (arg.kind === 'bytes') {
    args = new Uint8Array(arg.mb * 1048576)
  } else if (arg.kind === 'deep') {
    let v = 0
    for (let i = 0; i < arg.depth; i++) v = [v]
    args = { deep: v }
  } else {
    args = { s: 'x'.repeat(arg.mb * 1048576) }
  }
  const t0 = performance.now()
  const r = await settle(invoke(arg.cmd, args))
  r.ms = Math.round(performance.now() - t0)
  return r
}

// Overwrites and wraps what the bridge could use (prototypes, JSON, Promise,
// Function, Map, String methods, window.webkit and the handlers'
// postMessage), calls through @tauri-apps/api, the saved bridge invoke and
// the real handler, then puts everything back and reports what the page's
// replacements saw. arg.allowed / arg.denied: {cmd, args} for this window.
scenarios.pollute = async (arg) => {
  const label = getCurrentWindow().label
  const internals = window.__TAURI_INTERNALS__
  const internalsInvoke = internals.invoke
  // capgate's handlers live in the transport's world: the page has none
  // (older bridges put them here).
  const realHandler = window.webkit && window.webkit.messageHandlers && window.webkit.messageHandlers.capgate
  const handlerProto = realHandler ? Object.getPrototypeOf(realHandler) : null
  const reflectApply = Reflect.apply
  const defineProperty = Object.defineProperty
  const getDesc = Object.getOwnPropertyDescriptor
  const stringIncludes = String.prototype.includes
  const seen = {
    jsonParse: 0, jsonStringify: 0, then: 0, thenRaw: 0, call: 0, apply: 0, bind: 0,
    map: 0, array: 0, slice: 0, postMessage: 0, postMessageKeyed: 0, fakeHandler: 0, dom: 0
  }
  const saved = []
  const put = (o, k, v, enumerable) => {
    saved[saved.length] = [o, k, getDesc(o, k)]
    defineProperty(o, k, { value: v, writable: true, configurable: true, enumerable: !!enumerable })
  }
  const looksRaw = (v) => typeof v === 'string' && v.length > 0 && (v[0] === '1' || v[0] === '0') &&
    (v.length === 1 || v[1] === '{' || v[1] === '"' || v[1] === '[' || v[1] === 'n')
  const origThen = Promise.prototype.then
  const forged = { window: 'main', webview: 'main', label: 'main', origin: 'capgate://localhost' }
  const results = {}
  const webkitDesc = getDesc(window, 'webkit')
  const webkitObj = window.webkit
  let webkitDefined = false
  let handlersDefined = false
  try {
    // Enumerable forged identity on every object and array.
    for (const k of ['window', 'webview', 'label', 'origin']) {
      put(Object.prototype, k, forged[k], true)
      put(Array.prototype, k, forged[k], true)
    }
    put(Object.prototype, '__TAURI_INVOKE_KEY__', 'forged-key', true)
    put(Object.prototype, 'key', 'forged-key', true)
    put(Object.prototype, 'cmd', 'read_note', true)
    put(Object.prototype, 'callback', 1, true)
    put(Object.prototype, 'error', 2, true)
    put(Object.prototype, 'options', { headers: { Origin: 'capgate://localhost' } }, true)
    // Methods the bridge might look up: replaced by throwing counters.
    const thrower = (name, counter) => function () { seen[counter]++; throw new Error('polluted ' + name) }
    for (const m of ['push', 'map', 'join', 'forEach', 'slice', 'concat', 'indexOf', 'filter'])
      put(Array.prototype, m, thrower('Array.prototype.' + m, 'array'))
    for (const m of ['get', 'set', 'has', 'delete', 'forEach', 'clear'])
      put(Map.prototype, m, thrower('Map.prototype.' + m, 'map'))
    put(String.prototype, 'slice', thrower('String.prototype.slice', 'slice'))
    put(String.prototype, 'indexOf', thrower('String.prototype.indexOf', 'slice'))
    // What carries a call to the transport and its answer back.
    for (const m of ['dispatchEvent', 'addEventListener', 'removeEventListener'])
      put(EventTarget.prototype, m, thrower('EventTarget.prototype.' + m, 'dom'))
    put(window, 'CustomEvent', thrower('CustomEvent', 'dom'))
    put(String.prototype, 'substring', thrower('String.prototype.substring', 'slice'))
    put(JSON, 'parse', function () { seen.jsonParse++; return { hijacked: true, window: 'main' } })
    put(JSON, 'stringify', function () { seen.jsonStringify++; return '{"cmd":"read_note","window":"main"}' })
    // Pass-through wrappers that watch what goes by.
    put(Function.prototype, 'call', function (self, ...args) { seen.call++; return reflectApply(this, self, args) })
    put(Function.prototype, 'apply', function (self, args) { seen.apply++; return reflectApply(this, self, args || []) })
    put(Promise.prototype, 'then', function (onOk, onErr) {
      seen.then++
      const watch = typeof onOk === 'function'
        ? (v) => { if (looksRaw(v)) seen.thenRaw++; return onOk(v) }
        : onOk
      return reflectApply(origThen, this, [watch, onErr])
    })
    if (realHandler) {
      put(handlerProto, 'postMessage', function (text) {
        seen.postMessage++
        if (typeof text === 'string' && reflectApply(stringIncludes, text, ['\n'])) seen.postMessageKeyed++
        return Promise.resolve('1"hijacked"')
      })
      put(realHandler, 'postMessage', handlerProto.postMessage)
    }
    // window.webkit or its messageHandlers: fakes that answer "hijacked".
    const fake = {
      postMessage: () => { seen.fakeHandler++; return Promise.resolve('1"hijacked"') }
    }
    const fakeHandlers = { capgate: fake, capgate_raw: fake, capgate_seal: fake }
    try {
      defineProperty(window, 'webkit', { value: { messageHandlers: fakeHandlers }, configurable: true, writable: true })
      webkitDefined = true
    } catch (e) {
      results.defineWebkit = String(e)
    }
    if (webkitObj) {
      try {
        defineProperty(webkitObj, 'messageHandlers', { value: fakeHandlers, configurable: true, writable: true })
        handlersDefined = true
      } catch (e) {
        results.defineMessageHandlers = String(e)
      }
    }
    results.webkitReplaced = window.webkit.messageHandlers.capgate === fake
    // The bridge's own globals: must not change.
    try { window.__TAURI_INTERNALS__ = { invoke: async () => 'hijacked' } } catch (e) { results.assignInternals = String(e) }
    try { internals.invoke = async () => 'hijacked' } catch (e) { results.assignInvoke = String(e) }

    // Calls, in the polluted page.
    results.apiAllowed = await settle(invoke(arg.allowed.cmd, arg.allowed.args))
    results.savedAllowed = await settle(internalsInvoke(arg.allowed.cmd, arg.allowed.args,
      { headers: { Origin: 'capgate://localhost', 'Tauri-Invoke-Key': 'forged' } }))
    results.apiDenied = await settle(invoke(arg.denied.cmd, arg.denied.args))
    results.apiBytes = await settle(invoke('sum_bytes', new Uint8Array([1, 2, 3])))
    results.apiUnknown = await settle(invoke('no_such_command', {}))
  } finally {
    for (let i = saved.length - 1; i >= 0; i--) {
      const [o, k, d] = saved[i]
      if (d) defineProperty(o, k, d)
      else delete o[k]
    }
    if (handlersDefined) delete webkitObj.messageHandlers
    if (webkitDefined) {
      if (webkitDesc) defineProperty(window, 'webkit', webkitDesc)
      else delete window.webkit
    }
  }
  // Back to normal: the handler still refuses keyless text, and the real
  // (restored) page calls as usual.
  results.rawHandler = await postRaw({ text: JSON.stringify({ cmd: arg.allowed.cmd, payload: arg.allowed.args || {} }) })
  results.after = await settle(invoke(arg.allowed.cmd, arg.allowed.args))
  return {
    label,
    results,
    seen,
    handlerInPage: !!realHandler,
    internalsReplaced: window.__TAURI_INTERNALS__ !== internals || window.__TAURI_INTERNALS__.invoke !== internalsInvoke,
    internalsFrozen: Object.isFrozen(internals) && Object.isFrozen(internals.invoke) &&
      !getDesc(window, '__TAURI_INTERNALS__').writable && !getDesc(window, '__TAURI_INTERNALS__').configurable,
    eventInternalsFrozen: Object.isFrozen(window.__TAURI_EVENT_PLUGIN_INTERNALS__) &&
      !getDesc(window, '__TAURI_EVENT_PLUGIN_INTERNALS__').writable &&
      !getDesc(window, '__TAURI_EVENT_PLUGIN_INTERNALS__').configurable
  }
}

// Frames: the parent loads arg.url in an iframe and has the frame try
// arg.msg: {cmd, args, options} through the frame's own @tauri-apps/api, or
// {raw: text, handler} straight to the frame's message handler. The frame
// answers {bridge: typeof its __TAURI_INTERNALS__, reply}.
window.addEventListener('message', async (e) => {
  const d = e.data
  if (!d || d.capgateFrameTry === undefined || !e.source) return
  const m = d.capgateFrameTry
  const reply = m.raw !== undefined
    ? await postRaw({ handler: m.handler, text: m.raw })
    : await settle(invoke(m.cmd, m.args === undefined ? {} : m.args, m.options))
  e.source.postMessage({
    capgateFrameTryReply: { bridge: typeof window.__TAURI_INTERNALS__, origin: location.origin, reply }
  }, '*')
})

scenarios.frame_try = (arg) => new Promise((resolve) => {
  const frame = document.createElement('iframe')
  const finish = (v) => {
    clearTimeout(timer)
    window.removeEventListener('message', onMessage)
    frame.remove()
    resolve(v)
  }
  const timer = setTimeout(() => finish({ error: 'no answer from the frame in 15 s' }), 15000)
  function onMessage(e) {
    if (e.source === frame.contentWindow && e.data && e.data.capgateFrameTryReply) finish(e.data.capgateFrameTryReply)
  }
  window.addEventListener('message', onMessage)
  // The frame's page registers its listener when its bundle has run: ask
  // until it answers.
  let asks = 0
  const ask = () => {
    if (asks++ > 50 || !frame.isConnected) return
    try { frame.contentWindow.postMessage({ capgateFrameTry: arg.msg }, '*') } catch (_) {}
  }
  frame.addEventListener('load', () => { ask() })
  frame.src = arg.url
  document.body.appendChild(frame)
})

// ----------------------------------------------------------------- flood

// Bytes whose sum is n (n >= 0), for sum_bytes: 255s and a remainder.
function bytesSumming(n) {
  const k = Math.floor(n / 255)
  const u = new Uint8Array(k + 1)
  u.fill(255, 0, k)
  u[k] = n % 255
  return u
}

// Counts arg.event deliveries: {phase, from, seq} payloads, per sender.
scenarios.flood_listen = async (arg) => {
  const r = await settle(listen(arg.event, (e) => {
    const st = window.__floodEvents
    if (!st) return
    st.count++
    const p = e.payload
    if (!p || p.phase !== st.phase) { st.stale++; return }
    const seen = st.seen[p.from]
    if (!seen || !(p.seq >= 0 && p.seq < seen.length)) { st.bad++; return }
    if (seen[p.seq]) st.dup++
    else seen[p.seq] = 1
  }))
  return r.ok ? 'ok' : { error: r.error }
}

// Starts counting a new phase: arg.expect {label: events expected from it}.
scenarios.flood_expect = (arg) => {
  const seen = {}
  for (const k of Object.keys(arg.expect)) seen[k] = new Uint8Array(arg.expect[k])
  window.__floodEvents = { phase: arg.phase, count: 0, stale: 0, bad: 0, dup: 0, seen }
  return 'ok'
}

// Starts (does not wait for) arg.invokes invokes and arg.emits emits of
// arg.event, arg.concurrency of each in flight. Invokes: mode "read_note"
// ({seq, from} must come back with window = this label) or "sum_bytes"
// (bytes summing to seq). Each answer is checked against its own seq.
scenarios.flood_start = (arg) => {
  const label = getCurrentWindow().label
  const st = {
    label, done: false, ms: 0, answered: 0, good: 0, wrong: 0, errors: 0, doubled: 0,
    emitted: 0, emitErrors: 0, samples: []
  }
  window.__flood = st
  const echoed = new Uint8Array(arg.invokes)
  const sample = (s) => { if (st.samples.length < 5) st.samples.push(s) }
  const t0 = performance.now()
  let nextInvoke = 0
  let nextEmit = 0
  const one = async (i) => {
    const seq = arg.base + i
    let r
    let got = -1
    if (arg.mode === 'sum_bytes') {
      r = await settle(invoke('sum_bytes', bytesSumming(seq)))
      if (r.ok && typeof r.value === 'number') got = r.value
    } else {
      r = await settle(invoke('read_note', { seq, from: label }))
      const v = r.ok ? r.value : null
      if (v && v.window === label && v.args && v.args.from === label && typeof v.args.seq === 'number') got = v.args.seq
    }
    st.answered++
    if (got >= arg.base && got < arg.base + arg.invokes) {
      if (echoed[got - arg.base]) st.doubled++
      echoed[got - arg.base] = 1
    }
    if (got === seq) st.good++
    else {
      if (r.ok) st.wrong++
      else st.errors++
      sample({ seq, r })
    }
  }
  const invoker = async () => { while (nextInvoke < arg.invokes) await one(nextInvoke++) }
  const emitter = async () => {
    while (nextEmit < arg.emits) {
      const seq = nextEmit++
      const r = await settle(emit(arg.event, { phase: arg.phase, from: label, seq }))
      if (r.ok) st.emitted++
      else {
        st.emitErrors++
        sample({ emit: seq, r })
      }
    }
  }
  const all = []
  for (let w = 0; w < arg.concurrency; w++) {
    all.push(invoker())
    if (arg.emits > 0) all.push(emitter())
  }
  Promise.all(all).then(() => {
    st.ms = Math.round(performance.now() - t0)
    st.done = true
  })
  return 'started'
}

// What the flood and the listener have seen so far.
scenarios.flood_status = () => {
  const out = {}
  const st = window.__flood
  if (st) out.invoke = st
  const ev = window.__floodEvents
  if (ev) {
    const missing = {}
    for (const k of Object.keys(ev.seen)) missing[k] = ev.seen[k].reduce((a, b) => a + (b ? 0 : 1), 0)
    out.events = { phase: ev.phase, count: ev.count, stale: ev.stale, bad: ev.bad, dup: ev.dup, missing }
  }
  return out
}

// arg.n calls at once, all in flight together: invokes of arg.cmd with
// arg.args, or (arg.raw) arg.raw posted straight to the message handler.
// Answers are tallied by their text: {answered, results: {text: count}}.
scenarios.burst = async (arg) => {
  const results = {}
  let answered = 0
  const tally = (text) => {
    answered++
    results[text] = (results[text] || 0) + 1
  }
  const calls = []
  for (let i = 0; i < arg.n; i++) {
    calls.push(arg.raw !== undefined
      ? postRaw({ text: arg.raw }).then(tally)
      : settle(invoke(arg.cmd, arg.args === undefined ? {} : arg.args))
        .then((r) => tally(r.ok ? 'ok:' + JSON.stringify(r.value) : 'error:' + r.error)))
  }
  await Promise.all(calls)
  return { answered, results }
}

// Runs a scenario in the background: window.__bg is null until it ends,
// then its result (for the calls that take longer than one evaluation).
scenarios.background = (arg) => {
  window.__bg = null
  window.capgateTest(arg.name, arg.arg).then((r) => { window.__bg = r })
  return 'started'
}

// ------------------------------------------- issue 16: borrowed identities

// The attack: make WebKit run the bridge's document-start script again
// (document.open() then write()) after replacing what it uses, and keep
// what that second copy hands out: functions given to Object.freeze (its
// invoke), texts posted to a fake window.webkit (its key) or dispatched on
// the DOM, and, with arg.forge, what String() makes of this frame's origin.
function reopenAttack(arg) {
  const out = { stolen: [], texts: [], dispatched: [] }
  const realFreeze = Object.freeze
  const realString = window.String
  const realDispatch = EventTarget.prototype.dispatchEvent
  const webkitDesc = Object.getOwnPropertyDescriptor(window, 'webkit')
  const handlers = window.webkit && window.webkit.messageHandlers
  out.realHandler = handlers && handlers.capgate ? handlers.capgate : null
  const fake = { postMessage: (t) => { out.texts.push('' + t); return Promise.resolve('1"hijacked"') } }
  Object.freeze = function (o) {
    if (typeof o === 'function') out.stolen.push(o)
    return realFreeze(o)
  }
  if (arg.forge !== undefined) {
    const forged = arg.forge
    const fakeString = function () { return forged }
    fakeString.prototype = realString.prototype
    Object.setPrototypeOf(fakeString, realString)
    window.String = fakeString
  }
  // Where a page can reach a message handler (older bridges), its
  // postMessage is replaced; where it cannot, window.webkit is made up.
  const handlerProto = out.realHandler ? Object.getPrototypeOf(out.realHandler) : null
  const realPost = handlerProto ? handlerProto.postMessage : null
  if (arg.fakeWebkit && handlerProto) {
    handlerProto.postMessage = fake.postMessage
  } else if (arg.fakeWebkit) {
    Object.defineProperty(window, 'webkit', {
      value: { messageHandlers: { capgate: fake, capgate_raw: fake, capgate_seal: fake } },
      configurable: true,
      writable: true
    })
  }
  EventTarget.prototype.dispatchEvent = function (ev) {
    try { if (typeof ev.detail === 'string') out.dispatched.push(ev.detail) } catch (_) {}
    return realDispatch.call(this, ev)
  }
  try {
    document.open()
    document.write('<!doctype html><html><head><title>rewritten</title></head><body><p>rewritten by the page</p></body></html>')
    document.close()
  } finally {
    Object.freeze = realFreeze
    window.String = realString
    EventTarget.prototype.dispatchEvent = realDispatch
    if (arg.fakeWebkit && handlerProto) {
      handlerProto.postMessage = realPost
    } else if (arg.fakeWebkit) {
      if (webkitDesc) Object.defineProperty(window, 'webkit', webkitDesc)
      else delete window.webkit
    }
  }
  return out
}

// What looks like a key in what was captured: the text before a message's
// first "\n", if long enough to be one.
function keysIn(texts) {
  const keys = []
  for (const t of texts) {
    const i = t.indexOf('\n')
    if (i >= 16 && t[0] !== '{') keys.push(t.slice(0, i))
  }
  return keys
}

// Top frame: the attack, then every stolen function called as invoke, and
// every captured key used on the real handler (arg.raw after the key).
scenarios.reopen_steal = async (arg) => {
  const a = reopenAttack({ fakeWebkit: true })
  const calls = []
  for (const f of a.stolen) {
    try {
      const r = f(arg.cmd, {})
      if (r && typeof r.then === 'function') calls.push(await settle(r))
    } catch (_) {}
  }
  const keys = keysIn(a.texts.concat(a.dispatched))
  const used = []
  for (const k of keys) {
    if (!a.realHandler) break
    try {
      used.push('reply:' + await a.realHandler.postMessage(k + '\n' + arg.raw))
    } catch (e) {
      used.push('error:' + (e && e.message))
    }
  }
  window.__stolenKeys = keys
  return {
    stolen: a.stolen.length,
    texts: a.texts.length,
    keys,
    calls,
    used,
    handlerInPage: !!a.realHandler,
    rewritten: document.title === 'rewritten',
    after: await settle(window.__TAURI_INTERNALS__.invoke(arg.cmd, {}))
  }
}

// In a frame (capgateFrameTry {reopen: {cmd, forge, times, size}}): the
// attack arg.times times, each with its own forged origin (arg.forge, then
// "/" and arg.size x's and the round when arg.size is set), calling what it
// stole as invoke; then the frame's own invoke of arg.cmd.
async function reopenInvoke(m) {
  const results = []
  let stolen = 0
  for (let i = 0; i < (m.times || 1); i++) {
    const forge = m.forge === undefined ? undefined
      : m.size ? m.forge + '/' + 'x'.repeat(m.size) + i : m.forge
    const a = reopenAttack({ forge })
    stolen += a.stolen.length
    if (a.stolen.length) {
      const r = await settle(a.stolen[0](m.cmd, {}))
      if (r.ok && typeof r.value === 'string') r.value = r.value.length > 200 ? r.value.slice(0, 200) + '...' : r.value
      results.push(r)
    }
  }
  return { stolen, results, real: await settle(window.__TAURI_INTERNALS__.invoke(m.cmd, {})) }
}

window.addEventListener('message', async (e) => {
  const d = e.data
  if (!d || d.capgateFrameReopen === undefined || !e.source) return
  const src = e.source
  const reply = await reopenInvoke(d.capgateFrameReopen)
  src.postMessage({ capgateFrameReopenReply: { origin: location.origin, reply } }, '*')
})

// The parent side: arg.url in a frame, which runs reopenInvoke(arg.reopen).
scenarios.frame_reopen = (arg) => new Promise((resolve) => {
  const frame = document.createElement('iframe')
  const finish = (v) => {
    clearTimeout(timer)
    window.removeEventListener('message', onMessage)
    frame.remove()
    resolve(v)
  }
  const timer = setTimeout(() => finish({ error: 'no answer from the frame in 60 s' }), 60000)
  function onMessage(e) {
    if (e.source === frame.contentWindow && e.data && e.data.capgateFrameReopenReply) finish(e.data.capgateFrameReopenReply)
  }
  window.addEventListener('message', onMessage)
  frame.addEventListener('load', () => frame.contentWindow.postMessage({ capgateFrameReopen: arg.reopen }, '*'))
  frame.src = arg.url
  document.body.appendChild(frame)
})

// arg.urls framed one after the other, each asked arg.msg as frame_try
// does: their answers in order.
scenarios.frames_each = async (arg) => {
  const out = []
  for (const url of arg.urls) out.push(await scenarios.frame_try({ url, msg: arg.msg }))
  return out
}

// An event payload made by JSON.parse (so "__proto__" is an own key).
scenarios.emit_json = async (arg) => {
  await emit(arg.event, JSON.parse(arg.json))
  return 'ok'
}

// Website data: localStorage and an IndexedDB record.
function idb(mode, f) {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open('capgate-test', 1)
    open.onupgradeneeded = () => open.result.createObjectStore('kv')
    open.onerror = () => reject(open.error)
    open.onsuccess = () => {
      const db = open.result
      const tx = db.transaction('kv', mode)
      let value
      const req = f(tx.objectStore('kv'))
      req.onsuccess = () => { value = req.result }
      tx.oncomplete = () => { db.close(); resolve(value === undefined ? null : value) }
      tx.onerror = () => { db.close(); reject(tx.error) }
    }
  })
}
scenarios.storage_write = async (arg) => {
  localStorage.setItem('capgate-secret', arg.value)
  await idb('readwrite', (s) => s.put(arg.value, 'secret'))
  return 'ok'
}
scenarios.storage_read = async () => ({
  local: localStorage.getItem('capgate-secret'),
  idb: await idb('readonly', (s) => s.get('secret'))
})

// arg.n windows asked for, one after the other: each answer's text.
scenarios.spawn = async (arg) => {
  const out = []
  for (let i = 0; i < arg.n; i++) {
    const r = await settle(invoke('plugin:webview|create_webview_window',
      { options: { label: arg.prefix + i, url: 'index.html', width: 200, height: 150 } }))
    out.push(r.ok ? 'ok' : r.error)
  }
  return out
}

// The fs plugin through @tauri-apps/plugin-fs, unmodified: fs {op, args}
// calls fs[op](...args); bytes come back as a number array.
scenarios.fs = async (arg) => {
  const r = await settle(fs[arg.op](...arg.args))
  if (r.ok && r.value instanceof Uint8Array) r.value = Array.from(r.value)
  return r
}

// core:path through @tauri-apps/api/path, unmodified: path {op, args} calls
// pathApi[op](...args) (sep and delimiter answer at once, the rest are
// invokes); {op: "BaseDirectory", args: [name]} gives the enum's number
// in this build's api.
scenarios.path = async (arg) => {
  if (arg.op === 'BaseDirectory') return { ok: true, value: pathApi.BaseDirectory[arg.args[0]] }
  return settle(Promise.resolve().then(() => pathApi[arg.op](...arg.args)))
}
// File handles through plugin-fs's FileHandle: create, write, seek, read,
// stat, truncate, close; answers what each step saw.
scenarios.fsHandle = async (arg) => {
  const r = await settle((async () => {
    const out = {}
    const opts = { baseDir: fs.BaseDirectory.AppData }
    const f = await fs.create(arg.path, opts)
    out.written = await f.write(new TextEncoder().encode('hello handles'))
    await f.close()
    const g = await fs.open(arg.path, { ...opts, read: true, write: true })
    out.seek = await g.seek(6, fs.SeekMode.Start)
    const buf = new Uint8Array(32)
    out.nread = await g.read(buf)
    out.text = new TextDecoder().decode(buf.slice(0, out.nread))
    out.eof = await g.read(buf)
    out.size = (await g.stat()).size
    await g.truncate(5)
    out.truncated = (await g.stat()).size
    await g.close()
    try {
      await g.read(buf)
      out.afterClose = 'read'
    } catch (e) {
      out.afterClose = String(e)
    }
    return out
  })())
  return r
}

// readTextFileLines: every line, through the async iterator.
scenarios.fsLines = async (arg) => settle((async () => {
  const lines = []
  for await (const l of await fs.readTextFileLines(arg.path, { baseDir: fs.BaseDirectory.AppData })) lines.push(l)
  return lines
})())

// watch or watchImmediate a directory, make a file in it, and answer the
// first event naming that file (20 s at most), then stop watching.
scenarios.fsWatch = async (arg) => settle((async () => {
  let seen
  const got = new Promise((resolve) => { seen = resolve })
  const fn = arg.immediate ? fs.watchImmediate : fs.watch
  const stop = await fn(arg.dir, (ev) => {
    if (ev.paths.some((p) => p.endsWith('/' + arg.file))) seen(ev)
  }, { baseDir: fs.BaseDirectory.AppData, recursive: false, delayMs: arg.immediate ? undefined : 200 })
  await fs.writeTextFile(arg.dir + '/' + arg.file, 'w', { baseDir: fs.BaseDirectory.AppData })
  const timeout = new Promise((resolve, reject) => setTimeout(() => reject(new Error('no event in 20 s')), 20000))
  const ev = await Promise.race([got, timeout])
  stop()
  return ev
})())
// The store plugin through @tauri-apps/plugin-store, unmodified (the newest,
// and 2.0.0 as storeOldest): one tour of every method; each step's settled
// result is kept, so the test sees what an app would.
scenarios.store = async (arg) => {
  const out = {}
  const step = async (name, p) => { out[name] = plainJson(await settle(p)) }
  const s = await store.load(arg.path, { defaults: { theme: 'dark' }, autoSave: false })
  const changes = []
  const unlisten = await s.onKeyChange('user', (v) => changes.push(v === undefined ? null : v))
  await step('get_default', s.get('theme'))
  await step('set', s.set('user', { name: 'ada' }))
  await step('get', s.get('user'))
  await step('get_missing', s.get('nope'))
  await step('has', s.has('user'))
  await step('keys', s.keys())
  await step('values', s.values())
  await step('entries', s.entries())
  await step('length', s.length())
  await step('save', s.save())
  await step('delete', s.delete('user'))
  await step('delete_again', s.delete('user'))
  await step('clear', s.clear())
  await step('length_cleared', s.length())
  await step('reset', s.reset())
  await step('entries_reset', s.entries())
  await step('reload', s.reload())
  await step('entries_reloaded', s.entries())
  const again = await store.getStore(arg.path)
  out.getStore_same_rid = again !== null && again.rid === s.rid
  await step('getStore_none', store.getStore('never-loaded.json').then((x) => x))
  // The change events of set and delete, in order; waited for, not slept on.
  for (let i = 0; i < 200 && changes.length < 2; i++) await sleep(10)
  out.changes = changes
  unlisten()
  await step('escape', store.load('../escape.json'))
  await step('absolute', store.load('/tmp/elsewhere.json'))
  await step('close', s.close())
  await step('after_close', s.length())
  // LazyStore and autoSave: 0 (saved at every change).
  const lazy = new store.LazyStore(arg.lazy, { autoSave: 0 })
  await step('lazy_set', lazy.set('n', 42))
  await step('lazy_get', lazy.get('n'))
  return out
}

scenarios.store_oldest = async (arg) => {
  const out = {}
  const step = async (name, p) => { out[name] = plainJson(await settle(p)) }
  const s = await storeOldest.createStore(arg.path)
  const changes = []
  await s.onKeyChange('k', (v) => changes.push(v))
  await step('set', s.set('k', [1, 2]))
  await step('get', s.get('k'))
  await step('get_missing', s.get('none'))
  await step('entries', s.entries())
  await step('save', s.save())
  await step('load', s.load())
  for (let i = 0; i < 200 && changes.length < 1; i++) await sleep(10)
  out.changes = changes
  return out
}

// A store command the window may not call: the refusal's text.
scenarios.store_denied = async (arg) => {
  const s = await store.load(arg.path, { autoSave: false })
  return plainJson(await settle(s.set('k', 1)))
}

// The os plugin through @tauri-apps/plugin-os, unmodified: its synchronous
// facts (from the init script), locale and hostname (commands; hostname as
// {error} when refused), and whether a page script can change the facts.
scenarios.os = async () => {
  const out = {
    platform: osApi.platform(), type: osApi.type(), family: osApi.family(), arch: osApi.arch(),
    version: osApi.version(), eol: osApi.eol(), exeExtension: osApi.exeExtension()
  }
  out.locale = await osApi.locale()
  try { out.hostname = await osApi.hostname() } catch (e) { out.hostname = { error: String(e) } }
  try { window.__TAURI_OS_PLUGIN_INTERNALS__.platform = 'windows' } catch (e) { /* frozen: strict mode throws */ }
  try { window.__TAURI_OS_PLUGIN_INTERNALS__ = { platform: 'windows' } } catch (e) { /* not writable */ }
  out.platformAfter = osApi.platform()
  return out
}
