/*
 * capgate isolation frame: seals every IPC message the app's hook lets
 * through (docs/isolation.md).
 *
 * The core injects this, at document start, only into documents of this
 * launch's isolation origin (capgate-isolation://<random>/), which the
 * bridge loads in a hidden <iframe sandbox="allow-scripts">. It follows
 *   const __CAPGATE_ISOLATION__ = {"key": B64(32 bytes), "webview": LABEL};
 * inside one block, so the key is never a global: neither the app's hook
 * nor anything else can read it, and it exists in no resource a page
 * could fetch. The key becomes a non-extractable CryptoKey at once.
 *
 * Protocol with the bridge in the parent (postMessage, structured clone):
 *   frame -> parent  {capgate: "ready", hook: bool}          when loaded
 *   parent -> frame  {capgate: "seal", id, epoch, text}     JSON calls
 *                  | {capgate: "seal", id, epoch, message}  binary calls
 *   frame -> parent  {capgate: "sealed", id, envelope: TEXT}
 *                  | {capgate: "sealed", id, envelope: TEXT, body: ArrayBuffer}
 *                  | {capgate: "refused", id, reason}
 * Messages are handled one at a time, in order: the hook may be async,
 * and sequence numbers rise in the order calls were made (the core
 * accepts each once, and at most 63 behind the highest it has seen,
 * since a binary call's fetch and a JSON call's message may overtake each
 * other). A JSON
 * call comes as text and is parsed here, which costs less than the
 * structured clone of the object, and gives the hook a fresh object all
 * the same.
 *
 * The envelope and its associated data are those of engine/router/seal.c:
 *   aad = "capgate-seal-v1" 0 cmd 0 webview 0 epoch 0 seq
 * and the plaintext is the whole message: cmd, callback ids, options and
 * the payload. A message whose payload (after the hook) is bytes is sealed
 * as a binary call: aad "capgate-seal-bin-v1" 0 cmd 0 webview 0 epoch 0
 * seq, plaintext the message without its payload, one NUL byte, then the
 * bytes; the envelope {"sealed":2,"cmd","seq","iv"} goes with the
 * ciphertext and tag as an ArrayBuffer (transferred, not copied), which
 * the transport sends to the core as a fetch body.
 */
;(function () {
  'use strict'

  const G = globalThis
  const meta = typeof __CAPGATE_ISOLATION__ === 'object' && __CAPGATE_ISOLATION__ !== null
    ? __CAPGATE_ISOLATION__ : null
  const parentWin = G.parent
  const subtle = G.crypto && G.crypto.subtle
  const uncurry = Function.prototype.bind.bind(Function.prototype.call)
  const encrypt = subtle ? uncurry(subtle.encrypt) : null
  const importKey = subtle ? uncurry(subtle.importKey) : null
  const getRandomValues = uncurry(G.crypto.getRandomValues)
  const post = uncurry(G.postMessage)
  const addListener = uncurry(EventTarget.prototype.addEventListener)
  const jsonStringify = JSON.stringify
  const jsonParse = JSON.parse
  /* Native base64 where WebKit has it (Uint8Array.prototype.toBase64):
   * several times faster than btoa over a string of char codes. */
  const toBase64 = typeof Uint8Array.prototype.toBase64 === 'function'
    ? uncurry(Uint8Array.prototype.toBase64) : null
  const encoder = new TextEncoder()
  const encode = uncurry(TextEncoder.prototype.encode)
  const isView = ArrayBuffer.isView
  const fromCharCode = String.fromCharCode
  const btoaFn = G.btoa
  const atobFn = G.atob
  const promiseThen = uncurry(Promise.prototype.then)
  const objectToString = uncurry(Object.prototype.toString)
  const MAX_SEQ = 9007199254740992 // 2^53: the core's limit too

  function toParent(msg) {
    post(parentWin, msg, '*') // the parent's origin may be any allowed one
  }

  /* keyPromise until the import resolves, then the CryptoKey itself: an
   * await on a settled promise still costs a turn of the microtask queue
   * on every message. */
  let key = null
  let keyPromise = null
  if (meta && importKey && typeof meta.key === 'string') {
    const raw = atobFn(meta.key)
    const bytes = new Uint8Array(raw.length)
    for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i)
    keyPromise = importKey(subtle, 'raw', bytes, { name: 'AES-GCM' }, false, ['encrypt'])
    promiseThen(keyPromise, (k) => { key = k }, () => { keyPromise = null })
    bytes.fill(0)
  }
  const webview = meta && typeof meta.webview === 'string' ? meta.webview : ''

  function base64(u8) {
    if (toBase64 !== null) return toBase64(u8)
    let s = ''
    for (let i = 0; i < u8.length; i += 32768)
      s += fromCharCode.apply(null, u8.subarray(i, i + 32768))
    return btoaFn(s)
  }

  function bytesOf(v) {
    if (isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength)
    if (objectToString(v) === '[object ArrayBuffer]') return new Uint8Array(v)
    return null
  }

  /* The message as the core reads it: only the fields it knows, so a hook
   * that adds its own bookkeeping to the object does not break the call.
   * With bytes, the text leaves the payload out (they go beside it). */
  function plaintext(m, bytes) {
    const out = { cmd: m.cmd }
    if (typeof m.callback === 'number') out.callback = m.callback
    if (typeof m.error === 'number') out.error = m.error
    if (bytes === null && m.payload !== undefined) out.payload = m.payload
    const headers = m.options !== null && typeof m.options === 'object' ? m.options.headers : undefined
    out.options = { headers: headers !== null && typeof headers === 'object' ? headers : {} }
    return jsonStringify(out)
  }

  let epoch = -1
  let seq = 0

  /* -> {envelope, body}: body (the ciphertext, an ArrayBuffer) only for a
   * binary call, whose plaintext is text, a NUL byte, then bytes. */
  async function seal(cmd, text, ep, bytes) {
    if (ep !== epoch) { epoch = ep; seq = 0 }
    if (seq >= MAX_SEQ) throw new Error('sequence exhausted: reload the page')
    seq++
    const iv = new Uint8Array(12)
    getRandomValues(G.crypto, iv)
    const label = bytes === null ? 'capgate-seal-v1\0' : 'capgate-seal-bin-v1\0'
    const aad = encode(encoder, label + cmd + '\0' + webview + '\0' + epoch + '\0' + seq)
    let pt = encode(encoder, text)
    if (bytes !== null) {
      const all = new Uint8Array(pt.length + 1 + bytes.length)
      all.set(pt, 0)
      all.set(bytes, pt.length + 1)
      pt = all
    }
    const ct = await encrypt(subtle, { name: 'AES-GCM', iv, additionalData: aad, tagLength: 128 },
      key !== null ? key : await keyPromise, pt)
    const head = '{"sealed":' + (bytes === null ? 1 : 2) + ',"cmd":' + jsonStringify(cmd) + ',"seq":' + seq +
      ',"iv":"' + base64(iv)
    if (bytes !== null) return { envelope: head + '"}', body: ct }
    return { envelope: head + '","ct":"' + base64(new Uint8Array(ct)) + '"}', body: null }
  }

  function reasonOf(e) {
    try { return e instanceof Error ? e.message : String(e) } catch (_) { return 'error' }
  }

  async function handle(d) {
    const id = d.id
    const hook = G.__TAURI_ISOLATION_HOOK__
    if (key === null && keyPromise === null) {
      toParent({ capgate: 'refused', id, reason: 'refused: the isolation frame has no key (WebCrypto unavailable?)' })
      return
    }
    if (typeof hook !== 'function') {
      toParent({ capgate: 'refused', id, reason: 'refused: the isolation app does not define __TAURI_ISOLATION_HOOK__' })
      return
    }
    let message = d.message
    if (typeof d.text === 'string') {
      try {
        message = jsonParse(d.text)
      } catch (_) {
        toParent({ capgate: 'refused', id, reason: 'refused: the message is not JSON' })
        return
      }
    }
    let out
    try {
      out = hook(message)
      // Awaited only when it is a promise: most hooks are synchronous.
      if (out !== null && typeof out === 'object' && typeof out.then === 'function') out = await out
    } catch (e) {
      toParent({ capgate: 'refused', id, reason: 'refused: the isolation hook threw: ' + reasonOf(e) })
      return
    }
    if (out === null || out === undefined) {
      toParent({ capgate: 'refused', id, reason: 'refused by the isolation hook' })
      return
    }
    if (typeof out !== 'object' || typeof out.cmd !== 'string' || out.cmd === '') {
      toParent({ capgate: 'refused', id, reason: 'refused: the isolation hook returned something that is not a message' })
      return
    }
    try {
      const bytes = out.payload === null || typeof out.payload !== 'object' ? null : bytesOf(out.payload)
      const sealed = await seal(out.cmd, plaintext(out, bytes), d.epoch, bytes)
      if (sealed.body === null) toParent({ capgate: 'sealed', id, envelope: sealed.envelope })
      else post(parentWin, { capgate: 'sealed', id, envelope: sealed.envelope, body: sealed.body }, '*', [sealed.body])
    } catch (e) {
      toParent({ capgate: 'refused', id, reason: 'refused: could not seal the message: ' + reasonOf(e) })
    }
  }

  /* In order, one at a time; a message that arrives while none is being
   * handled starts at once rather than a turn later. */
  const queue = []
  let head = 0
  let running = false
  async function drain() {
    running = true
    while (head < queue.length) {
      const d = queue[head]
      queue[head++] = undefined
      // A failure in one message must not stop the ones after it.
      try { await handle(d) } catch (_) { }
    }
    queue.length = 0
    head = 0
    running = false
  }

  addListener(G, 'message', (ev) => {
    if (ev.source !== parentWin) return
    const d = ev.data
    if (d === null || typeof d !== 'object' || d.capgate !== 'seal' || typeof d.id !== 'number' ||
        typeof d.epoch !== 'number' || d.epoch < 1 ||
        (typeof d.text !== 'string' && (d.message === null || typeof d.message !== 'object')))
      return
    queue[queue.length] = d
    if (!running) drain()
  })

  // After the app's own scripts: only then is the hook defined or not.
  addListener(G, 'DOMContentLoaded', () => {
    toParent({ capgate: 'ready', hook: typeof G.__TAURI_ISOLATION_HOOK__ === 'function' })
  })
})()
