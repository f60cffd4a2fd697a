"""meltano.yml: valid for Meltano, the plugins the README names, settings that match the plugins'
own `--about`, TAP_ELOQUA_* environment variables that reach the tap, secrets kept out of output."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from hub import generate
from tests.pipeline.support import ROOT, Meltano

PROJECT = yaml.safe_load((ROOT / "meltano.yml").read_text(encoding="utf-8"))


def plugin(plugin_type: str, name: str) -> dict[str, Any]:
    found = [p for p in PROJECT["plugins"][plugin_type] if p["name"] == name]
    assert len(found) == 1, f"{plugin_type} {name} is declared {len(found)} times"
    return dict(found[0])


def meltano_schema(meltano: Meltano) -> dict[str, Any]:
    """The JSON schema shipped inside the installed Meltano (the one `meltano` validates with)."""
    python = Path(meltano.executable).parent / "python"
    out = subprocess.run(
        [str(python), "-c", "import importlib.resources as r; "
         "print(r.files('meltano.schemas').joinpath('meltano.schema.json').read_text())"],
        capture_output=True, text=True, check=True)
    schema: dict[str, Any] = json.loads(out.stdout)
    return schema


def test_meltano_yml_is_valid_against_meltanos_schema(meltano: Meltano):
    validator = jsonschema.Draft202012Validator(meltano_schema(meltano))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(PROJECT)]
    assert errors == []


def test_the_plugins_the_pipelines_need_are_declared():
    assert plugin("extractors", "tap-eloqua")["pip_url"] == "-e ."
    assert plugin("loaders", "target-eloqua")["pip_url"] == "-e ."
    for plugin_type, name, namespace in (("extractors", "tap-eloqua", "tap_eloqua"),
                                         ("loaders", "target-eloqua", "target_eloqua")):
        declared = plugin(plugin_type, name)
        assert declared["namespace"] == namespace
        assert declared["executable"] == name
        assert declared["capabilities"]
    assert plugin("loaders", "target-postgres")["variant"] == "meltanolabs"
    assert plugin("loaders", "target-postgres")["pip_url"].startswith("meltanolabs-target-postgres")
    assert plugin("extractors", "tap-postgres")["variant"] == "meltanolabs"
    assert plugin("extractors", "tap-postgres")["pip_url"].startswith("meltanolabs-tap-postgres")
    assert plugin("loaders", "target-duckdb")["pip_url"].startswith("target-duckdb")
    environments = {e["name"]: e for e in PROJECT["environments"]}
    emulator = environments["emulator"]["config"]["plugins"]
    assert {p["name"] for p in emulator["extractors"]} >= {"tap-eloqua"}
    assert {p["name"] for p in emulator["loaders"]} >= {"target-eloqua"}


def test_every_secret_setting_is_sensitive_and_no_secret_is_committed():
    for plugin_type in ("extractors", "loaders"):
        for declared in PROJECT["plugins"][plugin_type]:
            for setting in declared.get("settings", []):
                secret_like = any(w in setting["name"] for w in ("password", "secret", "token"))
                if secret_like and setting["name"] != "token_store_path":
                    assert setting.get("sensitive") is True, (declared["name"], setting["name"])
                assert setting.get("kind"), (declared["name"], setting["name"])
                assert setting.get("description"), (declared["name"], setting["name"])
            assert "password" not in declared.get("config", {}), declared["name"]


@pytest.mark.parametrize("name", ["tap-eloqua", "target-eloqua"])
def test_settings_match_the_plugins_about(name: str):
    problems = generate.meltano_problems(name, generate.about(name))
    assert problems == [], "run `python hub/generate.py`:\n" + "\n".join(problems)


@pytest.mark.parametrize("name", ["tap-eloqua", "target-eloqua"])
def test_hub_definition_is_current(name: str):
    about = generate.about(name)
    text = generate.hub_path(name).read_text(encoding="utf-8")
    assert text.split("\n", 1)[1] == generate.render(generate.definition(name, about)), \
        "stale: run python hub/generate.py"
    definition = yaml.safe_load(text)
    assert definition["name"] == name
    assert definition["namespace"] == name.replace("-", "_")
    secrets = {s["name"] for s in definition["settings"] if s.get("sensitive")}
    assert secrets == {"password", "client_secret", "refresh_token"}


def test_hub_definition_of_the_tap_has_its_capabilities():
    definition = yaml.safe_load(generate.hub_path("tap-eloqua").read_text(encoding="utf-8"))
    assert {"catalog", "discover", "state", "batch"} <= set(definition["capabilities"])


@pytest.mark.parametrize(("plugin_type", "name"), [("extractors", "tap-eloqua"),
                                                   ("loaders", "target-eloqua")])
def test_hub_definitions_use_the_hubs_layout_and_every_capability(plugin_type: str, name: str):
    path = ROOT / "hub/_data/meltano" / plugin_type / name / "eloqua-singer.yml"
    definition = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert definition["variant"] == "eloqua-singer"
    assert sorted(definition["capabilities"]) == sorted(generate.about(name)["capabilities"])
    assert "OWNER" not in definition["repo"]
    assert [s["name"] for s in definition["settings"]] == \
        sorted(s["name"] for s in definition["settings"])
    assert {s["kind"] for s in definition["settings"] if s.get("sensitive")} == {"password"}


SAMPLES = {"string": ("text-{name}", "text-{name}"), "integer": ("7", 7),
           "boolean": ("true", True), "array": ('["x", "y"]', ["x", "y"]),
           "object": ('{"k": "v"}', {"k": "v"}),
           "date_iso8601": ("2024-02-03T04:05:06Z", "2024-02-03T04:05:06Z")}


@pytest.mark.parametrize(("plugin_type", "name"), [("extractors", "tap-eloqua"),
                                                   ("loaders", "target-eloqua")])
def test_every_setting_can_come_from_an_environment_variable(meltano: Meltano, plugin_type: str,
                                                             name: str):
    env, expected = {}, {}
    prefix = name.upper().replace("-", "_")
    for setting in plugin(plugin_type, name)["settings"]:
        if setting["kind"] == "options":
            raw = value = setting["options"][-1]["value"]
        else:
            raw, value = SAMPLES[setting["kind"]]
        key = setting["name"]
        env[f"{prefix}_{key.upper()}"] = raw.replace("{name}", key)
        expected[key] = value.replace("{name}", key) if isinstance(value, str) else value
    run = meltano.run("--log-level=warning", "invoke", "--dump=config", name, env=env)
    assert run.returncode == 0, run.failure()
    config = json.loads(run.output[run.output.index("{"):])
    assert {k: config.get(k) for k in expected} == expected


def test_secrets_from_the_environment_are_redacted(meltano: Meltano):
    secret = "s3cr3t-Never-Printed"
    run = meltano.run("--log-level=warning", "config", "list", "tap-eloqua",
                      env={"TAP_ELOQUA_PASSWORD": secret, "TAP_ELOQUA_CLIENT_SECRET": secret,
                           "TAP_ELOQUA_REFRESH_TOKEN": secret})
    assert run.returncode == 0, run.failure()
    assert secret not in run.output
    assert "(from the TAP_ELOQUA_PASSWORD variable in the environment)" in run.output


def test_meltano_runs_the_tap_from_this_repository(meltano: Meltano):
    run = meltano.run("--log-level=warning", "invoke", "tap-eloqua", "--about", "--format=json")
    assert run.returncode == 0, run.failure()
    about = json.loads(run.output[run.output.index("{"):])
    assert about["name"] == "tap-eloqua"
    assert set(about["settings"]["properties"]) == set(
        generate.about("tap-eloqua")["settings"]["properties"])


@pytest.mark.parametrize("name", ["tap-eloqua", "target-eloqua", "target-postgres", "tap-postgres",
                                  "target-duckdb"])
def test_plugins_are_installed_by_meltano_install(name: str):
    plugin_type = "extractors" if name.startswith("tap-") else "loaders"
    executable = ROOT / ".meltano" / plugin_type / name / "venv" / "bin" / name
    assert executable.exists(), f"{executable} is missing: run `bash demo/install`"
