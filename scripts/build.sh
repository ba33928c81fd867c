#!/bin/sh
# Configures (once) and builds capgate in the source tree.
set -eu
cd "$(dirname "$0")/.."
scripts/deps.sh
if [ ! -x configure ]; then
	autoreconf -fi
fi
if [ ! -f Makefile ]; then
	./configure --quiet
fi
make -j"$(nproc 2>/dev/null || echo 2)"
