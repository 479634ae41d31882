"""/api/v1 providers, programmes and vouchers: thin; the operations hold the rules.

`POST /programmes` takes the contract's `name` as the Chinese name (`name_zh` is its other
spelling; giving both, they must agree); the code and the validity may be left out (see
opc.compute.operations.programmes for the defaults).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from flask_babel import gettext as _
from pydantic import Field

from opc.api.pagination import paged
from opc.api.routing import endpoint
from opc.api.schemas import Id, In, IsoDate, Out, Percent, decimal_text
from opc.compute import queries
from opc.compute.models import Programme, Provider, Voucher
from opc.compute.operations import programmes as prog
from opc.compute.operations import vouchers as vou
from opc.compute.permissions import can_grant_vouchers, can_manage_programmes, can_view_provider
from opc.core.dates import local_today
from opc.core.errors import ValidationFailed
from opc.core.money import MAX_YUAN, parse_yuan, yuan_str
from opc.core.permissions import get_or_404, visible
from opc.extensions import db
from opc.parks.models import Park
from opc.teams.models import Track

Amount = decimal_text(MAX_YUAN, positive=True)
Hours = decimal_text(vou.MAX_GPU_HOURS, positive=True)
CODE = Field(None, min_length=1, max_length=prog.MAX_LENGTH["code"], pattern=prog.CODE_PATTERN)


def _name(length: str) -> Any:
    return Field(None, min_length=1, max_length=prog.MAX_LENGTH[length])


class ProviderOut(Out):
    id: int
    name: str
    user_id: int


class ProgrammeIn(In):
    park_id: Id  # type: ignore[valid-type]
    name: str | None = _name("name_zh")
    name_zh: str | None = _name("name_zh")
    name_en: str = Field("", max_length=prog.MAX_LENGTH["name_en"])
    code: str | None = CODE
    document: str = Field("", max_length=prog.MAX_LENGTH["document"])
    budget_yuan: Amount  # type: ignore[valid-type]
    rate_percent: Percent  # type: ignore[valid-type]
    team_cap_yuan: Amount | None = None  # type: ignore[valid-type]
    provider_ids: list[Id] = Field(default_factory=list, max_length=prog.MAX_PROVIDERS)  # type: ignore[valid-type]
    valid_from: IsoDate | None = None
    valid_to: IsoDate | None = None
    tracks: list[Track] = Field(default_factory=list, max_length=len(Track))


class ProgrammeOut(Out):
    id: int
    park_id: int
    code: str
    name: str = Field(description="the Chinese name (name_zh)")
    name_zh: str
    name_en: str
    document: str
    budget_yuan: str
    rate_percent: str
    team_cap_yuan: str | None
    provider_ids: list[int]
    valid_from: date
    valid_to: date
    tracks: list[str]
    granted_yuan: str = Field(description="the vouchers' amounts: the pool taken")
    used_yuan: str = Field(description="drawn from the vouchers by usage")
    remaining_yuan: str = Field(description="what may still be granted (budget less granted)")
    teams: int
    vouchers: int


class ProgrammeQuery(In):
    park_id: Id | None = None  # type: ignore[valid-type]


class VoucherIn(In):
    programme_id: Id  # type: ignore[valid-type]
    team_id: Id  # type: ignore[valid-type]
    amount_yuan: Amount  # type: ignore[valid-type]
    valid_from: IsoDate
    valid_to: IsoDate = Field(description="the last valid day (included)")
    gpu_hours: Hours | None = None  # type: ignore[valid-type]
    provider_ids: list[Id] = Field(  # type: ignore[valid-type]
        default_factory=list,
        max_length=vou.MAX_PROVIDERS,
        description="some of the programme's designated providers; none: all of them",
    )


class AlertOut(Out):
    kind: Literal["used_80", "used_100", "expires_30", "expires_7"]
    sent_at: datetime


class ForecastOut(Out):
    per_day_yuan: str = Field(description="the burn of the last 30 days, per day")
    runs_out_on: date | None = Field(description="at that rate; null without burn")
    before_expiry: bool | None
    left_at_expiry_yuan: str | None


class VoucherOut(Out):
    id: int
    programme_id: int
    team_id: int
    amount_yuan: str
    used_yuan: str
    remaining_yuan: str
    gpu_hours: str | None
    used_gpu_hours: str
    valid_from: date
    valid_to: date
    provider_ids: list[int] = Field(description="as granted; empty: all of the programme's")
    redeemable_provider_ids: list[int]
    alerts: list[AlertOut]
    forecast: ForecastOut


class VoucherQuery(In):
    park_id: Id | None = None  # type: ignore[valid-type]
    team_id: Id | None = None  # type: ignore[valid-type]
    programme_id: Id | None = None  # type: ignore[valid-type]


def _programme(programme: Programme, pool: queries.Pool | None = None) -> dict[str, Any]:
    pool = pool or queries.pools([programme])[programme.id]
    cap = programme.team_cap_fen
    return {
        "id": programme.id,
        "park_id": programme.park_id,
        "code": programme.code,
        "name": programme.name_zh,
        "name_zh": programme.name_zh,
        "name_en": programme.name_en,
        "document": programme.document,
        "budget_yuan": yuan_str(programme.budget_fen),
        "rate_percent": f"{programme.rate_percent.normalize():f}",
        "team_cap_yuan": None if cap is None else yuan_str(cap),
        "provider_ids": [p.id for p in programme.providers],
        "valid_from": programme.valid_from.isoformat(),
        "valid_to": programme.valid_to.isoformat(),
        "tracks": list(programme.tracks or []),
        "granted_yuan": yuan_str(pool.granted_fen),
        "used_yuan": yuan_str(pool.used_fen),
        "remaining_yuan": yuan_str(pool.left_fen),
        "teams": pool.teams,
        "vouchers": pool.vouchers,
    }


def _hours(hundredths: int | None) -> str | None:
    return None if hundredths is None else yuan_str(hundredths)


def _voucher(
    voucher: Voucher, alerts: list[Any] | None = None, forecast: queries.Forecast | None = None
) -> dict[str, Any]:
    return {
        "id": voucher.id,
        "programme_id": voucher.programme_id,
        "team_id": voucher.team_id,
        "amount_yuan": yuan_str(voucher.amount_fen),
        "used_yuan": yuan_str(voucher.used_fen),
        "remaining_yuan": yuan_str(voucher.remaining_fen),
        "gpu_hours": _hours(voucher.gpu_hours_hundredths),
        "used_gpu_hours": _hours(voucher.used_hundredths),
        "valid_from": voucher.valid_from.isoformat(),
        "valid_to": voucher.valid_to.isoformat(),
        "provider_ids": [p.id for p in voucher.providers],
        "redeemable_provider_ids": [p.id for p in queries.redeemable_at(voucher)],
        "alerts": [{"kind": a.kind, "sent_at": a.sent_at.isoformat()} for a in alerts or []],
        "forecast": _forecast(forecast or queries.Forecast()),
    }


def _forecast(found: queries.Forecast) -> dict[str, Any]:
    left = found.left_at_expiry_fen
    return {
        "per_day_yuan": yuan_str(found.per_day_fen),
        "runs_out_on": found.runs_out_on.isoformat() if found.runs_out_on else None,
        "before_expiry": found.before_expiry,
        "left_at_expiry_yuan": None if left is None else yuan_str(left),
    }


@endpoint(
    "/providers",
    scope="compute:read",
    allow=can_view_provider,
    response=ProviderOut,
    paged=True,
    errors=(403,),
)
def list_providers(user: Any) -> dict[str, Any]:
    """The designated compute platforms (provider accounts) with their ids, by name."""
    stmt = db.select(Provider).where(visible(user, Provider))
    return paged(
        stmt.order_by(Provider.name, Provider.id),
        lambda p: {"id": p.id, "name": p.name, "user_id": p.user_id},
    )


@endpoint(
    "/programmes",
    methods=("POST",),
    scope="compute:write",
    allow=can_manage_programmes,
    body=ProgrammeIn,
    response=ProgrammeOut,
    status=201,
    errors=(409,),
)
def create_programme(user: Any, body: ProgrammeIn) -> dict[str, Any]:
    """Add a programme to a park (admins); 409 programme_code_taken."""
    if body.name and body.name_zh and body.name != body.name_zh:
        raise ValidationFailed({"name": [_("The name is the Chinese name: give it once.")]})
    if not (body.name or body.name_zh):
        raise ValidationFailed({"name": [_("Required.")]})
    values = body.model_dump(exclude={"name", "budget_yuan", "team_cap_yuan", "code"})
    values["name_zh"] = body.name_zh or body.name
    values["budget_fen"] = parse_yuan(body.budget_yuan)
    if body.team_cap_yuan is not None:
        values["team_cap_fen"] = parse_yuan(body.team_cap_yuan)
    values["tracks"] = [t.value for t in body.tracks]
    for key in ("valid_from", "valid_to"):
        if values[key] is None:
            del values[key]
    programme = prog.create_programme(actor=user, code=body.code or "", **values)
    return _programme(programme, queries.Pool(programme.budget_fen))


@endpoint(
    "/programmes",
    scope="compute:read",
    query=ProgrammeQuery,
    response=ProgrammeOut,
    paged=True,
    errors=(404,),
)
def list_programmes(user: Any, query: ProgrammeQuery) -> dict[str, Any]:
    """The programmes the caller may see, with their pools."""
    if query.park_id is not None:
        get_or_404(Park, query.park_id, user)
    page = paged(queries.programmes_of(user, query.park_id), lambda p: p)
    found = queries.pools(page["items"])
    page["items"] = [_programme(p, found[p.id]) for p in page["items"]]
    return page


@endpoint("/programmes/<int:programme_id>", scope="compute:read", response=ProgrammeOut)
def get_programme(user: Any, programme_id: int) -> dict[str, Any]:
    """One programme with its pool."""
    return _programme(get_or_404(Programme, programme_id, user))


@endpoint(
    "/vouchers",
    methods=("POST",),
    scope="compute:write",
    allow=can_grant_vouchers,
    body=VoucherIn,
    response=VoucherOut,
    status=201,
    errors=(404, 409),
)
def grant_voucher(user: Any, body: VoucherIn) -> dict[str, Any]:
    """Grant a team a voucher; 409 pool_exceeded, team_cap_exceeded, programme_not_eligible,
    team_not_admitted."""
    programme = get_or_404(Programme, body.programme_id, user, "vouchers.grant")
    values = body.model_dump(exclude={"programme_id", "amount_yuan"})
    voucher = vou.grant_voucher(
        actor=user, programme_id=programme.id, amount_fen=parse_yuan(body.amount_yuan), **values
    )
    return _voucher(voucher)


@endpoint("/vouchers", scope="compute:read", query=VoucherQuery, response=VoucherOut, paged=True)
def list_vouchers(user: Any, query: VoucherQuery) -> dict[str, Any]:
    """The vouchers the caller may see, newest first (alerts and forecast: GET one)."""
    filters = queries.VoucherFilters(
        park_id=query.park_id, team_id=query.team_id, programme_id=query.programme_id
    )
    return paged(queries.vouchers_of(user, filters), _voucher)


@endpoint("/vouchers/<int:voucher_id>", scope="compute:read", response=VoucherOut)
def get_voucher(user: Any, voucher_id: int) -> dict[str, Any]:
    """One voucher: its balance, the alerts sent about it, its forecast."""
    voucher = get_or_404(Voucher, voucher_id, user)
    view = queries.voucher_view(voucher, local_today(voucher.team.park.timezone))
    return _voucher(voucher, view.alerts, view.forecast)
