"""The run command's output is clean and complete: the banner (what `seed-demo` prints on
start) lists every demo login the README lists, and the install needs no warning box."""

from __future__ import annotations

import re
import tomllib

import opc.demo as demo
from tests.conftest import ROOT

README_LOGIN = re.compile(r"^\| (\S+@opc-demo\.cn) \| (\w+) \|", re.M)
BANNER_LOGIN = re.compile(r"^  (\S+@opc-demo\.cn) +(\w+) ", re.M)


def banner(app, monkeypatch):
    """What `seed-demo` prints when the demo is there already (the run command's banner)."""
    monkeypatch.setattr(demo, "seed_demo", lambda: False)
    monkeypatch.setattr(demo, "park_summaries", lambda: [])
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_banner_lists_every_login_of_the_readme(app, monkeypatch):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")

    printed = BANNER_LOGIN.findall(banner(app, monkeypatch))

    listed = README_LOGIN.findall(readme)
    assert len(listed) >= 5  # admin, staff, reviewer, member, provider
    assert printed == listed
    assert f"password: {demo.DEMO_PASSWORD}" in banner(app, monkeypatch)
    assert f"password `{demo.DEMO_PASSWORD}`" in readme


def test_the_run_command_prints_the_banner_and_keeps_the_migrations_log_quiet():
    run = (ROOT / "scripts/run.sh").read_text(encoding="utf-8")

    assert "seed-demo --if-configured" in run
    assert re.search(r"migrated=\$\(.venv/bin/flask --app opc db upgrade 2>&1\)", run)


def test_the_editable_install_is_a_plain_path_entry():
    # setuptools installs a flat layout editable with an import finder and a warning box;
    # with the project's directory as package-dir it writes a .pth file, silently.
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert settings["tool"]["setuptools"]["package-dir"] == {"": "."}
