"""Space: a park's units and their allocation to resident teams, occupancy, the floor view."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from opc.core import nav
from opc.core.permissions import Role
from opc.parks.signals import resizing
from opc.space import allocation_views, api, audit_kinds, exports, team_pages, views
from opc.space.labels import kind_label
from opc.space.operations import release_on_leaving
from opc.space.permissions import can_see_space
from opc.space.rules import check_area_on_resize
from opc.teams.signals import status_changed

__all__ = ["allocation_views", "api", "exports"]  # their routes register when imported


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.add_template_filter(kind_label, "unit_kind")
    nav.add("space.index", _l("Space"), can_see_space, order=30)
    nav.add("space.mine", _l("Our space"), lambda u: u.role == Role.MEMBER, order=30)
    status_changed.connect(release_on_leaving)
    resizing.connect(check_area_on_resize)
    team_pages.register()
    audit_kinds.register_kinds()
