"""usage rollup: monthly sums of usage per park, team, provider and GPU type; records paged by id

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-03

usage_months holds, per (park, park-local month, team, provider, GPU type), the records'
count, GPU-hours, cost and subsidy, usage_team_months the same per (park, month, team)
(opc.compute.usage_months): the explorer's totals and chart read them instead of a month's
80,000 records. They are filled here from the records (their subsidy_fen is the sum of
their draws); the ingestion keeps them from then on.

The records' (park, month), (team, month) and (provider, month) indexes end with the id,
so that a page of a month's records, newest first, is read from the index on PostgreSQL
too (SQLite's indexes end with the rowid anyway).
"""
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

    with op.batch_alter_table('usage_records', schema=None) as batch_op:
        for column in PAGED:
            batch_op.drop_index(f'ix_usage_records_{column}_month')
            batch_op.create_index(f'ix_usage_records_{column}_month_id', [column, 'month', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('usage_records', schema=None) as batch_op:
        for column in PAGED:
            batch_op.drop_index(f'ix_usage_records_{column}_month_id')
            batch_op.create_index(f'ix_usage_records_{column}_month', [column, 'month'], unique=False)
    op.drop_table('usage_team_months')
    with op.batch_alter_table('usage_months', schema=None) as batch_op:
        batch_op.drop_index('ix_usage_months_team_id_month')
    op.drop_table('usage_months')
