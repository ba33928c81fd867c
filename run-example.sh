#!/bin/sh
# Quick start: installs what is needed, builds, and runs the example app,
# examples/editor (a notes editor in three WebKitGTK windows whose rights
# come from examples/editor/capabilities), through its scripted tour; then
# asks the CLI what the windows of examples/policy may do.
set -eu
cd "$(dirname "$0")"
scripts/build.sh >/dev/null   # configure once, make (the example app and its frontend too)

echo "== the example app: a host app in C (examples/editor/editor.c), its pages using @tauri-apps/api"
log=editor-tour.log           # the runtime's and WebKit's messages
# tour ARGS...: the editor's tour, under Xvfb when there is no display.
tour() {
	echo "\$ examples/editor/editor $*"
	rc=0
	if [ -z "${DISPLAY:-}" ]; then
		xvfb-run -a -s "-screen 0 1280x1024x24" examples/editor/editor "$@" 2>"$log" || rc=$?
	else
		examples/editor/editor "$@" 2>"$log" || rc=$?
	fi
	if [ "$rc" -ne 0 ]; then
		echo "run-example: the tour failed (exit $rc); the app's messages ($log):" >&2
		cat "$log" >&2
		exit "$rc"
	fi
}
tour --tour editor-tour.png
echo "screenshot of the main window: $PWD/editor-tour.png"
echo "(without --tour it is an ordinary app: examples/editor/editor)"
echo

echo "== the same app under the isolation pattern: every call passes examples/editor/isolation's hook first"
tour --isolation --tour editor-tour-isolation.png
echo

ex=examples/policy
echo "== the policy engine from the command line: examples/policy (more queries: $ex/queries.json)"
run() { echo "\$ capgate $*"; ./tools/capgate "$@"; echo; }
run check --capabilities $ex/capabilities --plugins $ex/plugins --window main "plugin:fs|write_text_file"
run explain --capabilities $ex/capabilities --plugins $ex/plugins --window preview "plugin:fs|write_text_file"
