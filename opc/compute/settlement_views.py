"""Settlement pages for the park's staff: the providers it settles with, a provider's
months (open ones as drafts, issued ones as stored), one settlement with its lines per team
and the issue button, and its downloads. Thin: opc.compute.settlements reads,
opc.compute.operations.settlements issues, opc.compute.exports writes the files."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from opc.compute import settlements, sortings
from opc.compute.exports import settlement_csv, settlement_xlsx
from opc.compute.models import Provider
from opc.compute.operations.settlements import issue_settlement
from opc.compute.settlement_models import Settlement
from opc.compute.usage_queries import has_ended, is_month
from opc.core.dates import local_today
from opc.core.errors import DomainError, NotFound
from opc.core.forms import BaseForm
from opc.core.pagination import paginate
from opc.core.permissions import get_or_404
from opc.core.sorting import sorted_rows
from opc.extensions import db
from opc.parks.models import Park

bp = Blueprint("compute_settlements", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _park(park_id: int) -> Park:
    park = g.park = get_or_404(Park, park_id, current_user, "settlements.issue")
    return park


def _month(month: str) -> str:
    if not is_month(month):
        raise NotFound("not_found", _("Not found."))
    return month


@bp.route("/parks/<int:park_id>/compute/settlements")
def providers(park_id: int) -> Any:
    """The providers the park settles with: the last month issued, what is open."""
    park = _park(park_id)
    sort = sortings.PROVIDERS.chosen()
    summaries = sorted_rows(sort, settlements.providers_of_park(park.id))
    return render_template("compute/settlements.html", park=park, summaries=summaries, sort=sort)


@bp.route("/parks/<int:park_id>/compute/providers/<int:provider_id>/settlements")
def provider(park_id: int, provider_id: int) -> Any:
    """A provider's months with the park: open months (drafts), then issued settlements."""
    park = _park(park_id)
    found = get_or_404(Provider, provider_id, current_user)
    page = paginate(settlements.issued_of(current_user, park_id=park.id, provider_id=found.id))
    return render_template(
        "compute/settlement_provider.html",
        park=park,
        provider=found,
        open_months=settlements.open_months(park.id, found.id),
        page=page,
        issued=[settlements.issued_view(s) for s in page.items],
        today=local_today(park.timezone),
        has_ended=has_ended,
    )


def _settlement_page(park: Park, provider: Provider, month: str, status: int = 200) -> Any:
    views = settlements.month_views(month, park_ids=[park.id], provider_id=provider.id)
    view = views[0] if views else None
    latest = settlements.last_issued(park_ids=[park.id], provider_id=provider.id)
    page = render_template(
        "compute/settlement.html",
        park=park,
        provider=provider,
        month=month,
        view=view,
        teams=settlements.teams_named(views),
        later=latest.get((park.id, provider.id)) if view is None else None,
        ended=has_ended(month, local_today(park.timezone)),
        form=BaseForm(),
    )
    return page, status


@bp.route("/parks/<int:park_id>/compute/providers/<int:provider_id>/settlements/<month>")
def settlement(park_id: int, provider_id: int, month: str) -> Any:
    """The park's settlement with the provider for a month: issued, or the draft."""
    park = _park(park_id)
    found = get_or_404(Provider, provider_id, current_user)
    return _settlement_page(park, found, _month(month))


@bp.route(
    "/parks/<int:park_id>/compute/providers/<int:provider_id>/settlements/<month>/issue",
    methods=["POST"],
)
def issue(park_id: int, provider_id: int, month: str) -> Any:
    """Issue the settlement: all or nothing, safe to click twice."""
    park = _park(park_id)
    found = get_or_404(Provider, provider_id, current_user)
    month = _month(month)
    form = BaseForm()
    if not form.validate_on_submit():
        flash(_("The form expired: please try again."), "error")
        return _settlement_page(park, found, month, 422)
    try:
        issued = issue_settlement(
            park.id, found.id, month, actor=current_user._get_current_object()
        )
    except DomainError as err:
        flash(err.message, "error")
        return _settlement_page(park, found, month, 422)
    if issued:
        flash(_("The settlement of %(month)s is issued.", month=month), "success")
    else:
        flash(_("Nothing was issued: it is issued already or has nothing to settle."), "info")
    return redirect(
        url_for(
            "compute_settlements.settlement", park_id=park.id, provider_id=found.id, month=month
        )
    )


def _attachment(data: bytes, mimetype: str, name: str) -> Response:
    return Response(
        data, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@bp.route("/compute/settlements/<int:settlement_id>.csv")
def download_csv(settlement_id: int) -> Any:
    """An issued settlement as CSV (UTF-8 with BOM, for Excel)."""
    found = get_or_404(Settlement, settlement_id, current_user)
    view = settlements.issued_view(found)
    data = settlement_csv(view, settlements.teams_named([view]))
    return _attachment(data, "text/csv", _file_name(found, "csv"))


@bp.route("/compute/settlements/<int:settlement_id>.xlsx")
def download_xlsx(settlement_id: int) -> Any:
    """An issued settlement as an XLSX workbook."""
    found = get_or_404(Settlement, settlement_id, current_user)
    view = settlements.issued_view(found)
    park = db.session.get(Park, found.park_id)
    title = f"{park.name_zh} · {found.provider.name} · {found.month}"
    data = settlement_xlsx(view, settlements.teams_named([view]), title)
    return _attachment(data, XLSX, _file_name(found, "xlsx"))


def _file_name(found: Settlement, suffix: str) -> str:
    return f"settlement-{found.park_id}-{found.provider_id}-{found.month}.{suffix}"
