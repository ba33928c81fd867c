/*
 * The data path with real WebKitGTK windows (issue 18), through
 * @tauri-apps/api's invoke and Channel, unmodified: binary calls (a
 * Uint8Array, an ArrayBuffer, a view into a bigger buffer, a DataView, a
 * number[]) and binary answers (an ArrayBuffer, as Tauri's raw responses)
 * round trip byte for byte at every size from 0 to limits.binary_size
 * (64 MiB), over both paths (a message below 32 KiB, the capgate-ipc://
 * fetch above); channels mix bytes and JSON in order; the policy judges
 * binary calls as any other; a body over the limit is refused with the
 * limit named; the data path refuses what does not come from the
 * window's own transport; and under the isolation pattern binary calls
 * are sealed, reach the hook as bytes, and round trip. Resources a page
 * holds by rid are freed by @tauri-apps/api's Resource.close(), and all of
 * a window's when it reloads, its web process is killed, or it closes
 * (counted).
 */
#include "rt_harness.h"

/* {"type": "ArrayBuffer", "len": n, "equal": true} */
static int exact(const char *r, size_t n)
{
	char want[96];
	snprintf(want, sizeof(want), "{\"type\":\"ArrayBuffer\",\"len\":%zu,\"equal\":true}", n);
	return strcmp(r, want) == 0;
}

static void echo_and_check(const char *label, size_t n, const char *as)
{
	char arg[96];
	snprintf(arg, sizeof(arg), "{\"n\": %zu, \"as\": \"%s\"}", n, as);
	char *r = scenario(label, "bytes_echo", arg);
	EXPECT(exact(r, n), "%s: echo of %zu bytes as %s: %s", label, n, as, r);
	g_free(r);
}

static void sc_data(cg_app *a, void *u)
{
	if (!page_ready("main") || !page_ready("other")) {
		EXPECT(0, "pages not ready");
		cg_app_quit(app);
		return;
	}
	/* Every size class, both paths (32 KiB is where the bridge switches
	 * from a message to the fetch), odd lengths. */
	static const size_t sizes[] = {0, 1, 2, 255, 256, 1023, 32767, 32768, 65537, 1048579, 8388609};
	for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++)
		echo_and_check("main", sizes[i], "u8");
	/* Every kind of binary argument Tauri sends raw, on both paths; a
	 * view sends its own bytes, not its buffer's. */
	static const char *const kinds[] = {"ab", "view", "dv", "arr"};
	for (size_t i = 0; i < G_N_ELEMENTS(kinds); i++) {
		echo_and_check("main", 300, kinds[i]);
		echo_and_check("main", 40001, kinds[i]);
	}
	/* Answers made by the core. */
	static const size_t src[] = {0, 1, 65537, 8388609};
	for (size_t i = 0; i < G_N_ELEMENTS(src); i++) {
		char arg[64];
		snprintf(arg, sizeof(arg), "{\"n\": %zu}", src[i]);
		char *r = scenario("main", "bytes_src", arg);
		EXPECT(exact(r, src[i]), "src of %zu bytes: %s", src[i], r);
		g_free(r);
	}
	/* The limit itself passes; one byte more is refused, the limit
	 * named, and the handler never runs. */
	echo_and_check("main", (size_t)64 << 20, "u8");
	int before = __atomic_load_n(&data_calls, __ATOMIC_RELAXED);
	char *r = scenario("main", "bytes_echo", "{\"n\": 67108865}");
	EXPECT(strstr(r, "limits.binary_size (67108864 bytes)") && strstr(r, "channel"), "over the limit: %s", r);
	g_free(r);
	EXPECT(__atomic_load_n(&data_calls, __ATOMIC_RELAXED) == before, "a handler ran for the refused body");

	/* A channel: JSON and bytes, in the order sent. */
	r = scenario("main", "bytes_channel", "{\"n\": 70001}");
	EXPECT(strcmp(r, "{\"result\":\"sent\",\"messages\":[\"a\",{\"type\":\"ArrayBuffer\",\"len\":70001,\"equal\":true},"
			 "2,{\"type\":\"ArrayBuffer\",\"len\":0,\"equal\":true},{\"end\":1}]}") == 0,
	       "channel: %s", r);
	g_free(r);

	/* The policy: window "other" may not call echo_bytes, by either path. */
	before = __atomic_load_n(&data_calls, __ATOMIC_RELAXED);
	r = scenario("other", "bytes_echo", "{\"n\": 10}");
	EXPECT(strstr(r, "error") && strstr(r, "allow-echo-bytes"), "other, small: %s", r);
	g_free(r);
	r = scenario("other", "bytes_echo", "{\"n\": 40000}");
	EXPECT(strstr(r, "error") && strstr(r, "allow-echo-bytes"), "other, data path: %s", r);
	g_free(r);
	EXPECT(__atomic_load_n(&data_calls, __ATOMIC_RELAXED) == before, "a handler ran for a denied window");

	/* The data path is the transport's: a fetch from the page, or from
	 * the transport's world without the document's key, is refused
	 * before anything is read, and never reaches a handler. */
	r = eval_in("main", "try { const res = await fetch('capgate-ipc://localhost/call', {method: 'POST',"
			    " body: new Uint8Array(8), headers: {'Capgate-Call': encodeURIComponent('{\"cmd\":\"echo_bytes\"}'),"
			    " 'Capgate-Length': '8', 'Capgate-Key': 'guess'}}); return 'status ' + res.status }"
			    " catch (e) { return 'blocked' }");
	EXPECT(strcmp(r, "\"blocked\"") == 0 || strcmp(r, "\"status 403\"") == 0, "page fetch: %s", r);
	g_free(r);
	static const char *const forged[] = {
		"{'Capgate-Call': encodeURIComponent('{\"cmd\":\"echo_bytes\"}'), 'Capgate-Length': '8'}",
		"{'Capgate-Call': encodeURIComponent('{\"cmd\":\"echo_bytes\"}'), 'Capgate-Length': '8', 'Capgate-Key': 'guess'}",
	};
	for (size_t i = 0; i < G_N_ELEMENTS(forged); i++) {
		char *js = g_strdup_printf("const res = await fetch('capgate-ipc://localhost/call', {method: 'POST',"
					   " body: new Uint8Array(8), headers: %s}); return res.status + ' ' + await res.text()",
					   forged[i]);
		r = eval_transport("main", js);
		g_free(js);
		/* 403 without CORS headers: the fetch fails. */
		EXPECT(strcmp(r, "\"403 capgate: refused\"") == 0 || strstr(r, "TypeError"), "transport-world fetch %zu: %s",
		       i, r);
		g_free(r);
	}
	EXPECT(__atomic_load_n(&data_calls, __ATOMIC_RELAXED) == before, "a forged data-path call ran");

	/* After all that, the page still works. */
	echo_and_check("main", 33000, "u8");
	cg_app_quit(app);
}

START_TEST(bytes_round_trip)
{
	make_app("main,other");
	run_app(sc_data);
}
END_TEST

/* ------------------------------------------------------------ isolation */

static void sc_isolated(cg_app *a, void *u)
{
	if (!page_ready("main")) {
		EXPECT(0, "page not ready");
		cg_app_quit(app);
		return;
	}
	/* Sealed beside their bodies (above 32 KiB) or inside their message
	 * (below): both paths, byte for byte. */
	static const size_t sizes[] = {0, 1, 300, 32768, 65537, 1048579, 8388609};
	for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++)
		echo_and_check("main", sizes[i], "u8");
	echo_and_check("main", 40001, "view");
	echo_and_check("main", 301, "arr");
	/* The hook gets the bytes, as in Tauri: it rewrites 5 bytes to
	 * [1, 2, 3, 4] (what the core echoes), and refuses 6. */
	char *r = eval_in("main", "const b = await window.capgateTest('invoke_bytes', {cmd: 'echo_bytes', bytes: [9, 9, 9, 9, 9]});"
				  "return b instanceof ArrayBuffer ? Array.from(new Uint8Array(b)).join(',') : JSON.stringify(b)");
	EXPECT(strcmp(r, "\"1,2,3,4\"") == 0, "rewritten by the hook: %s", r);
	g_free(r);
	r = scenario("main", "bytes_echo", "{\"n\": 6}");
	EXPECT(strstr(r, "error") && strstr(r, "refused by the isolation hook"), "refused by the hook: %s", r);
	g_free(r);
	/* JSON and binary calls made together, over both paths at once:
	 * each answered, none refused as out of order. */
	r = eval_in("main", "const t = window.capgateTest, all = [];"
			    "for (let i = 0; i < 12; i++) {"
			    "  all.push(t('bytes_echo', {n: i % 2 ? 40000 + i : 100 + i}));"
			    "  all.push(t('invoke', {cmd: 'count', args: {}}));"
			    "}"
			    "const got = await Promise.all(all);"
			    "return got.every((g, i) => i % 2 ? typeof g === 'number' : g.equal === true) ? 'ok' : JSON.stringify(got)");
	EXPECT(strcmp(r, "\"ok\"") == 0, "mixed under isolation: %s", r);
	g_free(r);
	/* A channel of bytes needs no seal (it comes from the core). */
	r = scenario("main", "bytes_channel", "{\"n\": 5}");
	EXPECT(strstr(r, "{\"type\":\"ArrayBuffer\",\"len\":5,\"equal\":true}") != NULL, "channel: %s", r);
	g_free(r);
	cg_app_quit(app);
}

START_TEST(bytes_under_isolation)
{
	static char sec[1024];
	snprintf(sec, sizeof(sec), ", \"pattern\": {\"use\": \"isolation\", \"options\": {\"dir\": \"%s\"}}",
		 SRCDIR "/tests/integration/isolation");
	extra_security = sec;
	make_app("main");
	run_app(sc_isolated);
	extra_security = "";
}
END_TEST

/* ---------------------------------------------------------------- limit */

/* A hostile page skips the bridge (and its own check of the limit) and
 * hands the transport a binary call itself: the core refuses a body over
 * limits.binary_size from its declared length, before reading it, with
 * the limit named; the handler never runs. */
static char *forged_request(size_t n)
{
	char *js = g_strdup_printf(
		"const id = 990000 + %zu;"
		"return await new Promise((resolve) => {"
		"  document.addEventListener('capgate:reply', (e) => {"
		"    const d = e.detail;"
		"    if (typeof d === 'string' && d.startsWith(id + '\\n')) resolve(d.slice(String(id).length + 1));"
		"    else if (d && typeof d === 'object' && d.id === id) resolve('bytes:' + d.bytes.byteLength);"
		"  });"
		"  document.dispatchEvent(new CustomEvent('capgate:request', {cancelable: true, detail:"
		"    {k: 'b', id, meta: '{\"cmd\":\"echo_bytes\",\"options\":{\"headers\":{}}}', body: new Uint8Array(%zu).buffer}}));"
		"  setTimeout(() => resolve('timeout'), 20000);"
		"});", n, n);
	char *r = eval_in("main", js);
	g_free(js);
	return r;
}

static void sc_limit(cg_app *a, void *u)
{
	if (!page_ready("main")) {
		EXPECT(0, "page not ready");
		cg_app_quit(app);
		return;
	}
	int before = __atomic_load_n(&data_calls, __ATOMIC_RELAXED);
	char *r = forged_request(200000);
	EXPECT(strstr(r, "a binary call of 200000 bytes is larger than limits.binary_size (100000 bytes)") &&
	       strstr(r, "channel") && r[1] == '0', "over the limit: %s", r);
	g_free(r);
	EXPECT(__atomic_load_n(&data_calls, __ATOMIC_RELAXED) == before, "the handler ran for a body over the limit");
	r = forged_request(100000);
	EXPECT(strcmp(r, "\"bytes:100000\"") == 0, "at the limit: %s", r);
	g_free(r);
	/* Through @tauri-apps/api, the bridge refuses first, naming the same
	 * limit (it has it from the core). */
	r = scenario("main", "bytes_echo", "{\"n\": 100001}");
	EXPECT(strstr(r, "limits.binary_size (100000 bytes)") != NULL, "bridge: %s", r);
	g_free(r);
	echo_and_check("main", 100000, "u8");
	cg_app_quit(app);
}

/* limits.binary_in_flight: the bytes of binary calls one window holds at
 * once, checked before a body is read. Two calls of 100000 bytes are held
 * in their handler; a third would put 300000 in flight, more than 250000:
 * refused with the limit named, its handler never run. Once the two are
 * answered the budget is free again. */
static void sc_in_flight(cg_app *a, void *u)
{
	if (!page_ready("main")) {
		EXPECT(0, "page not ready");
		cg_app_quit(app);
		return;
	}
	int before = __atomic_load_n(&data_calls, __ATOMIC_RELAXED);
	g_mutex_lock(&echo_lock);
	echo_hold = TRUE;
	g_mutex_unlock(&echo_lock);
	char *r = eval_in("main", "const inv = window.__TAURI_INTERNALS__.invoke;"
				  "window.__held = [1, 2].map((i) => { const b = new Uint8Array(100000); b[0] = i;"
				  "  return inv('echo_bytes', b).then((x) => 'ok ' + x.byteLength + ' ' + new Uint8Array(x)[0],"
				  "    (e) => 'err ' + e) });"
				  "return true;");
	g_free(r);
	gint64 end = g_get_monotonic_time() + 20 * G_USEC_PER_SEC;
	while (__atomic_load_n(&data_calls, __ATOMIC_RELAXED) < before + 2 && g_get_monotonic_time() < end)
		pause_loop();
	EXPECT(__atomic_load_n(&data_calls, __ATOMIC_RELAXED) == before + 2, "the two held calls did not start");
	r = eval_in("main", "return await window.__TAURI_INTERNALS__.invoke('echo_bytes', new Uint8Array(100000))"
			    "  .then((x) => 'ok ' + x.byteLength, (e) => 'err ' + e);");
	EXPECT(strstr(r, "err ") && strstr(r, "300000 bytes in flight") &&
	       strstr(r, "limits.binary_in_flight (250000 bytes)"), "a third call over the budget: %s", r);
	g_free(r);
	EXPECT(__atomic_load_n(&data_calls, __ATOMIC_RELAXED) == before + 2, "the handler ran for a call over the budget");
	echo_release();
	r = eval_in("main", "return (await Promise.all(window.__held)).join(',');");
	EXPECT(strcmp(r, "\"ok 100000 1,ok 100000 2\"") == 0, "the held calls: %s", r);
	g_free(r);
	/* Answered, their bodies freed: the budget is whole again. */
	r = eval_in("main", "const inv = window.__TAURI_INTERNALS__.invoke;"
			    "return (await Promise.all([1, 2].map(() => inv('echo_bytes', new Uint8Array(100000))"
			    "  .then((x) => 'ok ' + x.byteLength, (e) => 'err ' + e)))).join(',');");
	EXPECT(strcmp(r, "\"ok 100000,ok 100000\"") == 0, "after the answers: %s", r);
	g_free(r);
	cg_app_quit(app);
}

START_TEST(in_flight_budget)
{
	extra_security = ", \"limits\": {\"binary_size\": 100000, \"binary_in_flight\": 250000}";
	make_app("main");
	run_app(sc_in_flight);
	extra_security = "";
}
END_TEST

START_TEST(limit_before_reading)
{
	extra_security = ", \"limits\": {\"binary_size\": 100000}";
	make_app("main");
	run_app(sc_limit);
	extra_security = "";
}
END_TEST

/* ------------------------------------------------------------ resources */

/* Runs the main loop until res_frees reaches n (30 s at most). */
static int frees_reach(int n)
{
	gint64 end = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;
	while (__atomic_load_n(&res_frees, __ATOMIC_RELAXED) < n && g_get_monotonic_time() < end)
		g_main_context_iteration(NULL, TRUE);
	return __atomic_load_n(&res_frees, __ATOMIC_RELAXED) == n;
}

static void open_res(const char *label, int n)
{
	char arg[32];
	snprintf(arg, sizeof(arg), "{\"n\": %d}", n);
	char *r = scenario(label, "res_open", arg);
	EXPECT(r[0] == '[' && !strstr(r, "error"), "%s: open %d: %s", label, n, r);
	g_free(r);
}

static void sc_resources(cg_app *a, void *u)
{
	if (!page_ready("main") || !page_ready("spare")) {
		EXPECT(0, "pages not ready");
		cg_app_quit(app);
		return;
	}
	res_frees = 0;
	cg_webview *wv = cg_app_webview(app, "main");
	char *r = scenario("main", "res_open", "{\"n\": 3}");
	json_object *rids = json_tokener_parse(r);
	EXPECT(json_object_is_type(rids, json_type_array) && json_object_array_length(rids) == 3, "open: %s", r);
	g_free(r);
	EXPECT(cg_webview_resource_count(wv) == 3, "count after open: %zu", cg_webview_resource_count(wv));
	/* Resource.close(): that one, at once. */
	char arg[64];
	int64_t rid = rids ? json_object_get_int64(json_object_array_get_idx(rids, 1)) : 0;
	snprintf(arg, sizeof(arg), "{\"rid\": %" G_GINT64_FORMAT "}", rid);
	r = scenario("main", "res_close", arg);
	EXPECT(strcmp(r, "\"closed\"") == 0, "close: %s", r);
	g_free(r);
	EXPECT(res_frees == 1 && cg_webview_resource_count(wv) == 2, "after close: %d freed, %zu left", res_frees,
	       cg_webview_resource_count(wv));
	r = scenario("main", "res_close", arg);
	EXPECT(strstr(r, "error") && strstr(r, "invalid"), "closed twice: %s", r);
	g_free(r);
	/* Another window cannot close them: its table is its own (and here
	 * it has no permission either). */
	rid = rids ? json_object_get_int64(json_object_array_get_idx(rids, 0)) : 0;
	snprintf(arg, sizeof(arg), "{\"rid\": %" G_GINT64_FORMAT "}", rid);
	r = scenario("spare", "res_close", arg);
	EXPECT(strstr(r, "error") != NULL, "spare closed main's: %s", r);
	g_free(r);
	EXPECT(res_frees == 1, "spare's close freed one of main's");
	json_object_put(rids);
	/* (The test hook finds a window's web process only when it is alone.) */
	EXPECT(cg_app_close_window(app, "spare") == 0, "close spare");
	/* A reload: the two left go with the old document. */
	r = eval_in("main", "setTimeout(() => location.reload(), 0); return true");
	g_free(r);
	EXPECT(frees_reach(3), "after a reload: %d freed", res_frees);
	EXPECT(page_ready("main"), "not reloaded");
	/* A killed web process. */
	open_res("main", 2);
	int pid = 0;
	for (int i = 0; i < 600 && (pid = cg_app_web_process_pid(app, "main")) <= 0; i++)
		pause_loop();
	EXPECT(pid > 0, "no web process");
	if (pid > 0)
		kill(pid, SIGKILL);
	EXPECT(frees_reach(5), "after a killed web process: %d freed", res_frees);
	EXPECT(page_ready("main"), "not back after the crash");
	/* A closed window. */
	open_res("main", 4);
	EXPECT(cg_app_close_window(app, "main") == 0, "close main");
	EXPECT(frees_reach(9), "after the window closed: %d freed", res_frees);
	cg_app_quit(app);
}

START_TEST(resources_freed)
{
	make_app("main,spare");
	run_app(sc_resources);
}
END_TEST

int main(void)
{
	int pre = rt_preflight();
	if (pre)
		return pre;
	Suite *s = suite_create("runtime-data");
	TCase *tc = tcase_create("data");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, bytes_round_trip);
	tcase_add_test(tc, bytes_under_isolation);
	tcase_add_test(tc, resources_freed);
	tcase_add_test(tc, limit_before_reading);
	tcase_add_test(tc, in_flight_budget);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
