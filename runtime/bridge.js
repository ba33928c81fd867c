/*
 * capgate bridge: what @tauri-apps/api v2 expects of a Tauri webview
 * (window.__TAURI_INTERNALS__, window.__TAURI_EVENT_PLUGIN_INTERNALS__,
 * window.isTauri), carried over WebKit script message handlers.
 *
 * The core injects this into the top frame at document start, in the
 * page's world, after a line that defines
 *   const __CAPGATE_META__ = {"window": "...", "webview": "...", "key": "..."};
 * ("key" optional). Wrapping both in a block ({ ... }) keeps the key out of
 * the page's global scope; this file only needs the binding to be in scope.
 *
 * Transport:
 *   invoke   capgate.postMessage(KEY + JSON {cmd, callback, error, payload,
 *            options: {headers}}), KEY being meta.key + "\n" or nothing;
 *            the reply is a string: '1' or '0' then the JSON of the result
 *            or of the error.
 *   raw      capgate_raw.postMessage(KEY + JSON {cmd, body: base64, headers})
 *            for ArrayBuffer, typed-array, DataView and number[] arguments
 *            (Tauri sends those as the raw request body); same reply.
 *   isolation with meta.isolation (the launch's isolation origin), every
 *            invoke goes first to a hidden <iframe sandbox="allow-scripts">
 *            of that origin, whose hook may change or refuse it and which
 *            seals it (runtime/isolation.js); what comes back is sent as
 *            above. capgate_seal.postMessage(KEY + "ready" | "nohook")
 *            moves the webview to a new epoch whenever the frame (re)starts
 *            and answers it; only the top frame may call.
 *   events   the core evaluates window.__TAURI_INTERNALS__.runCallback(id,
 *   channels <JSON>) for {event, id, payload} and {message, index} /
 *            {end: true, index}.
 *
 * The page can run any code after us. Everything the bridge calls is taken
 * now, so replacing globals or prototype methods later (JSON, Array or
 * Promise methods, window.webkit, Map.prototype.get, Function.prototype.call)
 * cannot change what the bridge sends or which callbacks it runs. Payload
 * values are the page's own data and are serialised as JSON.stringify would
 * (their toJSON methods run).
 */
;(function () {
  'use strict'

  const G = globalThis
  const meta = typeof __CAPGATE_META__ === 'object' && __CAPGATE_META__ !== null ? __CAPGATE_META__ : {}

  /* Taken before any page script runs. uncurry(f)(self, ...args) calls f
   * without looking up f.call or Function.prototype.call afterwards. */
  const uncurry = Function.prototype.bind.bind(Function.prototype.call)
  const defineProperty = Object.defineProperty
  const freeze = Object.freeze
  const objectKeys = Object.keys
  const getPrototypeOf = Object.getPrototypeOf
  const getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor
  const objectToString = uncurry(Object.prototype.toString)
  const isArray = Array.isArray
  const isView = ArrayBuffer.isView
  const jsonParse = JSON.parse
  const jsonStringify = JSON.stringify
  const StringCtor = String
  const stringSlice = uncurry(String.prototype.slice)
  const encodeURIComponentFn = encodeURIComponent
  const mathRandom = Math.random
  const MapCtor = Map
  const mapGet = uncurry(Map.prototype.get)
  const mapSet = uncurry(Map.prototype.set)
  const mapHas = uncurry(Map.prototype.has)
  const mapDelete = uncurry(Map.prototype.delete)
  const mapForEach = uncurry(Map.prototype.forEach)
  const mapClear = uncurry(Map.prototype.clear)
  const PromiseCtor = Promise
  const promiseThen = uncurry(Promise.prototype.then)
  const Uint8ArrayCtor = Uint8Array
  const Uint32ArrayCtor = Uint32Array
  const ArrayBufferCtor = ArrayBuffer
  const getter = (proto, name) => uncurry(getOwnPropertyDescriptor(proto, name).get)
  const typedArrayProto = getPrototypeOf(Uint8Array.prototype)
  const taBuffer = getter(typedArrayProto, 'buffer')
  const taByteOffset = getter(typedArrayProto, 'byteOffset')
  const taByteLength = getter(typedArrayProto, 'byteLength')
  const dvBuffer = getter(DataView.prototype, 'buffer')
  const dvByteOffset = getter(DataView.prototype, 'byteOffset')
  const dvByteLength = getter(DataView.prototype, 'byteLength')
  const abByteLength = getter(ArrayBuffer.prototype, 'byteLength')
  const queueMicrotaskFn = typeof G.queueMicrotask === 'function' ? G.queueMicrotask : null
  const cryptoObj = G.crypto
  const getRandomValues = cryptoObj && typeof cryptoObj.getRandomValues === 'function'
    ? uncurry(cryptoObj.getRandomValues) : null
  const HeadersCtor = typeof G.Headers === 'function' ? G.Headers : null
  const headersForEach = HeadersCtor ? uncurry(HeadersCtor.prototype.forEach) : null

  /* The handler objects and their postMessage, so that replacing
   * window.webkit (or the handlers' methods) later changes nothing. */
  function handler(name) {
    try {
      const h = G.webkit.messageHandlers[name]
      if (h && typeof h.postMessage === 'function')
        return { __proto__: null, target: h, post: uncurry(h.postMessage) }
    } catch (e) { /* no WebKit here: invoke rejects */ }
    return null
  }
  const ipc = handler('capgate')
  const ipcRaw = handler('capgate_raw')
  const ipcSeal = handler('capgate_seal')
  // The top frame proves itself with the window's key. A sub-frame (only
  // when the app allows frames) sends the frame key and its own origin,
  // read here before any page script runs; the core checks that origin
  // against security.frames. Page code can reach neither key.
  let isTop = false
  try { isTop = window.top === window } catch (e) { isTop = false }
  const KEY = isTop
    ? (typeof meta.key === 'string' ? meta.key + '\n' : '')
    : (typeof meta.frameKey === 'string' ? meta.frameKey + '\n' + String(window.location.origin) + '\n' : '')

  const windowLabel = StringCtor(meta.window === undefined ? '' : meta.window)
  const webviewLabel = StringCtor(meta.webview === undefined ? windowLabel : meta.webview)

  // Tauri's key for custom IPC serialisation (core.js SERIALIZE_TO_IPC_FN).
  const TO_IPC = '__TAURI_TO_IPC_KEY__'
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

  function messageOf(e) {
    try {
      return e !== null && typeof e === 'object' && typeof e.message === 'string' ? e.message : StringCtor(e)
    } catch (_) {
      return 'capgate: transport failure'
    }
  }

  /* A throwing page callback must neither stop the others nor surface in
   * the core's evaluate_javascript call: report it as uncaught instead. */
  function rethrowLater(e) {
    if (queueMicrotaskFn) queueMicrotaskFn(() => { throw e })
  }

  // ------------------------------------------------------------ callbacks

  const callbacks = new MapCtor()

  /* Random uint32 ids as Tauri makes them: the core inlines them and the
   * router takes 0..2^32-1. */
  function newId() {
    const buf = new Uint32ArrayCtor(1)
    for (;;) {
      if (getRandomValues) getRandomValues(cryptoObj, buf)
      else buf[0] = mathRandom() * 4294967296
      const id = buf[0]
      if (!mapHas(callbacks, id)) return id
    }
  }

  function transformCallback(callback, once = false) {
    const id = newId()
    mapSet(callbacks, id, (data) => {
      if (once) mapDelete(callbacks, id)
      return callback && callback(data)
    })
    return id
  }

  function unregisterCallback(id) {
    mapDelete(callbacks, id)
  }

  // Unknown ids are normal: a reply can arrive after the page unlistened.
  function runCallback(id, data) {
    const cb = mapGet(callbacks, id)
    if (cb === undefined) return
    try {
      cb(data)
    } catch (e) {
      rethrowLater(e)
    }
  }

  /* listen resolves with the core's event id; the package later unlistens
   * with (event, eventId) and expects the handler's callback to go. */
  const listeners = new MapCtor() // eventId -> {event, handler}

  function unregisterListener(event, eventId) {
    const l = mapGet(listeners, eventId)
    if (l === undefined || l.event !== event) return
    mapDelete(listeners, eventId)
    mapDelete(callbacks, l.handler)
  }

  // -------------------------------------------------------- serialisation

  function bytesOf(u8) {
    const out = []
    const n = taByteLength(u8)
    for (let i = 0; i < n; i++) out[i] = u8[i]
    return out
  }

  // As Tauri's process-ipc-message-fn.js: Maps, bytes and toIPC values.
  function replacer(_key, val) {
    if (val === null || typeof val !== 'object') return val
    if (val instanceof MapCtor) {
      const o = {}
      mapForEach(val, (v, k) => { o[k] = v })
      return o
    }
    if (val instanceof Uint8ArrayCtor) return bytesOf(val)
    if (val instanceof ArrayBufferCtor) return bytesOf(new Uint8ArrayCtor(val))
    if (TO_IPC in val && typeof val[TO_IPC] === 'function') return val[TO_IPC]()
    return val
  }

  /* The bytes of a raw payload as a Uint8Array we made ourselves (so its
   * length and elements are not the page's accessors), or null. */
  function rawBytes(args) {
    if (isArray(args)) {
      const n = args.length >>> 0
      const u = new Uint8ArrayCtor(n)
      for (let i = 0; i < n; i++) u[i] = args[i]
      return u
    }
    if (args === null || typeof args !== 'object') return null
    if (isView(args)) {
      try {
        return new Uint8ArrayCtor(taBuffer(args), taByteOffset(args), taByteLength(args))
      } catch (_) {
        return new Uint8ArrayCtor(dvBuffer(args), dvByteOffset(args), dvByteLength(args))
      }
    }
    if (objectToString(args) === '[object ArrayBuffer]') {
      const len = abByteLength(args) // throws unless it really is one
      return new Uint8ArrayCtor(args, 0, len)
    }
    return null
  }

  function base64(u, n) {
    let s = ''
    let i = 0
    for (; i + 2 < n; i += 3) {
      const v = (u[i] << 16) | (u[i + 1] << 8) | u[i + 2]
      s += B64[v >> 18] + B64[(v >> 12) & 63] + B64[(v >> 6) & 63] + B64[v & 63]
    }
    if (i < n) {
      const v = (u[i] << 16) | (i + 1 < n ? u[i + 1] << 8 : 0)
      s += B64[v >> 18] + B64[(v >> 12) & 63] + (i + 1 < n ? B64[(v >> 6) & 63] : '=') + '='
    }
    return s
  }

  // options.headers (Headers, [name, value] pairs or a record) -> {name: string}
  function headersOf(options) {
    const out = { __proto__: null }
    const h = options === null || options === undefined ? undefined : options.headers
    if (h === null || h === undefined) return out
    if (headersForEach && objectToString(h) === '[object Headers]') {
      headersForEach(h, (v, k) => { out[StringCtor(k)] = StringCtor(v) })
    } else if (isArray(h)) {
      for (let i = 0; i < h.length; i++) {
        const pair = h[i]
        out[StringCtor(pair[0])] = StringCtor(pair[1])
      }
    } else if (typeof h === 'object') {
      const ks = objectKeys(h)
      for (let i = 0; i < ks.length; i++) out[ks[i]] = StringCtor(h[ks[i]])
    }
    return out
  }

  // ------------------------------------------------------------ isolation

  const isoOrigin = typeof meta.isolation === 'string' ? meta.isolation : null
  const doc = G.document
  const createElement = uncurry(Document.prototype.createElement)
  const setAttribute = uncurry(Element.prototype.setAttribute)
  const appendChild = uncurry(Node.prototype.appendChild)
  const addListener = uncurry(EventTarget.prototype.addEventListener)
  const stopImmediate = uncurry(Event.prototype.stopImmediatePropagation)
  const postTo = uncurry(G.postMessage)
  const evSource = getter(MessageEvent.prototype, 'source')
  const evData = getter(MessageEvent.prototype, 'data')
  const docBody = getter(Document.prototype, 'body')
  const docElement = getter(Document.prototype, 'documentElement')
  const frameWindow = getter(HTMLIFrameElement.prototype, 'contentWindow')
  const setTimeoutFn = G.setTimeout
  const clearTimeoutFn = G.clearTimeout
  const ownKey = uncurry(Object.prototype.hasOwnProperty)
  const READY_MS = 15000

  let isoWin = null     // the frame's WindowProxy: the only source we read
  let isoEpoch = 0      // 0 until the core has answered the frame's ready
  let isoFailed = null  // why calls cannot go through, or null
  let isoNext = 1
  let isoTimer = null
  const isoPending = new MapCtor() // id -> {message, finish}: not yet sealed

  function own(o, k) { return o !== null && typeof o === 'object' && ownKey(o, k) ? o[k] : undefined }

  function isoFailAll(why) {
    isoFailed = why
    const all = []
    mapForEach(isoPending, (e) => { all[all.length] = e })
    for (let i = 0; i < all.length; i++) all[i].finish(false, why)
    mapClear(isoPending)
  }

  /* A JSON call goes as its text: cloning a string costs less than
   * cloning the object, and the frame parses it into a fresh one for the
   * hook either way. A binary call goes as an object holding its bytes. */
  function isoPost(id, e) {
    try {
      postTo(isoWin, e.text !== null
        ? { capgate: 'seal', id, epoch: isoEpoch, text: e.text }
        : { capgate: 'seal', id, epoch: isoEpoch, message: e.message }, '*')
    } catch (err) {
      mapDelete(isoPending, id)
      e.finish(false, messageOf(err))
    }
  }

  function isoReady(hook) {
    isoEpoch = 0
    if (isoTimer !== null) { clearTimeoutFn(isoTimer); isoTimer = null }
    send(ipcSeal, KEY + (hook ? 'ready' : 'nohook'), (ok, value) => {
      if (!ok) { isoFailAll('capgate: the isolation frame could not start: ' + messageOf(value)); return }
      if (!hook) {
        isoFailAll('capgate: refused: the isolation app does not define __TAURI_ISOLATION_HOOK__')
        return
      }
      isoFailed = null
      isoEpoch = value
      mapForEach(isoPending, (e, id) => isoPost(id, e))
    })
  }

  function onIsoMessage(ev) {
    if (isoWin === null || evSource(ev) !== isoWin) return
    // Sealed envelopes are for the core only: no page listener sees them.
    stopImmediate(ev)
    const d = evData(ev)
    const kind = own(d, 'capgate')
    if (kind === 'ready') { isoReady(own(d, 'hook') === true); return }
    const id = own(d, 'id')
    const e = mapGet(isoPending, id)
    if (e === undefined) return
    mapDelete(isoPending, id)
    const envelope = own(d, 'envelope')
    if (kind === 'sealed' && typeof envelope === 'string') send(ipc, KEY + envelope, e.finish)
    else if (kind === 'refused') e.finish(false, 'capgate: ' + StringCtor(own(d, 'reason')))
    else e.finish(false, 'capgate: malformed answer from the isolation frame')
  }

  function isoStart() {
    const f = createElement(doc, 'iframe')
    setAttribute(f, 'sandbox', 'allow-scripts')
    setAttribute(f, 'hidden', '')
    setAttribute(f, 'aria-hidden', 'true')
    setAttribute(f, 'src', isoOrigin + '/index.html')
    appendChild(docBody(doc) || docElement(doc), f)
    isoWin = frameWindow(f)
  }

  if (isoOrigin !== null && isTop) {
    addListener(G, 'message', onIsoMessage, true)
    if (doc && (docBody(doc) || null) !== null) isoStart()
    else addListener(G, 'DOMContentLoaded', isoStart, { once: true, capture: true })
    isoTimer = setTimeoutFn(() => {
      isoTimer = null
      if (isoEpoch === 0)
        isoFailAll('capgate: the isolation frame did not start; the page\'s Content-Security-Policy ' +
          'must allow frame-src ' + isoOrigin)
    }, READY_MS)
  }

  /* Under the isolation pattern: the message goes to the frame, and what
   * the frame seals goes to the core. */
  function isoSend(text, message, finish) {
    if (!isTop) {
      finish(false, 'capgate: refused: under the isolation pattern only the window\'s top frame may call commands')
      return
    }
    if (isoFailed !== null) { finish(false, isoFailed); return }
    const id = isoNext++
    const e = { __proto__: null, text, message, finish }
    mapSet(isoPending, id, e)
    if (isoEpoch !== 0) isoPost(id, e)
  }

  // --------------------------------------------------------------- invoke

  function send(channel, text, finish) {
    if (channel === null) {
      finish(false, 'capgate: no IPC in this frame (window.webkit.messageHandlers is missing)')
      return
    }
    let p
    try {
      p = channel.post(channel.target, text)
      promiseThen(p, (reply) => {
        if (typeof reply !== 'string' || (reply[0] !== '1' && reply[0] !== '0')) {
          finish(false, 'capgate: malformed reply from the core')
          return
        }
        let value
        try {
          value = reply.length > 1 ? jsonParse(stringSlice(reply, 1)) : null
        } catch (e) {
          finish(false, 'capgate: malformed reply from the core: ' + messageOf(e))
          return
        }
        finish(reply[0] === '1', value)
      }, (e) => finish(false, messageOf(e)))
    } catch (e) {
      finish(false, messageOf(e))
    }
  }

  function invoke(cmd, args = {}, options) {
    return new PromiseCtor((resolve, reject) => {
      if (typeof cmd !== 'string') throw new TypeError('capgate: the command name must be a string')
      const headers = headersOf(options)
      const bytes = rawBytes(args)
      let settled = false
      let listen = null
      function finish(ok, value) {
        if (settled) return
        settled = true
        if (!ok) {
          reject(value)
          return
        }
        if (listen !== null && typeof value === 'number')
          mapSet(listeners, value, { __proto__: null, event: listen.event, handler: listen.handler })
        resolve(value)
      }

      /* The envelope is put together as text, not as an object given to
       * JSON.stringify: no page hook (toJSON, Symbol.hasInstance, ...) ever
       * sees or edits it; only the payload is the page's data. */
      const head = '{"cmd":' + jsonStringify(cmd)
      const tail = '"headers":' + jsonStringify(headers)
      if (bytes !== null) {
        if (isoOrigin !== null)
          isoSend(null, { cmd, payload: bytes, options: { headers: jsonParse(jsonStringify(headers)) } }, finish)
        else
          send(ipcRaw, KEY + head + ',"body":"' + base64(bytes, taByteLength(bytes)) + '",' + tail + '}', finish)
        return
      }

      if (cmd === 'plugin:event|listen' && args !== null && typeof args === 'object')
        listen = { __proto__: null, event: args.event, handler: args.handler }
      // capgate's core answers on the message's own reply, never through
      // runCallback, so no callback ids are registered (Tauri's protocol
      // needs them; registering and removing two per call costs as much
      // as the router's own work).
      let payload
      try {
        payload = jsonStringify(args, replacer)
      } catch (e) {
        finish(false, e)
        return
      }
      const text = head + (payload === undefined ? '' : ',"payload":' + payload) + ',"options":{' + tail + '}}'
      // The hook gets a fresh object of plain data, parsed (in the frame)
      // from what the page's values serialised to: none of the page's own
      // objects.
      if (isoOrigin !== null) isoSend(text, null, finish)
      else send(ipc, KEY + text, finish)
    })
  }

  function convertFileSrc(filePath, protocol = 'asset') {
    return protocol + '://localhost/' + encodeURIComponentFn(filePath)
  }

  // -------------------------------------------------------------- globals

  const internals = freeze({
    invoke: freeze(invoke),
    transformCallback: freeze(transformCallback),
    unregisterCallback: freeze(unregisterCallback),
    runCallback: freeze(runCallback),
    // Live, as in Tauri ("for debugging"); the bridge only uses its own
    // captured Map methods on it.
    callbacks,
    convertFileSrc: freeze(convertFileSrc),
    metadata: freeze({
      currentWindow: freeze({ label: windowLabel }),
      currentWebview: freeze({ windowLabel, label: webviewLabel })
    }),
    plugins: freeze({ path: freeze({ sep: '/', delimiter: ':' }) })
  })

  // Non-enumerable, read-only and permanent, as Tauri defines them.
  const constant = (value) => ({ __proto__: null, value, writable: false, enumerable: false, configurable: false })
  defineProperty(G, '__TAURI_INTERNALS__', constant(internals))
  defineProperty(G, '__TAURI_EVENT_PLUGIN_INTERNALS__',
    constant(freeze({ unregisterListener: freeze(unregisterListener) })))
  defineProperty(G, 'isTauri', constant(true))
})()
