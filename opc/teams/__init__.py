"""Teams: resident companies and solo creators, their lifecycle, members and invitations."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from opc.core import nav
from opc.core.permissions import Role
from opc.parks.signals import resizing
from opc.teams import api, audit_kinds, exports, permissions, rules, step_views, views
from opc.teams.labels import status_label, track_label
from opc.teams.permissions import can_manage_teams

# Their routes and rules register when imported.
__all__ = ["api", "exports", "permissions", "step_views"]


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.add_template_filter(track_label, "track")
    app.add_template_filter(status_label, "status")
    nav.add("teams.index", _l("Teams"), can_manage_teams, order=20)
    nav.add("teams.mine", _l("My team"), lambda u: u.role == Role.MEMBER, order=20)
    resizing.connect(rules.check_cap_on_resize)
    audit_kinds.register_kinds()
