#!/bin/sh
# Checks that each layer of the engine includes only its own headers and
# those of the layers below it, that each plugin includes only the public
# headers and those of its own folder and of the plugins it builds on, and
# that the runtime, the plugins, the CLI, the examples and the benchmarks
# use none of the engine's internal headers.
#
#   sh build-aux/check-layers.sh SRCDIR
#
# Prints one "file:line: ..." per violation and exits 1 if there is any.
# The table below is the one in docs/ARCHITECTURE.md ("Layers").
set -eu

if [ $# -ne 1 ]; then
	echo "usage: $0 SRCDIR" >&2
	exit 2
fi
cd "$1"

# layer: the layers its files may include (itself first).
allowed() {
	case "$1" in
	base) echo "base" ;;
	policy) echo "policy base" ;;
	seccomp) echo "seccomp policy base" ;;
	router) echo "router policy base" ;;
	lint) echo "lint app seccomp policy base" ;;
	app) echo "app seccomp policy base" ;;
	*) echo "" ;;
	esac
}

out=$(mktemp)
trap 'rm -f "$out"' EXIT
status=0
for dir in engine/*/; do
	layer=$(basename "$dir")
	ok=$(allowed "$layer")
	if [ -z "$ok" ]; then
		echo "$dir: a folder that is not a layer; add it to build-aux/check-layers.sh and docs/ARCHITECTURE.md" >&2
		status=1
		continue
	fi
	for f in "$dir"*.c "$dir"*.h; do
		[ -f "$f" ] || continue
		case "$(basename "$f")" in builtin_core.c) continue ;; esac
		# Quoted includes only: <...> are system and public headers.
		grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" |
		while IFS= read -r line; do
			n=${line%%:*}
			inc=$(printf '%s\n' "$line" | sed 's/^[^"]*"\([^"]*\)".*/\1/')
			case "$inc" in
			capgate.h | capgate-runtime.h) continue ;;
			*/*) ;;
			*)
				echo "$f:$n: \"$inc\": name the layer (\"<layer>/$inc\") so the dependency shows"
				continue ;;
			esac
			target=${inc%%/*}
			case " $ok " in
			*" $target "*) ;;
			*) echo "$f:$n: layer \"$layer\" includes \"$inc\" from layer \"$target\"; it may include only: $ok" ;;
			esac
		done
	done
done > "$out"

# Plugins: the public headers, their own folder's headers and those of the
# plugins they build on, each named by its folder ("fs/scope.h"). The
# table is the one in docs/ARCHITECTURE.md ("Layers").
plugin_allowed() {
	case "$1" in
	fs) echo "fs path" ;;
	store) echo "store path" ;;
	# the list of all built-in plugins: it may include every one
	builtin) for d in plugins/*/; do printf '%s ' "$(basename "$d")"; done; echo ;;
	*) echo "$1" ;;
	esac
}
for dir in plugins/*/; do
	[ -d "$dir" ] || continue
	plugin=$(basename "$dir")
	ok=$(plugin_allowed "$plugin")
	for f in "$dir"*.c "$dir"*.h; do
		[ -f "$f" ] || continue
		grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" |
		while IFS= read -r line; do
			n=${line%%:*}
			inc=$(printf '%s\n' "$line" | sed 's/^[^"]*"\([^"]*\)".*/\1/')
			case "$inc" in
			capgate.h | capgate-runtime.h) continue ;;
			*/*) ;;
			*)
				echo "$f:$n: \"$inc\": name the plugin (\"$plugin/$inc\") so the dependency shows"
				continue ;;
			esac
			target=${inc%%/*}
			case " $ok " in
			*" $target "*) ;;
			*) echo "$f:$n: plugin \"$plugin\" includes \"$inc\"; it may include capgate.h, capgate-runtime.h and the headers of: $ok" ;;
			esac
		done
	done
done >> "$out"

# Above the engine: public headers only. (Tests may reach internals.)
for f in runtime/*.c runtime/*.h tools/*.c tools/*.h examples/*/*.c bench/*.c plugins/*/*.c plugins/*/*.h; do
	[ -f "$f" ] || continue
	grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" |
	while IFS= read -r line; do
		n=${line%%:*}
		inc=$(printf '%s\n' "$line" | sed 's/^[^"]*"\([^"]*\)".*/\1/')
		case "$inc" in
		base/* | policy/* | seccomp/* | router/* | lint/* | app/* | ../engine/*)
			echo "$f:$n: \"$inc\" is internal to the engine; use the public API (include/capgate.h)" ;;
		esac
	done
done >> "$out"

if [ -s "$out" ]; then
	cat "$out"
	status=1
fi
exit $status
