"""The webhook form of the admin pages: parses, the operation checks (opc.webhooks.operations)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.widgets import CheckboxInput, ListWidget

from opc.core.forms import BaseForm, int_or_none
from opc.notifications import kinds as notification_kinds
from opc.webhooks.models import Preset

PRESETS = {
    Preset.GENERIC: _l("Generic (signed JSON)"),
    Preset.WECOM: _l("WeCom group bot"),
    Preset.DINGTALK: _l("DingTalk custom robot"),
    Preset.FEISHU: _l("Feishu custom bot"),
}


class WebhookForm(BaseForm):
    park_id = SelectField(_l("Park"), coerce=int_or_none, validate_choice=False)
    name = StringField(_l("Name"))
    url = StringField(_l("URL"))
    preset = SelectField(
        _l("Kind of webhook"),
        choices=[SelectChoice(k, v) for k, v in PRESETS.items()],
        validate_choice=False,
    )
    all_kinds = BooleanField(_l("Every kind of event"))
    kinds = SelectMultipleField(
        _l("Events"),
        validate_choice=False,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    secret = StringField(_l("Secret"))
    rotate_secret = BooleanField(_l("Make a new secret"))
    active = BooleanField(_l("Switched on"), default=True)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.kinds.choices = [
            SelectChoice(k, k) for k in notification_kinds.names() if k != "webhook.test"
        ]
