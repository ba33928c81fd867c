/*
 * capgate bridge, the transport's side: the only code that can post to the
 * core. The core injects it at document start into its own isolated script
 * world ("capgate"), where its message handlers are registered, after a
 * line that defines
 *   const __CAPGATE_TRANSPORT__ = {"frameKeyUrl": URL | null, "isolation": ORIGIN | null};
 * inside one block. Page code runs in another world: it shares the DOM
 * with this one, never its objects, globals or built-ins, and it cannot see
 * window.webkit.messageHandlers.capgate at all (WebKit exposes a handler in
 * the world it was registered in only).
 *
 * Requests come from the page's side (runtime/bridge.js) as text on DOM
 * events, and answers go back the same way (see there). Every message to
 * the core starts with a key and "\n":
 *   top frame  the document's key, which the core hands to this world of
 *              the main frame only (__capgateTransport.setKey) each time a
 *              document commits there; a new document gets a new key, so a
 *              message still on its way from a replaced document (even from
 *              a web process WebKit has swapped out) is refused.
 *   sub-frame  (only when the app lists frame origins in security.frames)
 *              a key for this frame's origin, from a POST to frameKeyUrl:
 *              the core binds it to the Origin header that WebCore sets on
 *              that request, which no page can choose. A refusal says why.
 * Calls made before the key is here wait for it; a top frame's transport
 * that finds no key when it starts says capgate_hello, and the core hands
 * the key to the main frame again; while calls wait, it says it again
 * (a hand-over can be lost: see hello() below).
 *
 * Handlers: capgate (JSON calls, and small binary calls: their body as
 * base64 in "body", which the router reads with the same parser) and,
 * under the isolation pattern, capgate_seal: KEY +
 * "ready" | "nohook" moves the webview to a new epoch whenever the
 * isolation frame (re)starts.
 *
 * The data path: in the app's own top documents (capgate://localhost/;
 * runtime/ipc.c's content rule blocks this scheme for every other frame,
 * before a body leaves the web process), a binary call the page hands over as
 * bytes (runtime/bridge.js) goes as the body of a fetch POST to
 * capgate-ipc://localhost/call (runtime/ipc.c), with
 *   Capgate-Key     the document's key (a header: no page can read the
 *                   headers of this world's requests; a URL could show
 *                   in the page's resource timing),
 *   Capgate-Length  the body's size, which the core checks against
 *                   limits.binary_size before it reads anything,
 *   Capgate-Call    the call without its payload, URI-encoded, or under
 *                   the isolation pattern Capgate-Sealed: the envelope,
 *                   whose ciphertext is the body.
 * The page's CSP does not govern this world's fetches. The answer is the
 * response: "1"/"0" and JSON as text, or the bytes of a binary answer
 * (application/octet-stream), which go to the page as an ArrayBuffer.
 * A sub-frame's key may be known to its page (see runtime/identity.c), so
 * a sub-frame sends bytes as base64 messages and never uses this path.
 *
 * Under the isolation pattern (meta.isolation, the launch's isolation
 * origin), every call goes first to a hidden <iframe sandbox="allow-scripts">
 * of that origin, whose hook may change or refuse it and which seals it
 * (runtime/isolation.js); what comes back is sent as above. Only the top
 * frame may call.
 *
 * WebKit runs this again when the page calls document.open(), in the same
 * world context, and document.open() erases every listener of the document
 * and the window, ours too: the second run only listens again.
 */
;(function () {
  'use strict'

  const G = globalThis
  if (G.__capgateTransport !== undefined) {
    G.__capgateTransport.listen()
    return
  }

  const meta = typeof __CAPGATE_TRANSPORT__ === 'object' && __CAPGATE_TRANSPORT__ !== null ? __CAPGATE_TRANSPORT__ : {}
  const REQUEST = 'capgate:request'
  const REPLY = 'capgate:reply'
  const IPC_URL = 'capgate-ipc://localhost/call'
  const doc = document
  let isTop = false
  try { isTop = window.top === window } catch (e) { isTop = false }
  /* The data path is open to the app's own top documents only: a content
   * rule (runtime/ipc.c) stops every other frame's capgate-ipc:// request
   * in the web process, before its body reaches the core. Elsewhere a
   * binary call goes as a message. */
  let appDoc = false
  try { appDoc = isTop && location.protocol === 'capgate:' && location.host === 'localhost' } catch (e) { appDoc = false }

  function handler(name) {
    try {
      const h = window.webkit.messageHandlers[name]
      if (h && typeof h.postMessage === 'function') return h
    } catch (e) { /* no WebKit here: calls are refused */ }
    return null
  }
  const ipc = handler('capgate')
  const ipcSeal = handler('capgate_seal')
  const ipcHello = handler('capgate_hello')

  function messageOf(e) {
    try {
      return e !== null && typeof e === 'object' && typeof e.message === 'string' ? e.message : String(e)
    } catch (_) {
      return 'capgate: transport failure'
    }
  }

  // ------------------------------------------------------------------ key

  let key = null
  let rawKey = null
  let keyError = null
  const waiting = [] // [channel, text, done] until the key is here

  function setKey(k) {
    if (typeof k !== 'string' || k.length === 0) return false
    key = k + '\n'
    rawKey = isTop ? k : null
    keyError = null
    const all = waiting.splice(0)
    for (const [channel, text, done, body, header] of all) {
      if (channel === IPC_URL) postBody(text, body, done, header)
      else post(channel, text, done)
    }
    return true
  }

  function failKey(why) {
    keyError = why
    const all = waiting.splice(0)
    for (const [, , done] of all) done('0' + JSON.stringify(why))
  }

  /* A hand-over can be lost on its way (WebKit may evaluate it in a
   * document or a web process that is already being replaced), and a lost
   * one would leave this document's calls waiting for ever: while calls
   * wait, say hello again, ever less often. */
  let helloTimer = null
  let helloDelay = 250
  function hello() {
    if (!isTop || ipcHello === null || key !== null || keyError !== null) return
    ipcHello.postMessage('').catch(() => {})
  }
  function helloLater() {
    if (helloTimer !== null || !isTop || key !== null) return
    helloTimer = setTimeout(() => {
      helloTimer = null
      if (key !== null || keyError !== null || waiting.length === 0) return
      hello()
      helloDelay = Math.min(helloDelay * 2, 8000)
      helloLater()
    }, helloDelay)
  }

  if (isTop) {
    // The core may have been quicker than this script, or slower than it,
    // or have handed the key over before this document's window existed.
    if (typeof G.__capgateKey === 'string') setKey(G.__capgateKey)
    else hello()
  } else if (typeof meta.frameKeyUrl === 'string') {
    fetch(meta.frameKeyUrl, { method: 'POST', cache: 'no-store', credentials: 'omit', body: '' }).then(
      (r) => r.text().then((t) => { if (r.ok) setKey(t); else failKey(t) }),
      (e) => failKey('capgate: refused: this sub-frame could not get its key: ' + messageOf(e)))
  } else {
    failKey('capgate: refused: only the window\'s top frame may call commands')
  }

  /* The data path: fetch with the key in a header (see the top). header
   * is 'Capgate-Call' or 'Capgate-Sealed'. */
  function postBody(text, body, done, header = 'Capgate-Call') {
    if (rawKey === null) {
      if (keyError !== null) done('0' + JSON.stringify(keyError))
      else { waiting.push([IPC_URL, text, done, body, header]); helloLater() }
      return
    }
    let n = 0
    try { n = body.byteLength } catch (e) { n = 0 }
    const headers = { 'Capgate-Key': rawKey, 'Capgate-Length': String(n) }
    headers[header] = encodeURIComponent(text)
    fetch(IPC_URL, { method: 'POST', body, headers, cache: 'no-store', credentials: 'omit', redirect: 'error' }).then(
      (r) => {
        if (r.ok && (r.headers.get('Content-Type') || '').startsWith('application/octet-stream'))
          return r.arrayBuffer().then((bytes) => done({ bytes }))
        return r.text().then((t) => {
          if (r.ok && (t[0] === '1' || t[0] === '0')) done(t)
          else done('0' + JSON.stringify(r.ok ? 'capgate: malformed reply from the core' : t))
        })
      }).catch((e) => done('0' + JSON.stringify('capgate: the binary call failed: ' + messageOf(e))))
  }

  /* done(reply): reply is the core's answer, '1' or '0' then JSON. */
  function post(channel, text, done) {
    if (channel === null) {
      done('0' + JSON.stringify('capgate: no IPC in this frame (window.webkit.messageHandlers is missing)'))
      return
    }
    if (key === null) {
      if (keyError !== null) done('0' + JSON.stringify(keyError))
      else { waiting.push([channel, text, done]); helloLater() }
      return
    }
    let p
    try {
      p = channel.postMessage(key + text)
    } catch (e) {
      done('0' + JSON.stringify(messageOf(e)))
      return
    }
    p.then((reply) => {
      if (typeof reply !== 'string' || (reply[0] !== '1' && reply[0] !== '0' && reply[0] !== '2'))
        done('0' + JSON.stringify('capgate: malformed reply from the core'))
      else
        done(reply)
    }, (e) => done('0' + JSON.stringify(messageOf(e))))
  }

  // ------------------------------------------------------------ isolation

  const isoOrigin = typeof meta.isolation === 'string' ? meta.isolation : null
  const READY_MS = 15000

  let isoWin = null     // the frame's WindowProxy: the only source we read
  let isoEpoch = 0      // 0 until the core has answered the frame's ready
  let isoFailed = null  // why calls cannot go through, or null
  let isoNext = 1
  let isoTimer = null
  const isoPending = new Map() // id -> {text, message, done}: not yet sealed

  function own(o, k) {
    return o !== null && typeof o === 'object' && Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined
  }

  function isoFailAll(why) {
    isoFailed = why
    const all = [...isoPending.values()]
    isoPending.clear()
    for (const e of all) e.done('0' + JSON.stringify(why))
  }

  /* A JSON call goes as its text: cloning a string costs less than
   * cloning the object, and the frame parses it into a fresh one for the
   * hook either way. A binary call goes as an object holding its bytes;
   * the frame seals it with its bytes beside the envelope, and the two go
   * to the core by the data path. */
  function isoPost(id, e) {
    try {
      isoWin.postMessage(e.text !== null
        ? { capgate: 'seal', id, epoch: isoEpoch, text: e.text }
        : { capgate: 'seal', id, epoch: isoEpoch, message: e.message }, '*')
    } catch (err) {
      isoPending.delete(id)
      e.done('0' + JSON.stringify(messageOf(err)))
    }
  }

  function isoReady(hook) {
    isoEpoch = 0
    if (isoTimer !== null) { clearTimeout(isoTimer); isoTimer = null }
    post(ipcSeal, hook ? 'ready' : 'nohook', (reply) => {
      let value
      try { value = JSON.parse(reply.slice(1)) } catch (e) { value = messageOf(e) }
      if (reply[0] !== '1') { isoFailAll('capgate: the isolation frame could not start: ' + messageOf(value)); return }
      if (!hook) {
        isoFailAll('capgate: refused: the isolation app does not define __TAURI_ISOLATION_HOOK__')
        return
      }
      isoFailed = null
      isoEpoch = value
      isoPending.forEach((e, id) => isoPost(id, e))
    })
  }

  function onIsoMessage(ev) {
    if (isoWin === null || ev.source !== isoWin) return
    // Sealed envelopes are for the core only: no page listener sees them.
    ev.stopImmediatePropagation()
    const d = ev.data
    const kind = own(d, 'capgate')
    if (kind === 'ready') { isoReady(own(d, 'hook') === true); return }
    const id = own(d, 'id')
    const e = isoPending.get(id)
    if (e === undefined) return
    isoPending.delete(id)
    const envelope = own(d, 'envelope')
    const sealedBody = own(d, 'body')
    if (kind === 'sealed' && typeof envelope === 'string' && sealedBody instanceof ArrayBuffer && !appDoc)
      e.done('0' + JSON.stringify('capgate: refused: under the isolation pattern binary calls are sent from the app\'s own pages only'))
    else if (kind === 'sealed' && typeof envelope === 'string' && sealedBody instanceof ArrayBuffer)
      postBody(envelope, sealedBody, e.done, 'Capgate-Sealed')
    else if (kind === 'sealed' && typeof envelope === 'string') post(ipc, envelope, e.done)
    else if (kind === 'refused') e.done('0' + JSON.stringify('capgate: ' + String(own(d, 'reason'))))
    else e.done('0' + JSON.stringify('capgate: malformed answer from the isolation frame'))
  }

  function isoStart() {
    const f = doc.createElement('iframe')
    f.setAttribute('sandbox', 'allow-scripts')
    f.setAttribute('hidden', '')
    f.setAttribute('aria-hidden', 'true')
    f.setAttribute('src', isoOrigin + '/index.html')
    ;(doc.body || doc.documentElement).appendChild(f)
    isoWin = f.contentWindow
  }

  const iso = isoOrigin !== null && isTop
  if (iso) {
    if (doc.body) isoStart()
    else doc.addEventListener('DOMContentLoaded', isoStart, { once: true, capture: true })
    isoTimer = setTimeout(() => {
      isoTimer = null
      if (isoEpoch === 0)
        isoFailAll('capgate: the isolation frame did not start; the page\'s Content-Security-Policy ' +
          'must allow frame-src ' + isoOrigin)
    }, READY_MS)
  }

  function fromBase64(b64) {
    if (typeof Uint8Array.fromBase64 === 'function') return Uint8Array.fromBase64(b64)
    const raw = atob(b64)
    const u = new Uint8Array(raw.length)
    for (let i = 0; i < raw.length; i++) u[i] = raw.charCodeAt(i)
    return u
  }

  /* Under the isolation pattern: the call goes to the frame, and what the
   * frame seals goes to the core. A binary call reaches the hook with its
   * bytes as the payload, as in Tauri. */
  function isoSend(kind, text, done, body) {
    if (!isTop) {
      done('0' + JSON.stringify('capgate: refused: under the isolation pattern only the window\'s top frame may call commands'))
      return
    }
    if (isoFailed !== null) { done('0' + JSON.stringify(isoFailed)); return }
    let message = null
    if (kind === 'r' || kind === 'b') {
      try {
        const m = JSON.parse(text)
        message = kind === 'r'
          ? { cmd: m.cmd, payload: fromBase64(m.body), options: m.options }
          : { cmd: m.cmd, payload: new Uint8Array(body), options: m.options }
      } catch (e) {
        done('0' + JSON.stringify('capgate: malformed binary call: ' + messageOf(e)))
        return
      }
      text = null
    }
    const id = isoNext++
    const e = { text, message, done }
    isoPending.set(id, e)
    if (isoEpoch !== 0) isoPost(id, e)
  }

  // --------------------------------------------------------- from the page

  function toBase64(body) {
    const u = new Uint8Array(body)
    if (typeof u.toBase64 === 'function') return u.toBase64()
    let s = ''
    for (let i = 0; i < u.length; i += 32768) s += String.fromCharCode.apply(null, u.subarray(i, i + 32768))
    return btoa(s)
  }

  /* A binary call as a message, its body as base64: {cmd, body, options}. */
  function rawText(meta, body) {
    const m = JSON.parse(meta)
    return JSON.stringify({ cmd: m.cmd, body: toBase64(body), options: { headers: (m.options && m.options.headers) || {} } })
  }

  function onRequest(ev) {
    let d
    try {
      d = ev.detail // an object detail is cloned into this world here
    } catch (e) {
      return
    }
    let kind, id, text, body
    if (typeof d === 'string') {
      kind = d[0]
      const nl = d.indexOf('\n')
      if ((kind !== 'j' && kind !== 'r') || nl < 2) return
      id = d.slice(1, nl)
      text = d.slice(nl + 1)
    } else if (d !== null && typeof d === 'object' && d.k === 'b' && typeof d.meta === 'string' &&
               d.body instanceof ArrayBuffer) {
      kind = 'b'
      id = String(d.id)
      text = d.meta
      body = d.body
    } else {
      return
    }
    // Taken: the page's side knows that a transport is here.
    ev.preventDefault()
    const done = (reply) => {
      doc.dispatchEvent(new CustomEvent(REPLY, {
        detail: typeof reply === 'string' ? id + '\n' + reply : { id: +id, bytes: reply.bytes }
      }))
    }
    if (isoOrigin !== null) {
      isoSend(kind, text, done, body)
    } else if (kind === 'b' && appDoc) {
      postBody(text, body, done)
    } else if (kind === 'b') {
      let t
      try {
        t = rawText(text, body)
      } catch (e) {
        done('0' + JSON.stringify('capgate: malformed binary call: ' + messageOf(e)))
        return
      }
      post(ipc, t, done)
    } else {
      post(ipc, text, done)
    }
  }

  function listen() {
    doc.addEventListener(REQUEST, onRequest)
    if (iso) window.addEventListener('message', onIsoMessage, true)
  }
  listen()

  Object.defineProperty(G, '__capgateTransport', {
    value: Object.freeze({ listen, setKey }),
    writable: false, enumerable: false, configurable: false
  })
})()
