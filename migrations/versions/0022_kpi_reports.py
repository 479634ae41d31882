"""kpi reports: a team's quarterly KPIs (versions, one current per quarter), a team's founding date

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03

Exactly one current version of a team's quarter: a partial unique index.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('kpi_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.SmallInteger(), nullable=False),
    sa.Column('quarter', sa.SmallInteger(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('revenue_fen', sa.BigInteger(), nullable=False),
    sa.Column('financing_fen', sa.BigInteger(), nullable=False),
    sa.Column('rnd_fen', sa.BigInteger(), nullable=False),
    sa.Column('taxes_fen', sa.BigInteger(), nullable=False),
    sa.Column('headcount', sa.Integer(), nullable=False),
    sa.Column('graduates_hired', sa.Integer(), nullable=False),
    sa.Column('patents_applied', sa.Integer(), nullable=False),
    sa.Column('patents_granted', sa.Integer(), nullable=False),
    sa.Column('software_copyrights_applied', sa.Integer(), nullable=False),
    sa.Column('software_copyrights_granted', sa.Integer(), nullable=False),
    sa.Column('trademarks_applied', sa.Integer(), nullable=False),
    sa.Column('trademarks_granted', sa.Integer(), nullable=False),
    sa.Column('works_released', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('filed_by_id', sa.Integer(), nullable=True),
    sa.Column('superseded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('graduates_hired <= headcount', name=op.f('ck_kpi_reports_graduates_within_headcount')),
    sa.CheckConstraint('quarter BETWEEN 1 AND 4', name=op.f('ck_kpi_reports_quarter_known')),
    sa.CheckConstraint('revenue_fen >= 0 AND financing_fen >= 0 AND rnd_fen >= 0 AND taxes_fen >= 0 AND headcount >= 0 AND graduates_hired >= 0 AND patents_applied >= 0 AND patents_granted >= 0 AND software_copyrights_applied >= 0 AND software_copyrights_granted >= 0 AND trademarks_applied >= 0 AND trademarks_granted >= 0 AND works_released >= 0', name=op.f('ck_kpi_reports_figures_not_negative')),
    sa.CheckConstraint('version >= 1', name=op.f('ck_kpi_reports_version_positive')),
    sa.CheckConstraint('year BETWEEN 2000 AND 2100', name=op.f('ck_kpi_reports_year_sane')),
    sa.ForeignKeyConstraint(['filed_by_id'], ['users.id'], name=op.f('fk_kpi_reports_filed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_kpi_reports_team_id_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_reports')),
    sa.UniqueConstraint('team_id', 'year', 'quarter', 'version', name='uq_kpi_reports_team_id_quarter')
    )
    with op.batch_alter_table('kpi_reports', schema=None) as batch_op:
        batch_op.create_index('ix_kpi_reports_year_quarter', ['year', 'quarter'], unique=False)
        batch_op.create_index('uq_kpi_reports_team_id_current', ['team_id', 'year', 'quarter'], unique=True, sqlite_where=sa.text('superseded_at IS NULL'), postgresql_where=sa.text('superseded_at IS NULL'))

    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.add_column(sa.Column('founded_on', sa.Date(), nullable=True))



def downgrade():
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.drop_column('founded_on')

    with op.batch_alter_table('kpi_reports', schema=None) as batch_op:
        batch_op.drop_index('uq_kpi_reports_team_id_current', sqlite_where=sa.text('superseded_at IS NULL'), postgresql_where=sa.text('superseded_at IS NULL'))
        batch_op.drop_index('ix_kpi_reports_year_quarter')

    op.drop_table('kpi_reports')
