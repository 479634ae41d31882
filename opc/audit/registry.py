"""What the audit log page knows of each kind of record, as its domain tells it.

The log stores table names and column names (`teams`, `name_zh`); people read "团队",
"名称" and "星云工作室". Each domain registers its audited models from its init_app:

    register(RecordKind(Team, _l("Team"), url=lambda t: url_for("teams.detail", team_id=t.id),
                        fields={"name_zh": _l("Name")}, values={"status": status_label}))

so that audit, below the domains, never imports them. What a domain leaves out falls back
sensibly: the record's name from `display_name(locale)`, `code`, `name` or `email`; a
field's label from the shared names below, else its column name in words; references
(`team_id`, a user's `parks`) by the referenced records' names, found from the foreign keys.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l

from opc.auth.labels import role_label
from opc.auth.models import ApiToken, PasswordReset, User
from opc.core.i18n import locale_code


@dataclass(frozen=True)
class RecordKind:
    """An audited model as the log shows it.

    `name(record)` is its name for people (default: opc.audit.registry.default_name),
    `url(record)` its page, `load` the loader options they need (joinedload(...));
    `fields` label its columns, `values` turn a stored value into its display form
    (a label function, a date), `hidden` are columns not worth showing (derived ones)."""

    model: type
    label: Any
    url: Callable[[Any], str] | None = None
    name: Callable[[Any], str] | None = None
    load: tuple[Any, ...] = ()
    fields: Mapping[str, Any] = field(default_factory=dict)
    values: Mapping[str, Callable[[Any], str]] = field(default_factory=dict)
    hidden: frozenset[str] = frozenset()

    @property
    def entity(self) -> str:
        return str(self.model.__tablename__)  # type: ignore[attr-defined]


KINDS: dict[str, RecordKind] = {}

# Column names shared by many models; a domain's own `fields` take precedence.
FIELDS: dict[str, Any] = {
    "name": _l("Name"),
    "name_zh": _l("Name"),
    "name_en": _l("Name (English)"),
    "code": _l("Code"),
    "email": _l("E-mail"),
    "role": _l("Role"),
    "status": _l("Status"),
    "kind": _l("Kind"),
    "note": _l("Note"),
    "description": _l("Description"),
    "park_id": _l("Park"),
    "team_id": _l("Team"),
    "unit_id": _l("Unit"),
    "user_id": _l("User"),
    "start": _l("First day"),
    "end": _l("End"),
    "created_at": _l("Created"),
    "is_active": _l("Active"),
    "active": _l("Active"),
    "created_by_id": _l("Created by"),
    "started_at": _l("Started"),
    "finished_at": _l("Finished"),
    "error": _l("Error"),
    "locale": _l("Language"),
    "timezone": _l("Timezone"),
    "parks": _l("Parks"),
    "staff": _l("Staff"),
}
# Never worth a line: the id is the record's own, the rest derived or secret.
HIDDEN = frozenset({"id", "name_pinyin", "name_initials", "password_hash", "token_hash"})


def register(kind: RecordKind) -> None:
    """Tell the log how to show a model's records (from the domain's init_app)."""
    KINDS[kind.entity] = kind


def kind_of(entity: str) -> RecordKind | None:
    return KINDS.get(entity)


def type_label(entity: str) -> str:
    """A record type for people: 团队 for `teams`; an unregistered one in words."""
    kind = KINDS.get(entity)
    return str(kind.label) if kind else entity.replace("_", " ").capitalize()


def field_label(entity: str, key: str) -> str:
    """A field for people: the domain's label, the shared one, else the column in words."""
    kind = KINDS.get(entity)
    if kind is not None and key in kind.fields:
        return str(kind.fields[key])
    if key in FIELDS:
        return str(FIELDS[key])
    return key.replace("_", " ").capitalize()


def hidden(entity: str, key: str) -> bool:
    kind = KINDS.get(entity)
    return key in HIDDEN or (kind is not None and key in kind.hidden)


def default_name(record: Any) -> str:
    """A record's name: its name in the page's language, else its code, name or e-mail."""
    if hasattr(record, "display_name"):
        return str(record.display_name(locale_code()))
    for attribute in ("code", "name", "email"):
        value = getattr(record, attribute, None)
        if value:
            return str(value)
    return f"#{record.id}"


def name_of(entity: str, record: Any) -> str:
    kind = KINDS.get(entity)
    return (kind.name if kind and kind.name else default_name)(record)


def _user_name(user: User) -> str:
    return f"{user.name} ({user.email})" if user.name else user.email


def register_own() -> None:
    """The records of the layers below audit (auth), which cannot register themselves."""
    register(
        RecordKind(
            User,
            _l("User"),
            url=lambda user: url_for("users.detail", user_id=user.id),
            name=_user_name,
            values={"role": role_label},
            fields={"name": _l("Name"), "team_id": _l("Team"), "notify_by_email": _l("Mail")},
        )
    )
    register(RecordKind(ApiToken, _l("API token"), fields={"prefix": _l("Prefix")}))
    register(RecordKind(PasswordReset, _l("Password reset link")))
