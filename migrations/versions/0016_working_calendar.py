"""working calendar: a park's calendar years (complete or not) and its overrides of days

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03

China's working calendar comes from the chinesecalendar package; a park's admins override
single days (off, working, half day) and mark a year complete when they entered all of its
holidays themselves (opc.parks.workdays).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calendar_years',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('park_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('complete', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['park_id'], ['parks.id'], name=op.f('fk_calendar_years_park_id_parks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_years')),
    sa.UniqueConstraint('park_id', 'year', name='uq_calendar_years_park_id_year')
    )
    op.create_table('calendar_overrides',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('works_until', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(kind = 'half' AND works_until IS NOT NULL) OR (kind <> 'half' AND works_until IS NULL)", name=op.f('ck_calendar_overrides_half_day_has_end')),
    sa.CheckConstraint('works_until > 0 AND works_until < 1440', name=op.f('ck_calendar_overrides_half_day_end_in_day')),
    sa.CheckConstraint("kind IN ('off', 'working', 'half')", name=op.f('ck_calendar_overrides_kind_known')),
    sa.ForeignKeyConstraint(['year_id'], ['calendar_years.id'], name=op.f('fk_calendar_overrides_year_id_calendar_years'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_overrides')),
    sa.UniqueConstraint('year_id', 'day', name='uq_calendar_overrides_year_id_day')
    )
    with op.batch_alter_table('calendar_overrides', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_overrides_year_id'), ['year_id'], unique=False)


def downgrade():
    with op.batch_alter_table('calendar_overrides', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_overrides_year_id'))

    op.drop_table('calendar_overrides')
    op.drop_table('calendar_years')
