#!/usr/bin/env python3
"""Generate capgate's built-in manifests for Tauri's core permissions.

Tauri v2 does not commit permission files for its core modules (`core:path`,
`core:window`, ...).  Its build script writes them into Cargo's OUT_DIR from a
command table.  This script holds a copy of that table and writes the same
permissions, as JSON, into capabilities/core/:

  <module>.json   the manifest Tauri calls "core:<module>": an allow-<cmd> and a
                  deny-<cmd> permission for every command, plus the module's
                  `default` set
  core.json       the manifest Tauri calls "core": only the `core:default` set

build-aux/embed-json.sh turns those files into a C table inside libcapgate.

Source
------
Repository  tauri-apps/tauri
File        crates/tauri/build.rs
              const PLUGINS                    -> PLUGINS below
              fn define_permissions()          -> module `default` sets
              fn define_default_permission_set -> core.json (`core:default`)
Commit      df81230e23090630444a3110ba8a4f998e665680
            (the newest version of build.rs found in the stored index; its
            table is a superset of every other stored version that was read:
            afbcd4ec, 02cd31f2, 06c8d240, 2a2d9a93 (2.4.1), 977a6c60,
            a410a173, 1288b42c, 9d27aac5, 5dde1c5b, ba45eefa)
Template    crates/tauri-utils/src/acl/build.rs,
            autogenerate_command_permissions() (read at 039780ae)

Relative to 02cd31f2 this table adds: core:window activity_name (default),
scene_identifier (default), set_simple_fullscreen, set_focusable; core:app
bundle_type, register_listener, remove_listener, supports_multiple_windows,
fold_state (all default); core:tray set_icon_with_as_template (default).

To update: copy the new PLUGINS table from build.rs into PLUGINS below (same
order, same flags), change the commit above, and run

    python3 build-aux/gen-core-manifests.py          # rewrite capabilities/core/
    python3 build-aux/gen-core-manifests.py --check  # exit 1 if files are stale

Standard library only; the output is byte-for-byte deterministic.
"""

import argparse
import json
import os
import re
import sys

TAURI_REPO = "tauri-apps/tauri"
TAURI_COMMIT = "df81230e23090630444a3110ba8a4f998e665680"

# (plugin_name, [(command, enabled_by_default)]), in build.rs order.
# The order matters: it is the order of the generated permissions, of each
# module's default set, and of the members of core:default.
PLUGINS = [
    # build.rs: "TODO: Enable this in v3" -- ("core:channel", [("fetch", True)])
    (
        "core:path",
        [
            ("resolve_directory", True),
            ("resolve", True),
            ("normalize", True),
            ("join", True),
            ("dirname", True),
            ("extname", True),
            ("basename", True),
            ("is_absolute", True),
        ],
    ),
    (
        "core:event",
        [
            ("listen", True),
            ("unlisten", True),
            ("emit", True),
            ("emit_to", True),
        ],
    ),
    (
        "core:window",
        [
            ("create", False),
            # getters
            ("get_all_windows", True),
            ("scale_factor", True),
            ("inner_position", True),
            ("outer_position", True),
            ("inner_size", True),
            ("outer_size", True),
            ("is_fullscreen", True),
            ("is_minimized", True),
            ("is_maximized", True),
            ("is_focused", True),
            ("is_decorated", True),
            ("is_resizable", True),
            ("is_maximizable", True),
            ("is_minimizable", True),
            ("is_closable", True),
            ("is_visible", True),
            ("is_enabled", True),
            ("title", True),
            ("current_monitor", True),
            ("primary_monitor", True),
            ("monitor_from_point", True),
            ("available_monitors", True),
            ("cursor_position", True),
            ("theme", True),
            ("is_always_on_top", True),
            ("activity_name", True),
            ("scene_identifier", True),
            # setters
            ("center", False),
            ("request_user_attention", False),
            ("set_enabled", False),
            ("set_resizable", False),
            ("set_maximizable", False),
            ("set_minimizable", False),
            ("set_closable", False),
            ("set_title", False),
            ("maximize", False),
            ("unmaximize", False),
            ("minimize", False),
            ("unminimize", False),
            ("show", False),
            ("hide", False),
            ("close", False),
            ("destroy", False),
            ("set_decorations", False),
            ("set_shadow", False),
            ("set_effects", False),
            ("set_always_on_top", False),
            ("set_always_on_bottom", False),
            ("set_visible_on_all_workspaces", False),
            ("set_content_protected", False),
            ("set_size", False),
            ("set_min_size", False),
            ("set_size_constraints", False),
            ("set_max_size", False),
            ("set_position", False),
            ("set_fullscreen", False),
            ("set_simple_fullscreen", False),
            ("set_focus", False),
            ("set_focusable", False),
            ("set_skip_taskbar", False),
            ("set_cursor_grab", False),
            ("set_cursor_visible", False),
            ("set_cursor_icon", False),
            ("set_cursor_position", False),
            ("set_ignore_cursor_events", False),
            ("start_dragging", False),
            ("start_resize_dragging", False),
            ("set_progress_bar", False),
            ("set_badge_count", False),
            ("set_overlay_icon", False),
            ("set_badge_label", False),
            ("set_icon", False),
            ("set_title_bar_style", False),
            ("set_theme", False),
            ("toggle_maximize", False),
            ("set_background_color", False),
            # internal
            ("internal_toggle_maximize", True),
        ],
    ),
    (
        "core:webview",
        [
            ("create_webview", False),
            ("create_webview_window", False),
            # getters
            ("get_all_webviews", True),
            ("webview_position", True),
            ("webview_size", True),
            # setters
            ("webview_close", False),
            ("set_webview_size", False),
            ("set_webview_position", False),
            ("set_webview_focus", False),
            ("set_webview_auto_resize", False),
            ("set_webview_zoom", False),
            ("webview_hide", False),
            ("webview_show", False),
            ("print", False),
            ("reparent", False),
            ("clear_all_browsing_data", False),
            ("set_webview_background_color", False),
            # internal
            ("internal_toggle_devtools", True),
        ],
    ),
    (
        "core:app",
        [
            ("version", True),
            ("name", True),
            ("tauri_version", True),
            ("identifier", True),
            ("app_show", False),
            ("app_hide", False),
            ("fetch_data_store_identifiers", False),
            ("remove_data_store", False),
            ("default_window_icon", False),
            ("set_app_theme", False),
            ("set_dock_visibility", False),
            ("bundle_type", True),
            ("register_listener", True),
            ("remove_listener", True),
            ("supports_multiple_windows", True),
            ("fold_state", True),
        ],
    ),
    (
        "core:image",
        [
            ("new", True),
            ("from_bytes", True),
            ("from_path", True),
            ("rgba", True),
            ("size", True),
        ],
    ),
    ("core:resources", [("close", True)]),
    (
        "core:menu",
        [
            ("new", True),
            ("append", True),
            ("prepend", True),
            ("insert", True),
            ("remove", True),
            ("remove_at", True),
            ("items", True),
            ("get", True),
            ("popup", True),
            ("create_default", True),
            ("set_as_app_menu", True),
            ("set_as_window_menu", True),
            ("text", True),
            ("set_text", True),
            ("is_enabled", True),
            ("set_enabled", True),
            ("set_accelerator", True),
            ("set_as_windows_menu_for_nsapp", True),
            ("set_as_help_menu_for_nsapp", True),
            ("is_checked", True),
            ("set_checked", True),
            ("set_icon", True),
        ],
    ),
    (
        "core:tray",
        [
            ("new", True),
            ("get_by_id", True),
            ("remove_by_id", True),
            ("set_icon", True),
            ("set_menu", True),
            ("set_tooltip", True),
            ("set_title", True),
            ("set_visible", True),
            ("set_temp_dir_path", True),
            ("set_icon_as_template", True),
            ("set_icon_with_as_template", True),
            ("set_show_menu_on_left_click", True),
        ],
    ),
]

# define_default_permission_set(): the description of `core:default`.
CORE_DEFAULT_DESCRIPTION = "Default core plugins set."

COMMAND_RE = re.compile(r"^[a-z][a-z0-9_]*$")


def slug(command):
    """Identifier form of a command: underscores become hyphens."""
    return command.replace("_", "-")


def command_permissions(command):
    """The two permissions autogenerate_command_permissions() writes."""
    s = slug(command)
    return [
        {
            "identifier": "allow-" + s,
            "description": "Enables the %s command without any pre-configured scope." % command,
            "commands": {"allow": [command], "deny": []},
        },
        {
            "identifier": "deny-" + s,
            "description": "Denies the %s command without any pre-configured scope." % command,
            "commands": {"allow": [], "deny": [command]},
        },
    ]


def module_manifest(commands):
    permissions = []
    for command, _ in commands:
        permissions.extend(command_permissions(command))
    defaults = [c for c, in_default in commands if in_default]
    # build.rs: "Default permissions for the plugin{all_enable_by_default}."
    suffix = ", which enables all commands" if len(defaults) == len(commands) else ""
    return {
        "permission": permissions,
        "default": {
            "description": "Default permissions for the plugin%s." % suffix,
            "permissions": ["allow-" + slug(c) for c in defaults],
        },
    }


def core_manifest():
    return {
        "default": {
            "description": CORE_DEFAULT_DESCRIPTION,
            "permissions": ["%s:default" % name for name, _ in PLUGINS],
        },
    }


def validate():
    seen = set()
    for name, commands in PLUGINS:
        if not name.startswith("core:") or name in seen:
            raise SystemExit("bad or duplicate module name: %r" % name)
        seen.add(name)
        cmds = set()
        for command, in_default in commands:
            if not COMMAND_RE.match(command) or command in cmds:
                raise SystemExit("%s: bad or duplicate command %r" % (name, command))
            if not isinstance(in_default, bool):
                raise SystemExit("%s: %s: flag is not a bool" % (name, command))
            cmds.add(command)


def render(obj):
    return (json.dumps(obj, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def outputs():
    """{file name: bytes} for every file this script owns."""
    files = {}
    for name, commands in PLUGINS:
        files[name[len("core:"):] + ".json"] = render(module_manifest(commands))
    files["core.json"] = render(core_manifest())
    return files


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return None


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    default_dir = os.path.join(os.path.dirname(here), "capabilities", "core")
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--check", action="store_true",
                    help="write nothing; exit 1 if any file differs from what would be written")
    ap.add_argument("--output-dir", default=default_dir,
                    help="where the manifests go (default: %(default)s)")
    args = ap.parse_args(argv)

    validate()
    files = outputs()
    outdir = args.output_dir
    existing = sorted(f for f in os.listdir(outdir) if f.endswith(".json")) \
        if os.path.isdir(outdir) else []
    stale = [f for f in existing if f not in files]

    if args.check:
        bad = 0
        for fname in sorted(files):
            current = read(os.path.join(outdir, fname))
            if current is None:
                print("missing: %s" % fname, file=sys.stderr)
                bad += 1
            elif current != files[fname]:
                print("out of date: %s" % fname, file=sys.stderr)
                bad += 1
        for fname in stale:
            print("not generated by this script: %s" % fname, file=sys.stderr)
            bad += 1
        if bad:
            print("run: python3 build-aux/gen-core-manifests.py", file=sys.stderr)
            return 1
        return 0

    os.makedirs(outdir, exist_ok=True)
    for fname in sorted(files):
        path = os.path.join(outdir, fname)
        if read(path) == files[fname]:
            continue  # leave the mtime alone, so make does not rebuild
        tmp = path + ".tmp"
        with open(tmp, "wb") as f:
            f.write(files[fname])
        os.replace(tmp, path)
        print("wrote %s" % os.path.relpath(path))
    for fname in stale:
        os.remove(os.path.join(outdir, fname))
        print("removed %s (no such module in the table)" % fname)
    return 0


if __name__ == "__main__":
    sys.exit(main())
