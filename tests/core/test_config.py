"""Settings: config/default.toml, then the OPC_CONFIG file, then OPC_SECRET_KEY and
OPC_DATABASE_URL; an unsafe secret stops the app outside debug and testing, with the fix."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from opc import create_app
from opc.config import DEFAULT_FILE, DEFAULT_SECRET, ConfigError, load_settings

GOOD_SECRET = "k" * 40
ENV = (
    "OPC_CONFIG",
    "OPC_SECRET_KEY",
    "OPC_DATABASE_URL",
    "OPC_EXTERNAL_URL",
    "OPC_STORAGE_DIR",
    "FLASK_DEBUG",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def db_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'config-test.sqlite3'}"


def site_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "site.toml"
    path.write_text(text, encoding="utf-8")
    return path


# --- the secret -----------------------------------------------------------------------------


def test_the_default_secret_is_refused_outside_debug_and_testing(db_url):
    with pytest.raises(ConfigError) as refused:
        create_app({"SQLALCHEMY_DATABASE_URI": db_url})
    message = str(refused.value)
    assert "SECRET_KEY" in message and "default" in message  # why
    assert "OPC_SECRET_KEY" in message and "secrets.token_urlsafe" in message  # how to fix


@pytest.mark.parametrize("secret", ["short", "x" * 31, ""])
def test_a_short_secret_is_refused(db_url, monkeypatch, secret):
    monkeypatch.setenv("OPC_SECRET_KEY", secret)
    with pytest.raises(ConfigError, match="32 characters"):
        create_app({"SQLALCHEMY_DATABASE_URI": db_url, "SECRET_KEY": secret})


def test_a_long_secret_from_the_environment_starts_the_app(db_url, monkeypatch):
    monkeypatch.setenv("OPC_SECRET_KEY", GOOD_SECRET)
    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url})
    assert app.config["SECRET_KEY"] == GOOD_SECRET
    assert not app.debug and not app.testing


def test_debug_and_testing_may_use_the_default_secret(db_url, monkeypatch):
    assert create_app({"SQLALCHEMY_DATABASE_URI": db_url, "TESTING": True}).testing
    monkeypatch.setenv("FLASK_DEBUG", "1")
    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url})
    assert app.debug and app.config["SECRET_KEY"] == DEFAULT_SECRET


def test_a_site_file_secret_that_is_the_default_is_refused_too(tmp_path, db_url, monkeypatch):
    path = site_file(tmp_path, f'SECRET_KEY = "{DEFAULT_SECRET}"\n')
    monkeypatch.setenv("OPC_CONFIG", str(path))
    with pytest.raises(ConfigError):
        create_app({"SQLALCHEMY_DATABASE_URI": db_url})


# --- the site's address -------------------------------------------------------------------


def test_mail_without_external_url_is_refused_outside_debug_and_testing(db_url, monkeypatch):
    """Invitation mail needs full links, and they never come from a request's Host."""
    monkeypatch.setenv("OPC_SECRET_KEY", GOOD_SECRET)
    with pytest.raises(ConfigError) as refused:
        create_app({"SQLALCHEMY_DATABASE_URI": db_url, "MAIL_SERVER": "smtp.example.org"})
    assert "EXTERNAL_URL" in str(refused.value) and "OPC_EXTERNAL_URL" in str(refused.value)
    monkeypatch.setenv("OPC_EXTERNAL_URL", "https://ops.example.org")
    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url, "MAIL_SERVER": "smtp.example.org"})
    assert app.config["EXTERNAL_URL"] == "https://ops.example.org"


def test_without_mail_the_app_starts_without_external_url(db_url, monkeypatch):
    monkeypatch.setenv("OPC_SECRET_KEY", GOOD_SECRET)
    assert create_app({"SQLALCHEMY_DATABASE_URI": db_url}).config["EXTERNAL_URL"] == ""


@pytest.mark.parametrize(
    "url", ["ops.example.org", "ftp://ops.example.org", "https://", "https://x.org/?a=1", "/"]
)
def test_an_external_url_that_is_not_a_site_address_is_refused(db_url, url):
    with pytest.raises(ConfigError, match="EXTERNAL_URL"):
        create_app({"SQLALCHEMY_DATABASE_URI": db_url, "TESTING": True, "EXTERNAL_URL": url})


# --- layering ------------------------------------------------------------------------------


def test_the_defaults_apply_without_a_site_file(tmp_path):
    settings = load_settings(str(tmp_path))
    defaults = tomllib.loads(DEFAULT_FILE.read_text(encoding="utf-8"))
    for key, value in defaults.items():
        if key not in ("SQLALCHEMY_DATABASE_URI", "STORAGE_DIR"):
            assert settings[key] == value, key
    # No database named: SQLite in the instance folder; files beside it.
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'opc.sqlite3'}"
    assert settings["STORAGE_DIR"] == str(tmp_path / "files")


def test_opc_config_layers_a_file_over_the_defaults(tmp_path, db_url, monkeypatch):
    path = site_file(
        tmp_path,
        'PER_PAGE = 10\nMAIL_SERVER = "smtp.example.org"\nMAIL_PORT = 587\n'
        'LANGUAGES = ["en", "zh"]\nEXTERNAL_URL = "https://ops.example.org"\n',
    )
    monkeypatch.setenv("OPC_CONFIG", str(path))
    monkeypatch.setenv("OPC_SECRET_KEY", GOOD_SECRET)
    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url})
    assert app.config["PER_PAGE"] == 10
    assert (app.config["MAIL_SERVER"], app.config["MAIL_PORT"]) == ("smtp.example.org", 587)
    assert app.config["LANGUAGES"] == ["en", "zh"]
    assert app.config["MAX_PER_PAGE"] == 200  # keys the file leaves out keep the default
    assert app.config["SESSION_LIFETIME_HOURS"] == 12


def test_the_environment_overrides_the_site_file(tmp_path, monkeypatch):
    path = site_file(
        tmp_path,
        f'SECRET_KEY = "{"f" * 40}"\nSQLALCHEMY_DATABASE_URI = "sqlite:///from-file.sqlite3"\n',
    )
    monkeypatch.setenv("OPC_CONFIG", str(path))
    assert load_settings(str(tmp_path))["SECRET_KEY"] == "f" * 40
    monkeypatch.setenv("OPC_SECRET_KEY", GOOD_SECRET)
    monkeypatch.setenv("OPC_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/opc")
    settings = load_settings(str(tmp_path))
    assert settings["SECRET_KEY"] == GOOD_SECRET
    assert settings["SQLALCHEMY_DATABASE_URI"] == (
        "postgresql+psycopg://postgres@127.0.0.1:5432/opc"
    )


def test_opc_database_url_reaches_the_engine(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'from-env.sqlite3'}"
    monkeypatch.setenv("OPC_DATABASE_URL", url)
    monkeypatch.setenv("OPC_SECRET_KEY", GOOD_SECRET)
    app = create_app()
    from opc.extensions import db

    with app.app_context():
        assert str(db.engine.url) == url
        db.engine.dispose()


def test_the_example_production_file_loads(tmp_path, monkeypatch):
    monkeypatch.setenv("OPC_CONFIG", str(DEFAULT_FILE.parent / "production.example.toml"))
    settings = load_settings(str(tmp_path))
    assert settings["SESSION_COOKIE_SECURE"] is True


# --- bad files ------------------------------------------------------------------------------


def test_a_missing_site_file_is_a_clear_config_error(tmp_path, monkeypatch):
    missing = tmp_path / "nowhere" / "site.toml"
    monkeypatch.setenv("OPC_CONFIG", str(missing))
    with pytest.raises(ConfigError) as refused:
        load_settings(str(tmp_path))
    assert str(missing) in str(refused.value) and "not found" in str(refused.value)


@pytest.mark.parametrize(
    "text",
    ["PER_PAGE = \n", "PER_PAGE = ten\n", "[section\nKEY = 1\n", 'SECRET_KEY = "unterminated\n'],
)
def test_an_invalid_toml_file_is_a_clear_config_error(tmp_path, monkeypatch, text):
    path = site_file(tmp_path, text)
    monkeypatch.setenv("OPC_CONFIG", str(path))
    with pytest.raises(ConfigError) as refused:
        load_settings(str(tmp_path))
    message = str(refused.value)
    assert str(path) in message and "not valid TOML" in message
    assert "line" in message  # where the problem is


def test_a_directory_is_not_a_config_file(tmp_path, monkeypatch):
    monkeypatch.setenv("OPC_CONFIG", str(tmp_path))
    with pytest.raises(ConfigError, match=re.escape(str(tmp_path))):
        load_settings(str(tmp_path))


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ('MAIL_PORT = "587"', "MAIL_PORT"),
        ("SESSION_COOKIE_SECURE = 1", "SESSION_COOKIE_SECURE"),
        ("PER_PAGE = true", "PER_PAGE"),
        ('LANGUAGES = "zh"', "LANGUAGES"),
    ],
)
def test_a_setting_of_the_wrong_type_is_a_clear_config_error(tmp_path, monkeypatch, line, key):
    path = site_file(tmp_path, line + "\n")
    monkeypatch.setenv("OPC_CONFIG", str(path))
    with pytest.raises(ConfigError) as refused:
        load_settings(str(tmp_path))
    assert key in str(refused.value) and str(path) in str(refused.value)


# --- the default file documents itself ------------------------------------------------------

KEY_LINE = re.compile(r"^([A-Z][A-Z0-9_]*)\s*=")


def test_every_key_in_the_default_file_has_a_comment_above_it():
    lines = DEFAULT_FILE.read_text(encoding="utf-8").splitlines()
    keys = []
    for number, line in enumerate(lines):
        match = KEY_LINE.match(line)
        if not match:
            continue
        keys.append(match.group(1))
        above = lines[number - 1].strip() if number else ""
        assert above.startswith("#") and len(above) > 2, f"{match.group(1)} has no comment"
    assert set(keys) == set(tomllib.loads("\n".join(lines)))  # every key was seen


# Flask's and extensions' own settings that the code may read without listing them.
BUILT_IN = {"SERVER_NAME", "TESTING", "DEBUG", "SQLALCHEMY_ENGINE_OPTIONS", "SESSION_COOKIE_NAME"}


def test_every_setting_the_code_reads_is_in_the_default_file():
    defaults = set(tomllib.loads(DEFAULT_FILE.read_text(encoding="utf-8")))
    package = Path(__file__).resolve().parents[2] / "opc"
    read = set()
    pattern = re.compile(r"""(?:config|cfg)(?:\.get\(|\[)\s*["']([A-Z][A-Z0-9_]+)["']""")
    for source in package.rglob("*.py"):
        read |= set(pattern.findall(source.read_text(encoding="utf-8")))
    assert read, "the pattern found no setting at all"
    assert sorted(read - defaults - BUILT_IN) == []
