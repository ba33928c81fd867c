// The page the runtime's integration tests drive. It uses @tauri-apps/api
// unmodified, as an app would, so the tests exercise the real package against
// capgate's bridge. The tests call
//   await window.capgateTest(name, arg)
// which never throws: a failed scenario returns {error: "..."}.
import { invoke, Channel } from '@tauri-apps/api/core'
import { listen, emit, emitTo } from '@tauri-apps/api/event'
import { getCurrentWindow } from '@tauri-apps/api/window'

// Every event delivery seen by this page, in order: {event, payload, windowLabel}.
window.__received = []
const unlisteners = new Map() // event name -> [unlisten functions]

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
    const onEvent = new Channel((m) => messages.push(m))
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

  // A binary call: arg.bytes becomes a Uint8Array (Tauri's raw body).
  invoke_bytes: (arg) => invoke(arg.cmd, new Uint8Array(arg.bytes)),

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
