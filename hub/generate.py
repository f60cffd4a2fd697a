"""Meltano plugin definitions for tap-eloqua and target-eloqua, built from `--about --format=json`.

    python hub/generate.py           # rewrite hub/_data/... and the settings lists in meltano.yml
    python hub/generate.py --check   # exit 1 if those files or meltano.yml's settings are stale
    python hub/generate.py --print-settings tap-eloqua   # the settings block for meltano.yml

The settings come from the plugins themselves, so the Hub files, meltano.yml and the README's
settings table cannot drift apart; tests/test_pipeline_meltano.py runs the check.
The Hub files use the layout of the Meltano Hub repository (meltano/hub):
`_data/meltano/<extractors|loaders>/<name>/<variant>.yml`, keys and settings sorted by name,
secrets as kind `password`, and every capability the plugin reports in --about.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
HUB = ROOT / "hub"
VARIANT = "eloqua-singer"
REPO = "https://github.com/eloqua-singer/eloqua-singer"
PIP_URL = "eloqua-singer"

# Capabilities Meltano's schema knows (meltano.schema.json, Meltano 4.4).
EXTRACTOR_CAPABILITIES = ("properties", "catalog", "discover", "state", "about", "stream-maps",
                          "activate-version", "batch", "test", "log-based", "schema-flattening",
                          "structured-logging")
LOADER_CAPABILITIES = ("about", "stream-maps", "activate-version", "batch", "soft-delete",
                       "hard-delete", "datatype-failsafe", "schema-flattening",
                       "structured-logging")

PLUGINS: dict[str, dict[str, Any]] = {
    "tap-eloqua": {
        "plugin_type": "extractors",
        "namespace": "tap_eloqua",
        "label": "Oracle Eloqua",
        "description": "Marketing automation platform (Bulk API 2.0: contacts, accounts, "
                       "activities, custom objects)",
        "keywords": ["meltano_sdk", "api"],
        "settings_group_validation": [
            ["site_name", "username", "password", "start_date"],
            ["client_id", "client_secret", "refresh_token", "start_date"],
        ],
        "capabilities": EXTRACTOR_CAPABILITIES,
    },
    "target-eloqua": {
        "plugin_type": "loaders",
        "namespace": "target_eloqua",
        "label": "Oracle Eloqua",
        "description": "Load contacts, accounts and custom object records into Oracle Eloqua "
                       "through Bulk API 2.0 imports",
        "keywords": ["meltano_sdk", "api"],
        "settings_group_validation": [
            ["site_name", "username", "password"],
            ["client_id", "client_secret", "refresh_token"],
        ],
        "capabilities": LOADER_CAPABILITIES,
    },
}

ACRONYMS = {"url": "URL", "id": "ID", "uri": "URI", "oauth": "OAuth"}


def executable(name: str) -> str:
    """The console script installed next to this interpreter, else the one on PATH."""
    local = Path(sys.executable).parent / name
    if local.exists():
        return str(local)
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} is not installed: pip install -e . first")
    return found


def about(name: str) -> dict[str, Any]:
    """`<plugin> --about --format=json`, or an error naming the plugin."""
    proc = subprocess.run([executable(name), "--about", "--format=json"], capture_output=True,
                          text=True, check=False, timeout=120)
    if proc.returncode != 0:
        raise RuntimeError(f"{name} --about failed ({proc.returncode}): {proc.stderr.strip()}")
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def _types(prop: dict[str, Any]) -> list[str]:
    raw = prop.get("type", [])
    types = [raw] if isinstance(raw, str) else list(raw)
    if not types:
        for option in prop.get("anyOf", []) + prop.get("oneOf", []):
            if isinstance(option, dict):
                types += _types(option)
    return [t for t in types if t != "null"]


def kind_of(prop: dict[str, Any]) -> str:
    """Meltano setting kind for a JSON Schema property."""
    types = _types(prop)
    if prop.get("enum"):
        return "options"
    if prop.get("format") == "date-time":
        return "date_iso8601"
    # JSON "number" is declared `integer`: Meltano 4.4.1 turns a `decimal` setting read from an
    # environment variable into a Decimal and then fails to write the plugin's config
    # ("Object of type Decimal is not JSON serializable"). Fractions still work from meltano.yml.
    for json_type, kind in (("object", "object"), ("array", "array"), ("boolean", "boolean"),
                            ("integer", "integer"), ("number", "integer")):
        if json_type in types:
            return kind
    return "string"


def label_of(name: str, prop: dict[str, Any]) -> str:
    if prop.get("title"):
        return str(prop["title"])
    return " ".join(ACRONYMS.get(w, w.capitalize()) for w in name.split("_"))


def settings_from(about_json: dict[str, Any]) -> list[dict[str, Any]]:
    """One Meltano setting per top-level property, in the plugin's order."""
    out = []
    for name, prop in about_json["settings"]["properties"].items():
        setting: dict[str, Any] = {
            "name": name,
            "label": label_of(name, prop),
            "kind": kind_of(prop),
            "description": " ".join(str(prop.get("description") or label_of(name, prop)).split()),
        }
        if setting["kind"] == "options":
            setting["options"] = [{"label": str(v), "value": v} for v in prop["enum"]]
        if prop.get("secret"):
            setting["sensitive"] = True
        if prop.get("default") is not None:
            setting["value"] = prop["default"]
        out.append(setting)
    return out


def definition(name: str, about_json: dict[str, Any]) -> dict[str, Any]:
    """A Meltano Hub plugin definition (the format of meltano/hub `_data/meltano/...`)."""
    spec = PLUGINS[name]
    names = set(about_json["settings"]["properties"])
    groups = [g for g in spec["settings_group_validation"] if set(g) <= names]
    return {
        "name": name,
        "namespace": spec["namespace"],
        "variant": VARIANT,
        "label": spec["label"],
        "description": spec["description"],
        "logo_url": f"/assets/logos/{spec['plugin_type']}/eloqua.png",
        "domain_url": "https://www.oracle.com/cx/marketing/automation/",
        "repo": REPO,
        "pip_url": PIP_URL,
        "executable": name,
        "maintenance_status": "active",
        "quality": "silver",
        "keywords": spec["keywords"],
        "capabilities": sorted(about_json["capabilities"]),
        "settings_group_validation": groups,
        "settings": sorted((hub_setting(s) for s in settings_from(about_json)),
                           key=lambda s: str(s["name"])),
        "settings_preamble": "",
        "usage": "",
        "next_steps": "",
    }


def hub_setting(setting: dict[str, Any]) -> dict[str, Any]:
    """A setting as the Hub writes it: a secret is kind `password`; keys in name order."""
    if setting.get("sensitive") and setting["kind"] == "string":
        setting = {**setting, "kind": "password"}
    return dict(sorted(setting.items()))


def hub_path(name: str) -> Path:
    return HUB / "_data" / "meltano" / PLUGINS[name]["plugin_type"] / name / f"{VARIANT}.yml"


def render(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=True, width=100, allow_unicode=True)


def settings_block(name: str, about_json: dict[str, Any]) -> list[str]:
    """meltano.yml lines (one flow mapping per setting) of the plugin's `settings:` list."""
    lines = []
    for setting in settings_from(about_json):
        setting.pop("label")
        text = yaml.safe_dump(setting, default_flow_style=True, sort_keys=False, width=10**6)
        lines.append("        - " + text.strip())
    return lines


def write_meltano_settings(name: str, about_json: dict[str, Any],
                           meltano_yml: Path = ROOT / "meltano.yml") -> None:
    """Replace the `settings:` entries of `name` in meltano.yml, keeping everything else."""
    lines = meltano_yml.read_text(encoding="utf-8").splitlines()
    start = lines.index(f"    - name: {name}")
    settings = next(i for i in range(start + 1, len(lines)) if lines[i] == "      settings:")
    if any(line.startswith("    - name: ") for line in lines[start + 1:settings]):
        raise ValueError(f"meltano.yml: {name} has no settings list")
    end = settings + 1
    while end < len(lines) and lines[end].lstrip().startswith("- {") and \
            lines[end].startswith("      "):
        end += 1
    lines[settings + 1:end] = settings_block(name, about_json)
    meltano_yml.write_text("\n".join(lines) + "\n", encoding="utf-8")


def meltano_plugin(name: str, meltano_yml: Path = ROOT / "meltano.yml") -> dict[str, Any]:
    project = yaml.safe_load(meltano_yml.read_text(encoding="utf-8"))
    for plugin in project["plugins"][PLUGINS[name]["plugin_type"]]:
        if plugin["name"] == name:
            return dict(plugin)
    raise KeyError(f"{name} is not declared in {meltano_yml}")


def meltano_problems(name: str, about_json: dict[str, Any],
                     meltano_yml: Path = ROOT / "meltano.yml") -> list[str]:
    """How meltano.yml's declaration of `name` differs from what the plugin says about itself."""
    plugin = meltano_plugin(name, meltano_yml)
    declared = {s["name"]: s for s in plugin.get("settings", [])}
    problems = []
    for expected in settings_from(about_json):
        got = declared.get(expected["name"])
        if got is None:
            problems.append(f"{name}: setting {expected['name']} is not declared")
            continue
        for key in ("kind", "description"):
            if not got.get(key):
                problems.append(f"{name}: setting {expected['name']} has no {key}")
        if got.get("kind") != expected["kind"]:
            problems.append(f"{name}: setting {expected['name']} is kind {got.get('kind')}, "
                            f"expected {expected['kind']}")
        if bool(got.get("sensitive")) != bool(expected.get("sensitive")):
            problems.append(f"{name}: setting {expected['name']} sensitive="
                            f"{bool(got.get('sensitive'))}, expected "
                            f"{bool(expected.get('sensitive'))}")
    extra = set(declared) - {s["name"] for s in settings_from(about_json)}
    problems += [f"{name}: meltano.yml declares {s}, which the plugin does not accept"
                 for s in sorted(extra)]
    missing_caps = {c for c in about_json["capabilities"] if c in PLUGINS[name]["capabilities"]}
    missing_caps -= set(plugin.get("capabilities", []))
    problems += [f"{name}: capability {c} is not declared" for c in sorted(missing_caps)]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--print-settings", metavar="PLUGIN", choices=sorted(PLUGINS))
    args = parser.parse_args(argv)
    if args.print_settings:
        print("      settings:")
        print("\n".join(settings_block(args.print_settings, about(args.print_settings))))
        return 0
    status = 0
    for name in PLUGINS:
        try:
            about_json = about(name)
        except RuntimeError as exc:
            print(f"skipped {name}: {exc}", file=sys.stderr)
            status = 1
            continue
        text = "# Generated by hub/generate.py from `" + name + " --about --format=json`.\n"
        text += render(definition(name, about_json))
        path = hub_path(name)
        if args.check:
            problems = meltano_problems(name, about_json)
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                problems.append(f"{path.relative_to(ROOT)} is stale: run python hub/generate.py")
            for problem in problems:
                print(problem, file=sys.stderr)
            status = status or int(bool(problems))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            write_meltano_settings(name, about_json)
            print(f"wrote {path.relative_to(ROOT)} and the {name} settings in meltano.yml")
    return status


if __name__ == "__main__":
    sys.exit(main())
