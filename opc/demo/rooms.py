"""Demo shared rooms and their bookings: in Chengdu a meeting room and a green-screen booth
for shoots open to residents (a few free hours a month, a rate beyond them) and the
roadshow hall, booked by staff only at a rate; in Shougang two meeting rooms (no rate: the
free hours are all there is) and the forum hall.

Bookings by several teams this week and next, the member login's team among them, whose
shoot runs past its free hours so that a room charge lands on this month's statement, and
one booking cancelled. A booking still to come is made by `book` as its team (or staff)
would; one whose time has passed this week — `book` refuses a time passed — is written as
it was booked then, its charge counted by the same quota functions, in time order so that
the later bookings count the earlier ones' hours. Deterministic: the same plan every run,
dated from the park-local Monday of this week."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from opc.auth.models import User
from opc.auth.operations import create_user
from opc.core.db import utcnow
from opc.parks.models import Park
from opc.rooms.models import ALL_WEEKDAYS, WORKDAYS, Booking, BookingStatus, Room
from opc.rooms.operations.bookings import book, cancel_booking, charge
from opc.rooms.operations.rooms import set_room
from opc.rooms.queries import minutes_used
from opc.space.models import Unit
from opc.teams.models import Team

MEMBER_TEAM = "星云工作室"  # the member login's team (opc.demo.MEMBER_TEAM)


@dataclass(frozen=True)
class RoomSpec:
    code: str
    opens: int  # minutes from midnight
    closes: int
    weekdays: int
    slot: int
    bookable_by: str
    free_hours: int
    rate_yuan: str | None


ROOMS = {
    "CD-OPC": (
        RoomSpec("2-M01", 9 * 60, 21 * 60, ALL_WEEKDAYS, 30, "residents", 8, "40"),
        RoomSpec("1-P01", 9 * 60, 19 * 60, WORKDAYS, 60, "residents", 2, "120"),
        RoomSpec("1-SR01", 9 * 60, 22 * 60, ALL_WEEKDAYS, 60, "staff", 4, "300"),
    ),
    "SG-SCIFI": (
        RoomSpec("M01", 9 * 60, 18 * 60, WORKDAYS, 30, "residents", 10, None),
        RoomSpec("M02", 9 * 60, 18 * 60, WORKDAYS, 30, "residents", 10, None),
        RoomSpec("F01", 8 * 60, 22 * 60, ALL_WEEKDAYS, 60, "staff", 0, "800"),
    ),
}


@dataclass(frozen=True)
class Plan:
    room: str
    team: str | None  # a named team; None: the park's own use (staff)
    day: int  # days after the park-local Monday of this week
    at: str  # HH:MM, park time
    minutes: int
    title: str
    cancel: str = ""  # the team's reason, when it cancels it again


# The member's team's shoot (over its free hours) is placed apart: see _shoot_day.
BOOKINGS = {
    "CD-OPC": (
        Plan("2-M01", MEMBER_TEAM, 1, "10:00", 120, "剧本围读"),
        Plan("2-M01", "幻境影业", 1, "14:00", 90, "客户提案会"),
        Plan("2-M01", "光年叙事", 2, "09:30", 60, "周例会"),
        Plan("1-P01", "赛博演员坊", 2, "14:00", 120, "数字人口播拍摄"),
        Plan("2-M01", "智能体工坊", 3, "15:00", 120, "投资人电话会"),
        Plan("1-SR01", "智能体工坊", 4, "14:00", 120, "产品发布会彩排"),
        Plan("1-SR01", None, 7, "09:00", 180, "园区月度例会"),
        Plan("2-M01", MEMBER_TEAM, 8, "10:00", 180, "分镜评审"),
        Plan("2-M01", "赛博演员坊", 9, "13:30", 90, "合作洽谈"),
        Plan("1-P01", "灵犀虚拟人", 9, "09:00", 180, "虚拟人形象拍摄"),
        Plan("2-M01", "幻境影业", 10, "16:00", 60, "剪辑复盘"),
        Plan("2-M01", "光年叙事", 11, "10:00", 120, "季度规划会", cancel="项目会议改期。"),
    ),
    "SG-SCIFI": (
        Plan("M01", "钢铁特效", 1, "10:00", 90, "特效镜头评审"),
        Plan("M02", "沉浸空间", 3, "14:00", 60, "展陈方案讨论"),
        Plan("M01", "硬核机甲", 8, "09:30", 120, "供应商会议"),
        Plan("F01", "科幻内容社", 9, "14:00", 180, "新书发布会"),
    ),
}
SHOOT = Plan("1-P01", MEMBER_TEAM, 0, "10:00", 240, "AI 漫剧第二季定妆照拍摄")


def seed_rooms(session: Session, park: Park, staff: User, member: User | None) -> None:
    """The park's bookable rooms and their bookings (see the module's doc)."""
    specs = ROOMS.get(park.code, ())
    units = {
        u.code: u
        for u in session.scalars(
            select(Unit).where(Unit.park_id == park.id, Unit.code.in_([s.code for s in specs]))
        )
    }
    rooms: dict[str, Room] = {}
    for spec in specs:
        if spec.code in units:
            rooms[spec.code] = set_room(
                actor=staff,
                unit_id=units[spec.code].id,
                opens_minute=spec.opens,
                closes_minute=spec.closes,
                weekdays=spec.weekdays,
                slot_minutes=spec.slot,
                bookable_by=spec.bookable_by,
                free_hours_per_month=spec.free_hours,
                rate_yuan_per_hour=spec.rate_yuan,
            )
    zone = ZoneInfo(park.timezone)
    now = utcnow()
    today = now.astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    plans = list(BOOKINGS.get(park.code, ()))
    if park.code == "CD-OPC":
        plans.append(_shoot_day(today, monday))
    teams = {t.name_zh: t for t in session.scalars(select(Team).where(Team.park_id == park.id))}
    made = sorted(
        ((plan, _start(monday, plan, zone)) for plan in plans if plan.room in rooms),
        key=lambda pair: pair[1],
    )
    for plan, start in made:
        room = rooms[plan.room]
        team = teams.get(plan.team) if plan.team else None
        actor = staff
        if team is not None and room.bookable_by == "residents":
            actor = member if member is not None and member.team_id == team.id else None
            actor = actor or member_of(session, team)
        end = start + timedelta(minutes=plan.minutes)
        if start <= now + timedelta(minutes=10):
            booking = _booked_then(session, room, team, start, end, plan.title, actor, zone)
        else:
            booking = book(
                actor=actor,
                unit_id=room.unit_id,
                team_id=team.id if team else None,
                starts_at=start,
                ends_at=end,
                title=plan.title,
            )
        if plan.cancel:
            cancel_booking(booking.id, actor=actor, reason=plan.cancel)
    session.flush()


def _shoot_day(today: date, monday: date) -> Plan:
    """The member's team's shoot: the first working day after today in this month (the
    charge shows on this month's statement), else the last one before it."""
    later = [today + timedelta(days=n) for n in range(1, 8)]
    earlier = [today - timedelta(days=n) for n in range(0, 8)]
    for day in (*later, *earlier):
        if day.month == today.month and day.weekday() < 5:
            return replace(SHOOT, day=(day - monday).days)
    return SHOOT


def _start(monday: date, plan: Plan, zone: ZoneInfo) -> datetime:
    hour, minute = map(int, plan.at.split(":"))
    return datetime.combine(monday + timedelta(days=plan.day), time(hour, minute), zone)


def _booked_then(
    session: Session,
    room: Room,
    team: Team | None,
    start: datetime,
    end: datetime,
    title: str,
    actor: User,
    zone: ZoneInfo,
) -> Booking:
    """A booking whose time has come, as `book` made it then: its quota counted alike."""
    month = start.astimezone(zone).strftime("%Y-%m")
    minutes = int((end - start).total_seconds()) // 60
    charged, fen = (0, 0)
    if team is not None:
        used = minutes_used(session, team.id, month).get(room.unit_id, 0)
        charged, fen = charge(room, used, minutes)
    booking = Booking(
        unit_id=room.unit_id,
        park_id=room.park_id,
        team_id=team.id if team else None,
        starts_at=start,
        ends_at=end,
        month=month,
        title=title,
        status=BookingStatus.CONFIRMED,
        booked_by_id=actor.id,
        charged_minutes=charged,
        charge_fen=fen,
        cancel_reason="",
        created_at=start - timedelta(days=2),
    )
    session.add(booking)
    session.flush()
    return booking


def member_of(session: Session, team: Team) -> User:
    """The team's contact as a member login (no password), made once."""
    user = session.scalar(select(User).where(User.team_id == team.id).order_by(User.id))
    return user or create_user(
        team.contact_email, role="member", password=None, name=team.contact_name, team_id=team.id
    )
