"""statements: a team's issued statement for a month and its lines, frozen

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01

Only issued statements are stored (drafts are computed from the data). The database
refuses any change of an issued statement or of its lines, not only the code: a trigger
raises `statement_frozen` on UPDATE (SQLite: RAISE(ABORT); PostgreSQL: a trigger function
whose error names the rule as its constraint, so the app answers 409 with the rule).
"""
from alembic import op
import sqlalchemy as sa

FROZEN_TABLES = ('statements', 'statement_lines')


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('statements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('park_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('gross_fen', sa.BigInteger(), nullable=False),
    sa.Column('waived_fen', sa.BigInteger(), nullable=False),
    sa.Column('adjustments_fen', sa.BigInteger(), nullable=False),
    sa.Column('net_fen', sa.BigInteger(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('net_fen = gross_fen - waived_fen + adjustments_fen', name=op.f('ck_statements_net_adds_up')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_statements_issued_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['park_id'], ['parks.id'], name=op.f('fk_statements_park_id_parks')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_statements_team_id_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statements')),
    sa.UniqueConstraint('team_id', 'month', name='uq_statements_team_id_month')
    )
    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.create_index('ix_statements_park_id_month', ['park_id', 'month'], unique=False)

    op.create_table('statement_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('days', sa.Integer(), nullable=True),
    sa.Column('area_m2', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('rate_fen', sa.Integer(), nullable=True),
    sa.Column('allocation_id', sa.Integer(), nullable=True),
    sa.Column('waiver_id', sa.Integer(), nullable=True),
    sa.Column('policy_id', sa.Integer(), nullable=True),
    sa.Column('corrects_month', sa.String(length=7), nullable=True),
    sa.CheckConstraint("kind IN ('rent', 'waiver', 'adjustment', 'clawback', 'rounding')", name=op.f('ck_statement_lines_kind_known')),
    sa.ForeignKeyConstraint(['allocation_id'], ['allocations.id'], name=op.f('fk_statement_lines_allocation_id_allocations')),
    sa.ForeignKeyConstraint(['policy_id'], ['rent_policies.id'], name=op.f('fk_statement_lines_policy_id_rent_policies')),
    sa.ForeignKeyConstraint(['statement_id'], ['statements.id'], name=op.f('fk_statement_lines_statement_id_statements')),
    sa.ForeignKeyConstraint(['waiver_id'], ['rent_waivers.id'], name=op.f('fk_statement_lines_waiver_id_rent_waivers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statement_lines')),
    sa.UniqueConstraint('statement_id', 'position', name='uq_statement_lines_statement_id_position')
    )
    with op.batch_alter_table('statement_lines', schema=None) as batch_op:
        batch_op.create_index('ix_statement_lines_policy_id', ['policy_id'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            "CREATE FUNCTION statement_frozen() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'statement_frozen' "
            "USING ERRCODE = 'integrity_constraint_violation', CONSTRAINT = 'statement_frozen'; "
            "END $$"
        )
        for table in FROZEN_TABLES:
            op.execute(
                f"CREATE TRIGGER tr_{table}_frozen BEFORE UPDATE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION statement_frozen()"
            )
    else:
        for table in FROZEN_TABLES:
            op.execute(
                f"CREATE TRIGGER tr_{table}_frozen BEFORE UPDATE ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'statement_frozen'); END"
            )


def downgrade():
    for table in FROZEN_TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS tr_{table}_frozen" + (f" ON {table}" if op.get_bind().dialect.name == 'postgresql' else ""))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP FUNCTION IF EXISTS statement_frozen()")
    with op.batch_alter_table('statement_lines', schema=None) as batch_op:
        batch_op.drop_index('ix_statement_lines_policy_id')

    op.drop_table('statement_lines')
    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.drop_index('ix_statements_park_id_month')

    op.drop_table('statements')
