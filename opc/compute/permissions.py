"""Who may see and change compute subsidies: admins configure programmes; staff of the park
grant vouchers and issue settlements; members see their own team's vouchers and usage; a
provider (role provider, token scope usage:write) writes usage and sees its own usage and
settlements. Admins pass every rule (opc.core.permissions does that).

Rule names follow the tables where `get_or_404` looks them up (`<table>.view`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, exists, false, select, true

from opc.compute.models import Programme, Provider, UsageBatch, UsageRecord, Voucher
from opc.compute.settlement_models import Settlement
from opc.compute.usage_months import UsageMonth
from opc.core.permissions import Role, rule, visibility
from opc.extensions import db
from opc.parks.models import Park
from opc.parks.permissions import staff_of, staff_park_ids
from opc.teams.models import Team
from opc.teams.permissions import is_member_of


def _park_id(of: Any) -> int | None:
    """The park a rule is about: a park itself, or anything that names its park."""
    return of.id if isinstance(of, Park) else getattr(of, "park_id", None)


def own_provider_ids(user: Any) -> Any:
    """The provider record of a provider user, as a subquery (empty for everyone else)."""
    return select(Provider.id).where(Provider.user_id == user.id).scalar_subquery()


def is_provider_of(user: Any, provider_id: int | None) -> bool:
    """A provider user acting for this provider record."""
    if user.role != Role.PROVIDER or provider_id is None:
        return False
    return db.session.scalar(select(Provider.user_id).where(Provider.id == provider_id)) == user.id


# Programmes ---------------------------------------------------------------------------


@rule("programmes.manage")
def can_manage_programmes(_user: Any, _of: Any = None) -> bool:
    """Create and change a park's programmes: admins only (they configure the parks)."""
    return False


@rule("programmes.view")
def can_view_programme(user: Any, programme: Any = None) -> bool:
    """A programme's terms: staff of its park, members of a team in that park (what their
    vouchers are under); with nothing, whether staff or member at all. Its pool, teams and
    draws are the staff's (`can_grant_vouchers`)."""
    if programme is None:
        return user.role in (Role.STAFF, Role.MEMBER)
    if user.role == Role.MEMBER:
        return user.team is not None and user.team.park_id == programme.park_id
    return staff_of(user, programme.park_id)


@visibility(Programme)
def _visible_programmes(user: Any) -> ColumnElement[bool]:
    if user.role == Role.STAFF:
        return Programme.park_id.in_(staff_park_ids(user))
    if user.role == Role.MEMBER and user.team_id is not None:
        return Programme.park_id.in_(select(Team.park_id).where(Team.id == user.team_id))
    return false()


# Vouchers -----------------------------------------------------------------------------


@rule("vouchers.grant")
def can_grant_vouchers(user: Any, of: Any = None) -> bool:
    """Grant vouchers and read a programme's pool and teams: staff of the park of `of` (a
    park, a programme, a team or a voucher); with nothing, whether staff at all."""
    if of is None:
        return user.role == Role.STAFF
    return staff_of(user, _park_id(of))


@rule("vouchers.view")
def can_view_voucher(user: Any, of: Any = None) -> bool:
    """A team's vouchers (`of` a voucher or a team): staff of the park, the team's members."""
    if of is None:
        return user.role in (Role.STAFF, Role.MEMBER)
    team_id = of.id if isinstance(of, Team) else of.team_id
    return staff_of(user, _park_id(of)) or is_member_of(user, team_id)


@visibility(Voucher)
def _visible_vouchers(user: Any) -> ColumnElement[bool]:
    if user.role == Role.STAFF:
        parks = staff_park_ids(user)
        return Voucher.programme_id.in_(select(Programme.id).where(Programme.park_id.in_(parks)))
    return Voucher.team_id == user.team_id if user.role == Role.MEMBER else false()


# Providers ----------------------------------------------------------------------------


@rule("providers.view")
def can_view_provider(user: Any, provider: Any = None) -> bool:
    """The designated platforms: staff (they choose them on vouchers); a provider its own."""
    if user.role == Role.STAFF:
        return True
    return provider is not None and is_provider_of(user, provider.id)


@visibility(Provider)
def _visible_providers(user: Any) -> ColumnElement[bool]:
    if user.role == Role.STAFF:
        return true()
    return Provider.user_id == user.id if user.role == Role.PROVIDER else false()


# Usage --------------------------------------------------------------------------------


@rule("usage.write")
def can_write_usage(user: Any, provider: Any = None) -> bool:
    """Report usage: a provider, for its own provider record; staff, for any provider (they
    upload its file on its behalf: ingest_usage holds them to the teams of their parks)."""
    if user.role == Role.STAFF:
        return True
    if provider is None:
        return user.role == Role.PROVIDER
    return is_provider_of(user, provider.id)


@rule("usage_records.view")
def can_view_usage(user: Any, of: Any = None) -> bool:
    """Usage (`of` a record, a batch, a team or a park): staff of the park, the team's
    members, the provider that reported it; with nothing, whether any of those roles."""
    if of is None:
        return user.role in (Role.STAFF, Role.MEMBER, Role.PROVIDER)
    if isinstance(of, Park):  # the park's usage explorer: its staff
        return staff_of(user, of.id)
    if isinstance(of, Team):
        return staff_of(user, of.park_id) or is_member_of(user, of.id)
    if isinstance(of, UsageBatch):
        return is_provider_of(user, of.provider_id)
    return (
        staff_of(user, of.park_id)
        or is_member_of(user, of.team_id)
        or is_provider_of(user, of.provider_id)
    )


def _usage_of(user: Any, model: Any) -> ColumnElement[bool]:
    """The usage a user sees, on the records or on their monthly sums (the same columns)."""
    if user.role == Role.STAFF:
        return model.park_id.in_(staff_park_ids(user))
    if user.role == Role.MEMBER:
        return model.team_id == user.team_id
    if user.role == Role.PROVIDER:
        return model.provider_id == own_provider_ids(user)
    return false()


@visibility(UsageRecord)
def _visible_usage(user: Any) -> ColumnElement[bool]:
    return _usage_of(user, UsageRecord)


@visibility(UsageMonth)
def _visible_usage_months(user: Any) -> ColumnElement[bool]:
    return _usage_of(user, UsageMonth)


@visibility(UsageBatch)
def _visible_batches(user: Any) -> ColumnElement[bool]:
    if user.role == Role.PROVIDER:
        return UsageBatch.provider_id == own_provider_ids(user)
    if user.role == Role.STAFF:
        parks = staff_park_ids(user)
        return exists().where(UsageRecord.batch_id == UsageBatch.id, UsageRecord.park_id.in_(parks))
    return false()


# Settlements --------------------------------------------------------------------------


@rule("settlements.issue")
def can_issue_settlements(user: Any, of: Any = None) -> bool:
    """Issue a park's settlements with its providers: its staff (`of` a park or anything
    of the park); with nothing, whether staff at all."""
    if of is None:
        return user.role == Role.STAFF
    return staff_of(user, _park_id(of))


@rule("settlements.view")
def can_view_settlement(user: Any, settlement: Any = None) -> bool:
    """Staff of the settlement's park, and the provider it is with."""
    if settlement is None:
        return user.role in (Role.STAFF, Role.PROVIDER)
    return staff_of(user, settlement.park_id) or is_provider_of(user, settlement.provider_id)


@visibility(Settlement)
def _visible_settlements(user: Any) -> ColumnElement[bool]:
    if user.role == Role.STAFF:
        return Settlement.park_id.in_(staff_park_ids(user))
    if user.role == Role.PROVIDER:
        return Settlement.provider_id == own_provider_ids(user)
    return false()
