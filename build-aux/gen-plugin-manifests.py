#!/usr/bin/env python3
"""Generate the manifests of capgate's built-in plugins from Tauri's own.

Tauri's build reads a plugin's permission files (plugins-workspace,
plugins/NAME/permissions/**.toml) into one manifest, and every app's
src-tauri/gen/schemas/acl-manifests.json holds the result for the release of
the plugin the app was built with. This script takes a plugin's manifest from
such a file and writes plugins/NAME/permissions.json, in the JSON shape of a
permission file (`default`, `set`, `permission`), which build-aux/embed-text.sh
embeds in the plugin, so an app that ships no manifest for the plugin gets
the official identifiers, sets and default.

Why not the TOML: the stored plugins-workspace snapshot (77149dc4, October
2024) predates the fs release of every app in ../shared/corpus: its
allow-write-file allows write_file only (later: write_file, open, write) and
it lacks the size and security-scoped resource commands. The newest fs
manifest in the corpus (140 permissions, five apps alike) is the source:

    SOURCES[NAME] = path of the acl-manifests.json, relative to ../shared

Tauri's own parse quirks are kept as its generated file has them: so
fs:deny-webview-data-linux has no scope (its `[[scope.deny]]` sits at the
top level of its TOML, where Tauri ignores it).

    python3 build-aux/gen-plugin-manifests.py [--shared DIR] [NAME...]
    python3 build-aux/gen-plugin-manifests.py --check [--shared DIR] [NAME...]

Standard library only; deterministic output.
"""

import argparse
import json
import os
import sys

SOURCES = {
    "fs": "corpus/tauri-projects/Alakazam-211__K2SO/acl-manifests.json",
    # the only os manifest in the corpus with all 16 permissions
    "os": "corpus/tauri-projects/sternelee__sendme-app/acl-manifests.json",
    "store": "corpus/tauri-projects/Beaver-Notes__Beaver-Notes/acl-manifests.json",
}
# Commands an older release of a plugin had and its JS still sends, kept in the
# embedded manifest so that apps built with that release work unchanged: the
# store plugin's create_store (plugin-store 2.0.x: its store:default granted
# allow-create-store; 2.1 replaced it with load).
LEGACY = {
    "store": [("create-store", "create_store",
               "plugin-store 2.0.x's create_store (2.1 and later send load)")],
}
DEFAULT_SHARED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared")


def manifest(shared, name):
    path = os.path.join(shared, SOURCES[name])
    try:
        with open(path, encoding="utf-8") as fh:
            m = json.load(fh)[name]
    except (OSError, ValueError, KeyError) as e:
        sys.exit(f"{path}: cannot read the {name} manifest: {e}")
    out = {}
    d = m.get("default_permission")
    if d:
        out["default"] = {"description": d.get("description", ""),
                          "permissions": list(d["permissions"])}
    out["set"] = [{"identifier": k, "description": v.get("description", ""),
                   "permissions": list(v["permissions"])}
                  for k, v in sorted(m.get("permission_sets", {}).items())]
    perms = []
    for k, p in sorted(m.get("permissions", {}).items()):
        q = {"identifier": k, "description": p.get("description", ""),
             "commands": {"allow": list(p.get("commands", {}).get("allow", [])),
                          "deny": list(p.get("commands", {}).get("deny", []))}}
        scope = {x: p["scope"][x] for x in ("allow", "deny") if p.get("scope", {}).get(x)}
        if scope:
            q["scope"] = scope
        if p.get("platforms"):
            q["platforms"] = p["platforms"]
        perms.append(q)
    for ident, cmd, why in LEGACY.get(name, []):
        for kind in ("allow", "deny"):
            verb = "Enables" if kind == "allow" else "Denies"
            perms.append({"identifier": f"{kind}-{ident}",
                          "description": f"{verb} the {cmd} command without any pre-configured scope "
                                         f"(capgate: {why}).",
                          "commands": {"allow": [cmd] if kind == "allow" else [],
                                       "deny": [cmd] if kind == "deny" else []}})
        if "default" in out:
            out["default"]["permissions"].append(f"allow-{ident}")
    perms.sort(key=lambda q: q["identifier"])
    out["permission"] = perms
    return json.dumps(out, indent=2, ensure_ascii=False) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--check", action="store_true",
                    help="exit 1 if a generated file differs from what is written")
    ap.add_argument("--shared", default=DEFAULT_SHARED, help="the shared data (../shared)")
    ap.add_argument("--output-dir", default=os.path.join(os.path.dirname(__file__), ".."),
                    help="the source tree (plugins/NAME/permissions.json is written there)")
    ap.add_argument("plugins", nargs="*", default=sorted(SOURCES))
    a = ap.parse_args(argv)
    stale = 0
    for name in a.plugins:
        text = manifest(a.shared, name)
        path = os.path.join(a.output_dir, "plugins", name, "permissions.json")
        old = open(path, encoding="utf-8").read() if os.path.exists(path) else None
        if a.check:
            if old != text:
                print(f"{path}: stale; run build-aux/gen-plugin-manifests.py", file=sys.stderr)
                stale = 1
        elif old != text:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)
            print(f"wrote {path}")
    return stale


if __name__ == "__main__":
    sys.exit(main())
