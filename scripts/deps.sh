#!/bin/sh
# Makes sure the packages capgate needs are installed (Debian 12).
# As root it installs what is missing with apt-get; otherwise it prints the
# exact apt-get line to run and exits 1.
#   scripts/deps.sh            build + test dependencies
set -eu

PKGS="autoconf automake libtool pkg-config make gcc libc6-dev libjson-c-dev libglib2.0-dev nettle-dev libseccomp-dev check valgrind
	libwebkit2gtk-4.1-dev libgtk-3-dev xvfb xauth openbox python3-jsonschema clang libclang-rt-14-dev abigail-tools"

missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done

# The frontends are bundled with node and npm: any install will do.
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || missing="$missing nodejs npm"

[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ]; then
	echo "capgate: installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing
else
	echo "capgate: these packages are missing:$missing" >&2
	echo "capgate: install them with:" >&2
	echo "  sudo apt-get install -y$missing" >&2
	exit 1
fi
