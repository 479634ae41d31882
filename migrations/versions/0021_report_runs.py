"""report runs: the monthly subsidy report's runs (one per park, kind, period, version) and files

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03

At most one run of a park's report for a period is running: a partial unique index.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

RUNNING_ONLY = "status = 'running'"


def upgrade():
    op.create_table('report_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('park_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('source', sa.String(length=12), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('mailed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('running', 'done', 'failed')", name=op.f('ck_report_runs_status_known')),
    sa.CheckConstraint("kind IN ('monthly_subsidy')", name=op.f('ck_report_runs_kind_known')),
    sa.CheckConstraint("source IN ('scheduler', 'manual')", name=op.f('ck_report_runs_source_known')),
    sa.CheckConstraint('version >= 1 AND attempts >= 1', name=op.f('ck_report_runs_counts_positive')),
    sa.ForeignKeyConstraint(['park_id'], ['parks.id'], name=op.f('fk_report_runs_park_id_parks')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_report_runs_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_runs')),
    sa.UniqueConstraint('park_id', 'kind', 'period', 'version', name='uq_report_runs_park_id_kind_period')
    )
    with op.batch_alter_table('report_runs', schema=None) as batch_op:
        batch_op.create_index('ix_report_runs_park_id_period', ['park_id', 'period'], unique=False)
        batch_op.create_index('uq_report_runs_park_id_running', ['park_id', 'kind', 'period'], unique=True, sqlite_where=sa.text(RUNNING_ONLY), postgresql_where=sa.text(RUNNING_ONLY))

    op.create_table('report_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('format', sa.String(length=8), nullable=False),
    sa.Column('storage_key', sa.String(length=200), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.CheckConstraint("format IN ('csv', 'xlsx')", name=op.f('ck_report_files_format_known')),
    sa.ForeignKeyConstraint(['run_id'], ['report_runs.id'], name=op.f('fk_report_files_run_id_report_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_files')),
    sa.UniqueConstraint('run_id', 'format', name=op.f('uq_report_files_run_id_format'))
    )


def downgrade():
    op.drop_table('report_files')
    with op.batch_alter_table('report_runs', schema=None) as batch_op:
        batch_op.drop_index('uq_report_runs_park_id_running', sqlite_where=sa.text(RUNNING_ONLY), postgresql_where=sa.text(RUNNING_ONLY))
        batch_op.drop_index('ix_report_runs_park_id_period')
    op.drop_table('report_runs')
