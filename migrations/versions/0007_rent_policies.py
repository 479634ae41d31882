"""park settings; rent policies with their step schedules, and waivers

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01

Per-park settings are one row per park and key (opc.parks.settings); rent defines the first
keys (four-eyes approval, statement due day, rounding). A policy's schedule is its steps in
order; a waiver grants a policy's schedule or a one-off percentage or amount to a team.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('park_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('park_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('value', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['park_id'], ['parks.id'], name=op.f('fk_park_settings_park_id_parks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_park_settings')),
    sa.UniqueConstraint('park_id', 'key', name='uq_park_settings_park_id_key')
    )
    op.create_table('rent_policies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('park_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name_zh', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('document', sa.String(length=300), nullable=False),
    sa.Column('area_cap_m2', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('tracks', sa.JSON(), nullable=False),
    sa.Column('kinds', sa.JSON(), nullable=False),
    sa.Column('clawback_within_months', sa.Integer(), nullable=True),
    sa.Column('clawback_last_months', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(clawback_within_months IS NULL AND clawback_last_months IS NULL) OR (clawback_within_months > 0 AND clawback_last_months > 0)', name=op.f('ck_rent_policies_clawback_complete')),
    sa.CheckConstraint('area_cap_m2 IS NULL OR area_cap_m2 > 0', name=op.f('ck_rent_policies_area_cap_positive')),
    sa.ForeignKeyConstraint(['park_id'], ['parks.id'], name=op.f('fk_rent_policies_park_id_parks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rent_policies')),
    sa.UniqueConstraint('park_id', 'code', name='uq_rent_policies_park_id_code')
    )
    with op.batch_alter_table('rent_policies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rent_policies_park_id'), ['park_id'], unique=False)

    op.create_table('rent_policy_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('policy_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('months', sa.Integer(), nullable=True),
    sa.Column('percent', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.CheckConstraint('months IS NULL OR months > 0', name=op.f('ck_rent_policy_steps_months_positive')),
    sa.CheckConstraint('percent > 0 AND percent <= 100', name=op.f('ck_rent_policy_steps_percent_range')),
    sa.ForeignKeyConstraint(['policy_id'], ['rent_policies.id'], name=op.f('fk_rent_policy_steps_policy_id_rent_policies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rent_policy_steps')),
    sa.UniqueConstraint('policy_id', 'position', name='uq_rent_policy_steps_policy_id_position')
    )
    op.create_table('rent_waivers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('policy_id', sa.Integer(), nullable=True),
    sa.Column('percent', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('amount_fen', sa.BigInteger(), nullable=True),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('end', sa.Date(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("policy_id IS NOT NULL OR reason <> ''", name=op.f('ck_rent_waivers_cites_policy_or_reason')),
    sa.CheckConstraint("status IN ('proposed', 'approved', 'rejected', 'withdrawn')", name=op.f('ck_rent_waivers_status_known')),
    sa.CheckConstraint('"end" IS NULL OR "end" > start', name=op.f('ck_rent_waivers_end_after_start')),
    sa.CheckConstraint('amount_fen IS NULL OR amount_fen > 0', name=op.f('ck_rent_waivers_amount_positive')),
    sa.CheckConstraint('percent IS NOT NULL OR amount_fen IS NOT NULL OR policy_id IS NOT NULL', name=op.f('ck_rent_waivers_has_benefit')),
    sa.CheckConstraint('percent IS NULL OR (percent > 0 AND percent <= 100)', name=op.f('ck_rent_waivers_percent_range')),
    sa.CheckConstraint('percent IS NULL OR amount_fen IS NULL', name=op.f('ck_rent_waivers_percent_or_amount')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_rent_waivers_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['policy_id'], ['rent_policies.id'], name=op.f('fk_rent_waivers_policy_id_rent_policies')),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['users.id'], name=op.f('fk_rent_waivers_proposed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_rent_waivers_team_id_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rent_waivers'))
    )
    with op.batch_alter_table('rent_waivers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rent_waivers_policy_id'), ['policy_id'], unique=False)
        batch_op.create_index('ix_rent_waivers_status', ['status'], unique=False)
        batch_op.create_index('ix_rent_waivers_team_id_status', ['team_id', 'status'], unique=False)



def downgrade():
    with op.batch_alter_table('rent_waivers', schema=None) as batch_op:
        batch_op.drop_index('ix_rent_waivers_team_id_status')
        batch_op.drop_index('ix_rent_waivers_status')
        batch_op.drop_index(batch_op.f('ix_rent_waivers_policy_id'))

    op.drop_table('rent_waivers')
    op.drop_table('rent_policy_steps')
    with op.batch_alter_table('rent_policies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rent_policies_park_id'))

    op.drop_table('rent_policies')
    op.drop_table('park_settings')
