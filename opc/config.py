"""Settings: config/default.toml, then the file named by OPC_CONFIG, then the environment."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FILE = ROOT / "config" / "default.toml"
DEFAULT_SECRET = "dev-insecure-change-me"


class ConfigError(RuntimeError):
    """The settings are unusable; the message says which and why."""


def load_settings(instance_path: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Merge the default file, the OPC_CONFIG file, the environment and explicit overrides."""
    settings = _read_toml(DEFAULT_FILE)
    site_file = os.environ.get("OPC_CONFIG")
    if site_file:
        site = _read_toml(Path(site_file))
        _check_types(site, settings, Path(site_file))
        settings.update(site)
    if os.environ.get("OPC_SECRET_KEY"):
        settings["SECRET_KEY"] = os.environ["OPC_SECRET_KEY"]
    if os.environ.get("OPC_DATABASE_URL"):
        settings["SQLALCHEMY_DATABASE_URI"] = os.environ["OPC_DATABASE_URL"]
    if os.environ.get("OPC_EXTERNAL_URL"):
        settings["EXTERNAL_URL"] = os.environ["OPC_EXTERNAL_URL"]
    settings.update(overrides or {})
    if not settings.get("SQLALCHEMY_DATABASE_URI"):
        settings["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(instance_path) / 'opc.sqlite3'}"
    if os.environ.get("OPC_STORAGE_DIR"):
        settings["STORAGE_DIR"] = os.environ["OPC_STORAGE_DIR"]
    # Attachments live outside the web root: in the instance folder unless a site says where.
    settings["STORAGE_DIR"] = str(Path(instance_path) / (settings.get("STORAGE_DIR") or "files"))
    return settings


def check_settings(settings: dict[str, Any], *, debug: bool) -> None:
    """Fail fast on settings that would make a deployment unsafe."""
    _check_external_url(settings.get("EXTERNAL_URL") or "")
    _check_storage_dir(settings.get("STORAGE_DIR") or "")
    if debug or settings.get("TESTING"):
        return
    secret = settings.get("SECRET_KEY") or ""
    if secret == DEFAULT_SECRET or len(secret) < 32:
        raise ConfigError(
            "Refusing to start: SECRET_KEY is the built-in default or shorter than 32 characters. "
            "Set OPC_SECRET_KEY to a long random value, e.g. "
            "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`."
        )
    if settings.get("MAIL_SERVER") and not settings.get("EXTERNAL_URL"):
        raise ConfigError(
            "Refusing to start: MAIL_SERVER is set but EXTERNAL_URL is not, and mail needs "
            "full links (invitations). Set EXTERNAL_URL (or OPC_EXTERNAL_URL) to the site's "
            'address as its users reach it, e.g. "https://ops.example.org".'
        )


def _check_external_url(url: str) -> None:
    """EXTERNAL_URL, when set, is an http(s) address with a host, and nothing after its path."""
    if not url:
        return
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc or parts.query or parts.fragment:
        raise ConfigError(
            f"EXTERNAL_URL must be the site's http(s) address, e.g. "
            f'"https://ops.example.org", not {url!r}.'
        )


def _check_storage_dir(folder: str) -> None:
    """Stored files are served only through a permission check: never from the static folder,
    which the web server may hand to anyone."""
    web_root = ROOT / "opc" / "static"
    if folder and Path(folder).resolve().is_relative_to(web_root.resolve()):
        raise ConfigError(
            f"STORAGE_DIR must be outside the web root ({web_root}), not {folder!r}: files "
            "stored there could be downloaded without a permission check."
        )


_TYPE_NAMES = {str: "a string", int: "an integer", bool: "true or false", list: "a list"}


def _check_types(site: dict[str, Any], defaults: dict[str, Any], path: Path) -> None:
    """A setting the defaults know must keep the default's type (MAIL_PORT = 587, not "587")."""
    problems = []
    for key, value in site.items():
        default = defaults.get(key)
        if default is None or type(value) is type(default):
            continue
        expected = _TYPE_NAMES.get(type(default), type(default).__name__)
        problems.append(f"{key} must be {expected}, not {value!r}")
    if problems:
        raise ConfigError(f"Config file {path}: " + "; ".join(problems) + ".")


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError as exc:
        raise ConfigError(f"Config file not found: {path} (check OPC_CONFIG)") from exc
    except (IsADirectoryError, PermissionError) as exc:
        raise ConfigError(f"Config file {path} cannot be read: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"Config file {path} is not valid TOML: {exc}") from exc
