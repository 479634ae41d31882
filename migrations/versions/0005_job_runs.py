"""job runs: one row per scheduled job and period, claimed before the job acts

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

The scheduler process inserts (job, period) before it runs a job, so the unique key lets
one of several schedulers on the database run each period; a lease lets another take
over a run whose process died.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job', sa.String(length=100), nullable=False),
    sa.Column('period', sa.String(length=40), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_by', sa.String(length=100), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.CheckConstraint("state IN ('claimed', 'running', 'succeeded', 'failed')", name=op.f('ck_job_runs_state_known')),
    sa.CheckConstraint('attempts >= 1', name=op.f('ck_job_runs_attempts_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_runs')),
    sa.UniqueConstraint('job', 'period', name='uq_job_runs_job_period')
    )


def downgrade():
    op.drop_table('job_runs')
