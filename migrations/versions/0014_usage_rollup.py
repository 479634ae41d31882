"""usage rollup: monthly sums of usage per park, team, provider and GPU type, vouchers' daily draws; records paged by id

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-03

usage_months holds, per (park, park-local month, team, provider, GPU type), the records'
count, GPU-hours, cost and subsidy, usage_team_months the same per (park, month, team)
(opc.compute.usage_months): the explorer's totals and chart read them instead of a month's
80,000 records. voucher_days holds what each voucher paid per park-local day of its
usage (opc.compute.voucher_days): a voucher's 30 days' burn and a programme's subsidy by
month read it instead of the draws. All are filled here from the records and their draws
(a record's subsidy_fen is the sum of its draws); the ingestion keeps them from then on.

The records' (park, month), (team, month) and (provider, month) indexes end with the id,
so that a page of a month's records, newest first, is read from the index on PostgreSQL
too (SQLite's indexes end with the rowid anyway).
"""
from collections import defaultdict
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0012'
branch_labels = None
depends_on = None

PAGED = ('park_id', 'team_id', 'provider_id')

# As opc.compute.usage_months.REBUILD at the time of writing (a migration keeps its own copy).
SUMS = "count(*), sum(gpu_hours_hundredths), sum(cost_fen), sum(subsidy_fen)"
BACKFILL = (
    "INSERT INTO usage_months (park_id, month, team_id, provider_id, gpu_type, records,"
    " gpu_hours_hundredths, cost_fen, subsidy_fen)"
    f" SELECT park_id, month, team_id, provider_id, gpu_type, {SUMS} FROM usage_records"
    " GROUP BY park_id, month, team_id, provider_id, gpu_type",
    "INSERT INTO usage_team_months (park_id, month, team_id, records, gpu_hours_hundredths,"
    f" cost_fen, subsidy_fen) SELECT park_id, month, team_id, {SUMS} FROM usage_records"
    " GROUP BY park_id, month, team_id",
)
CHECK = 'records > 0 AND cost_fen >= 0 AND subsidy_fen >= 0 AND subsidy_fen <= cost_fen'


def _sums():
    return [
        sa.Column('records', sa.BigInteger(), nullable=False),
        sa.Column('gpu_hours_hundredths', sa.BigInteger(), nullable=False),
        sa.Column('cost_fen', sa.BigInteger(), nullable=False),
        sa.Column('subsidy_fen', sa.BigInteger(), nullable=False),
    ]


def _local_day(started_at, zone):
    # As opc.compute.voucher_days.local_day at the time of writing.
    if isinstance(started_at, str):  # SQLite: the UTC text SQLAlchemy writes
        started_at = datetime.fromisoformat(started_at).replace(tzinfo=timezone.utc)
    return started_at.astimezone(ZoneInfo(zone)).date()


def _backfill_voucher_days():
    """Each voucher's draws summed per park-local day of their records' start (the day is
    worked out here: SQLite has no time zones)."""
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT d.voucher_id, r.started_at, p.timezone, d.subsidy_fen FROM usage_draws d"
        " JOIN usage_records r ON r.id = d.record_id JOIN parks p ON p.id = r.park_id"
    ))
    found = defaultdict(int)
    for voucher_id, started_at, zone, fen in rows:
        found[(voucher_id, _local_day(started_at, zone))] += fen
    table = sa.table('voucher_days', sa.column('voucher_id'), sa.column('day', sa.Date()),
                     sa.column('subsidy_fen'))
    values = [{'voucher_id': v, 'day': d, 'subsidy_fen': fen} for (v, d), fen in sorted(found.items())]
    for start in range(0, len(values), 5000):
        bind.execute(table.insert(), values[start:start + 5000])


def upgrade():
    op.create_table('usage_months',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('park_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('gpu_type', sa.String(length=40), nullable=False),
    *_sums(),
    sa.CheckConstraint(CHECK, name=op.f('ck_usage_months_sums_valid')),
    sa.ForeignKeyConstraint(['park_id'], ['parks.id'], name=op.f('fk_usage_months_park_id_parks')),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_usage_months_provider_id_providers')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_usage_months_team_id_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_usage_months')),
    sa.UniqueConstraint('park_id', 'month', 'team_id', 'provider_id', 'gpu_type', name='uq_usage_months_key')
    )
    with op.batch_alter_table('usage_months', schema=None) as batch_op:
        batch_op.create_index('ix_usage_months_team_id_month', ['team_id', 'month'], unique=False)
    op.create_table('usage_team_months',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('park_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    *_sums(),
    sa.CheckConstraint(CHECK, name=op.f('ck_usage_team_months_sums_valid')),
    sa.ForeignKeyConstraint(['park_id'], ['parks.id'], name=op.f('fk_usage_team_months_park_id_parks')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_usage_team_months_team_id_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_usage_team_months')),
    sa.UniqueConstraint('park_id', 'month', 'team_id', name='uq_usage_team_months_key')
    )
    for sql in BACKFILL:
        op.execute(sql)
    op.create_table('voucher_days',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('voucher_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('subsidy_fen', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('subsidy_fen > 0', name=op.f('ck_voucher_days_subsidy_positive')),
    sa.ForeignKeyConstraint(['voucher_id'], ['vouchers.id'], name=op.f('fk_voucher_days_voucher_id_vouchers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_voucher_days')),
    sa.UniqueConstraint('voucher_id', 'day', name='uq_voucher_days_voucher_id_day')
    )
    _backfill_voucher_days()

    with op.batch_alter_table('usage_records', schema=None) as batch_op:
        for column in PAGED:
            batch_op.drop_index(f'ix_usage_records_{column}_month')
            batch_op.create_index(f'ix_usage_records_{column}_month_id', [column, 'month', 'id'], unique=False)


def downgrade():
    op.drop_table('voucher_days')
    with op.batch_alter_table('usage_records', schema=None) as batch_op:
        for column in PAGED:
            batch_op.drop_index(f'ix_usage_records_{column}_month_id')
            batch_op.create_index(f'ix_usage_records_{column}_month', [column, 'month'], unique=False)
    op.drop_table('usage_team_months')
    with op.batch_alter_table('usage_months', schema=None) as batch_op:
        batch_op.drop_index('ix_usage_months_team_id_month')
    op.drop_table('usage_months')
