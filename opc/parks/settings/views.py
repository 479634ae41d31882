"""The settings page of a park: its staff read them, admins change them."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import BooleanField, SelectChoice, SelectField, StringField

from opc.core.errors import DomainError
from opc.core.forms import BaseForm
from opc.core.permissions import get_or_404
from opc.parks.models import Park
from opc.parks.permissions import can_manage_parks
from opc.parks.settings import operations as ops
from opc.parks.settings import queries
from opc.parks.settings.registry import Setting, definitions

bp = Blueprint("park_settings", __name__, url_prefix="/parks")


def _field(setting: Setting) -> Any:
    if setting.kind == "bool":
        return BooleanField(setting.label, description=setting.hint or "")
    if setting.kind == "choice":
        choices = [SelectChoice(k, str(v)) for k, v in setting.choices.items()]
        return SelectField(setting.label, choices=choices, description=setting.hint or "")
    return StringField(setting.label, description=setting.hint or "")  # parsed by the operation


def settings_form(values: dict[str, Any]) -> BaseForm:
    """A form with a field per known setting (they are defined by the domains at import)."""

    class SettingsForm(BaseForm):
        pass

    for setting in definitions():
        setattr(SettingsForm, setting.key, _field(setting))
    data = {k: (v if isinstance(v, bool) else str(v)) for k, v in values.items()}
    return SettingsForm(data=data)


@bp.route("/<int:park_id>/settings", methods=["GET", "POST"])
def edit(park_id: int) -> Any:
    """A park's settings: staff of the park see them; admins change them."""
    park = g.park = get_or_404(Park, park_id, current_user)
    may_change = can_manage_parks(current_user, park)
    form = settings_form(queries.values_of(park.id))
    if may_change and form.validate_on_submit():
        values = {s.key: getattr(form, s.key).data for s in definitions()}
        try:
            ops.change_settings(park, actor=current_user._get_current_object(), values=values)
        except DomainError as err:
            form.show_error(err)
        else:
            flash(_("Settings saved."), "success")
            return redirect(url_for("park_settings.edit", park_id=park.id))
    return render_template(
        "parks/settings.html",
        park=park,
        form=form,
        settings=queries.described(park.id),
        may_change=may_change,
    ), form.status
