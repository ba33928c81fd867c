/*
 * capgate bridge, the page's side: what @tauri-apps/api v2 expects of a
 * Tauri webview (window.__TAURI_INTERNALS__,
 * window.__TAURI_EVENT_PLUGIN_INTERNALS__, window.isTauri).
 *
 * The core injects this at document start, in the page's own world, after
 * a line that defines
 *   const __CAPGATE_META__ = {"window": "...", "webview": "...", "binarySize": N};
 * inside one block (binarySize: limits.binary_size, so that a body over it
 * is refused here, before anything is copied). It holds nothing the page may not know: no key, no
 * message handler. It turns a call into text and hands it over the DOM to
 * the transport (runtime/transport.js), which runs in an isolated script
 * world that page code cannot reach, and which alone can post to the core.
 *
 * Hand-over (synchronous, on document):
 *   request  CustomEvent "capgate:request", detail KIND ID "\n" TEXT, KIND
 *            "j" for a JSON call {cmd, callback, error, payload, options:
 *            {headers}} or "r" for a small binary one {cmd, body: base64,
 *            options: {headers}} (ArrayBuffer, typed-array, DataView and number[]
 *            arguments, which Tauri sends as the raw request body); or,
 *            for a binary call of RAW_MIN bytes or more, an object the
 *            bridge makes {k: "b", id, meta, body}: meta the call's text
 *            without a payload ({cmd, options: {headers}}) and body an
 *            ArrayBuffer of exactly its bytes (structured-cloned into the
 *            transport's world: one copy, no base64). The transport takes
 *            a request by cancelling the event.
 *   reply    CustomEvent "capgate:reply", detail ID "\n" then '1' or '0'
 *            and the JSON of the result or of the error, or '2' and the
 *            base64 of a binary answer; or an object {id, bytes} whose
 *            bytes (an ArrayBuffer) are a binary answer. invoke resolves a
 *            binary answer with an ArrayBuffer, as Tauri's raw responses.
 * Strings cross as they are; the only objects that cross are the two
 * above, made by the bridge or the transport themselves, as clones: the
 * page's objects never reach the transport, and the transport's never
 * reach the page.
 *
 * Events and channels: the core evaluates
 *   __TAURI_INTERNALS__.capgateCallback(id, '<JSON text>')
 * which parses the text with JSON.parse (so "__proto__" in a payload is a
 * key, never a prototype) and runs the callback for {event, id, payload}
 * or {message, index, id} / {end: true, index} (index for @tauri-apps/api
 * 2.1 and later, id for 2.0); and, for a channel message of bytes,
 *   __TAURI_INTERNALS__.capgateCallbackBytes(id, index, '<base64>')
 * which runs it for {message: ArrayBuffer, index, id: index}.
 *
 * The page can run any code after us. Everything the bridge calls is taken
 * now, so replacing globals or prototype methods later (JSON, Array or
 * Promise methods, EventTarget.prototype.dispatchEvent, Map.prototype.get,
 * Function.prototype.call) cannot change what the bridge sends or which
 * callbacks it runs. Payload values are the page's own data and are
 * serialised as JSON.stringify would (their toJSON methods run).
 *
 * WebKit runs a document-start script again when the page calls
 * document.open(), in the same context and after page code has replaced
 * whatever it liked, and document.open() erases every listener of the
 * document. That second run must take nothing from the page: it finds
 * __TAURI_INTERNALS__ (a permanent property, set by the first run) and
 * calls the first run's own function to listen again, and stops there.
 */
;(function () {
  'use strict'

  // A second run in this document (after document.open()): listen again
  // with what the first run took, and take nothing from the page. The
  // global is permanent and frozen, so neither lookup can be the page's.
  if (typeof __TAURI_INTERNALS__ !== 'undefined') {
    const again = __TAURI_INTERNALS__.capgateListen
    if (typeof again === 'function') again()
    return
  }

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
  const stringIndexOf = uncurry(String.prototype.indexOf)
  const encodeURIComponentFn = encodeURIComponent
  const mathRandom = Math.random
  const MapCtor = Map
  const mapGet = uncurry(Map.prototype.get)
  const mapSet = uncurry(Map.prototype.set)
  const mapHas = uncurry(Map.prototype.has)
  const mapDelete = uncurry(Map.prototype.delete)
  const mapForEach = uncurry(Map.prototype.forEach)
  const PromiseCtor = Promise
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
  /* Native base64 where WebKit has it: a 64 MiB body in a fraction of a
   * second, where the loop below takes tens of seconds. */
  const toBase64 = typeof Uint8Array.prototype.toBase64 === 'function' ? uncurry(Uint8Array.prototype.toBase64) : null
  const fromBase64Native = typeof Uint8Array.fromBase64 === 'function' ? Uint8Array.fromBase64 : null
  const atobFn = G.atob
  const charCodeAt = uncurry(String.prototype.charCodeAt)
  const taSet = uncurry(typedArrayProto.set)
  const queueMicrotaskFn = typeof G.queueMicrotask === 'function' ? G.queueMicrotask : null
  const cryptoObj = G.crypto
  const getRandomValues = cryptoObj && typeof cryptoObj.getRandomValues === 'function'
    ? uncurry(cryptoObj.getRandomValues) : null
  const HeadersCtor = typeof G.Headers === 'function' ? G.Headers : null
  const headersForEach = HeadersCtor ? uncurry(HeadersCtor.prototype.forEach) : null
  const doc = G.document
  const CustomEventCtor = CustomEvent
  const dispatchEvent = uncurry(EventTarget.prototype.dispatchEvent)
  const addListener = uncurry(EventTarget.prototype.addEventListener)
  const eventDetail = getter(CustomEvent.prototype, 'detail')

  const binarySize = typeof meta.binarySize === 'number' && meta.binarySize > 0 ? meta.binarySize : 64 * 1024 * 1024
  const windowLabel = StringCtor(meta.window === undefined ? '' : meta.window)
  const webviewLabel = StringCtor(meta.webview === undefined ? windowLabel : meta.webview)

  // Tauri's key for custom IPC serialisation (core.js SERIALIZE_TO_IPC_FN).
  const TO_IPC = '__TAURI_TO_IPC_KEY__'
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
  const REQUEST = 'capgate:request'
  const REPLY = 'capgate:reply'
  /* Binary calls from this size on go to the transport as bytes (which it
   * sends with fetch); smaller ones as base64 text (which it posts as a
   * message): measured in make bench (bench/README.md, "Data path"), the
   * message costs less below about this size and the fetch above. */
  const RAW_MIN = 32 * 1024

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

  /* What the core delivers (events, channel messages): JSON text, parsed
   * here, so that a payload is data whatever its keys. */
  function capgateCallback(id, text) {
    if (typeof text !== 'string' || mapGet(callbacks, id) === undefined) return
    let data
    try {
      data = jsonParse(text)
    } catch (_) {
      return
    }
    runCallback(id, data)
  }

  function bytesFromBase64(b64) {
    if (fromBase64Native !== null) return fromBase64Native(b64)
    const raw = atobFn(b64)
    const n = raw.length
    const u = new Uint8ArrayCtor(n)
    for (let i = 0; i < n; i++) u[i] = charCodeAt(raw, i)
    return u
  }

  /* A channel message of bytes: an ArrayBuffer, as Tauri delivers raw
   * channel data, at its place in the channel's order. */
  function capgateCallbackBytes(id, index, b64) {
    if (typeof b64 !== 'string' || typeof index !== 'number' || mapGet(callbacks, id) === undefined) return
    let message
    try {
      message = taBuffer(bytesFromBase64(b64))
    } catch (_) {
      return
    }
    runCallback(id, { message, index, id: index })
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

  /* An ArrayBuffer of exactly the call's bytes: the caller's own when the
   * view covers all of it (cloning it for the transport is the one copy),
   * else a copy of the range, so a small view of a big buffer does not
   * send the whole buffer. */
  function exactBuffer(u) {
    const buf = taBuffer(u)
    const n = taByteLength(u)
    let whole = false
    try {
      whole = taByteOffset(u) === 0 && abByteLength(buf) === n // throws for a SharedArrayBuffer
    } catch (_) { }
    if (whole) return buf
    const copy = new Uint8ArrayCtor(n)
    taSet(copy, u)
    return taBuffer(copy)
  }

  function base64(u, n) {
    if (toBase64 !== null) return toBase64(u)
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

  // ----------------------------------------------------- to the transport

  const pending = new MapCtor() // request id -> finish(ok, value)
  let nextRequest = 1

  function onReply(ev) {
    const d = eventDetail(ev)
    if (d !== null && typeof d === 'object') {
      // A binary answer that came as bytes (a clone made for this world).
      const finish = mapGet(pending, d.id)
      if (finish === undefined) return
      mapDelete(pending, d.id)
      let good = false
      try {
        abByteLength(d.bytes) // an ArrayBuffer, or it throws
        good = true
      } catch (_) { }
      finish(good, good ? d.bytes : 'capgate: malformed reply from the core')
      return
    }
    if (typeof d !== 'string') return
    const nl = stringIndexOf(d, '\n')
    if (nl < 1) return
    const id = +stringSlice(d, 0, nl)
    const finish = mapGet(pending, id)
    if (finish === undefined) return
    mapDelete(pending, id)
    const flag = d[nl + 1]
    if (flag === '2') {
      let bytes
      try {
        bytes = bytesFromBase64(stringSlice(d, nl + 2))
      } catch (e) {
        finish(false, 'capgate: malformed reply from the core: ' + messageOf(e))
        return
      }
      finish(true, taBuffer(bytes))
      return
    }
    if (flag !== '1' && flag !== '0') {
      finish(false, 'capgate: malformed reply from the core')
      return
    }
    let value
    try {
      value = d.length > nl + 2 ? jsonParse(stringSlice(d, nl + 2)) : null
    } catch (e) {
      finish(false, 'capgate: malformed reply from the core: ' + messageOf(e))
      return
    }
    finish(flag === '1', value)
  }

  function listen() {
    addListener(doc, REPLY, onReply)
  }
  listen()

  /* Hands text to the transport; it answers with a reply event. Nothing
   * cancelled the request: there is no transport in this frame. */
  function send(kind, text, finish, body) {
    const id = nextRequest++
    mapSet(pending, id, finish)
    let taken = false
    try {
      // The object is the bridge's own (no prototype, data properties
      // only): cloning it for the transport runs no page code.
      const detail = body === undefined ? kind + id + '\n' + text
        : { __proto__: null, k: kind, id, meta: text, body }
      taken = !dispatchEvent(doc, new CustomEventCtor(REQUEST,
        { __proto__: null, detail, cancelable: true }))
    } catch (e) {
      mapDelete(pending, id)
      finish(false, messageOf(e))
      return
    }
    if (!taken && mapHas(pending, id)) {
      mapDelete(pending, id)
      finish(false, 'capgate: no IPC in this frame (the transport is not there)')
    }
  }

  // --------------------------------------------------------------- invoke

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
        const n = taByteLength(bytes)
        if (n > binarySize) {
          finish(false, 'capgate: refused: a binary call of ' + n + ' bytes is larger than limits.binary_size (' +
            binarySize + ' bytes); send big data through a channel, in pieces')
          return
        }
        if (n < RAW_MIN) send('r', head + ',"body":"' + base64(bytes, n) + '","options":{' + tail + '}}', finish)
        else send('b', head + ',"options":{' + tail + '}}', finish, exactBuffer(bytes))
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
      send('j', head + (payload === undefined ? '' : ',"payload":' + payload) + ',"options":{' + tail + '}}', finish)
    })
  }

  function convertFileSrc(filePath, protocol = 'asset') {
    return protocol + '://localhost/' + encodeURIComponentFn(filePath)
  }

  // -------------------------------------------------------------- globals

  const hidden = (value) => ({ __proto__: null, value, writable: false, enumerable: false, configurable: false })
  const internals = {
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
  }
  // capgate's own, not enumerated: the core's deliveries, and listening
  // again after document.open().
  defineProperty(internals, 'capgateCallback', hidden(freeze(capgateCallback)))
  defineProperty(internals, 'capgateCallbackBytes', hidden(freeze(capgateCallbackBytes)))
  defineProperty(internals, 'capgateListen', hidden(freeze(listen)))
  freeze(internals)

  // Non-enumerable, read-only and permanent, as Tauri defines them.
  defineProperty(G, '__TAURI_INTERNALS__', hidden(internals))
  defineProperty(G, '__TAURI_EVENT_PLUGIN_INTERNALS__',
    hidden(freeze({ unregisterListener: freeze(unregisterListener) })))
  defineProperty(G, 'isTauri', hidden(true))
})()
