#!/bin/sh
# Quick start: installs what is needed, builds, and runs the example: the
# policy of examples/policy, asked what its windows may do. (The WebKitGTK
# example app itself arrives with the runtime; see README.)
set -eu
cd "$(dirname "$0")"
scripts/build.sh >/dev/null
ex=examples/policy
run() { echo "\$ capgate $*"; ./tools/capgate "$@"; echo; }
run check --capabilities $ex/capabilities --plugins $ex/plugins --queries $ex/queries.json
run explain --capabilities $ex/capabilities --plugins $ex/plugins --window main "plugin:fs|write_text_file"
run explain --capabilities $ex/capabilities --plugins $ex/plugins --window preview "plugin:fs|write_text_file"
run explain --capabilities $ex/capabilities --plugins $ex/plugins --window preview --event document-changed --op listen
