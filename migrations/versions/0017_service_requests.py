"""service requests: a team's requests to the park's workstation, their timelines, and
the SLA breach warnings sent (once per request and kind)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03

SLA targets are copied onto each request when it opens; due instants are counted in working
minutes on the park's calendar (opc.parks.workdays) by opc.service.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('service_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('park_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=24), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('response_minutes', sa.Integer(), nullable=False),
    sa.Column('resolution_minutes', sa.Integer(), nullable=False),
    sa.Column('first_response_due', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolution_due', sa.DateTime(timezone=True), nullable=True),
    sa.Column('clock_from', sa.DateTime(timezone=True), nullable=False),
    sa.Column('waited_minutes', sa.Integer(), nullable=False),
    sa.Column('waiting_since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('first_responded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('rating_comment', sa.Text(), nullable=False),
    sa.Column('rated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("category IN ('company_registration', 'ip_copyright', 'financing', 'talent_visas', 'compute_access', 'facilities', 'policy_consultation', 'other')", name=op.f('ck_service_requests_category_known')),
    sa.CheckConstraint("status IN ('open', 'triaged', 'assigned', 'in_progress', 'waiting_on_team', 'resolved', 'closed', 'reopened')", name=op.f('ck_service_requests_status_known')),
    sa.CheckConstraint('rating IS NULL OR (rating >= 1 AND rating <= 5)', name=op.f('ck_service_requests_rating_in_range')),
    sa.CheckConstraint('response_minutes > 0 AND resolution_minutes > 0', name=op.f('ck_service_requests_targets_positive')),
    sa.CheckConstraint('waited_minutes >= 0', name=op.f('ck_service_requests_waited_not_negative')),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], name=op.f('fk_service_requests_assignee_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['opened_by_id'], ['users.id'], name=op.f('fk_service_requests_opened_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['park_id'], ['parks.id'], name=op.f('fk_service_requests_park_id_parks')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_service_requests_team_id_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_requests'))
    )
    with op.batch_alter_table('service_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_requests_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index('ix_service_requests_park_id_status', ['park_id', 'status'], unique=False)
        batch_op.create_index('ix_service_requests_team_id', ['team_id'], unique=False)

    op.create_table('service_breaches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('first_response', 'resolution')", name=op.f('ck_service_breaches_kind_known')),
    sa.ForeignKeyConstraint(['request_id'], ['service_requests.id'], name=op.f('fk_service_breaches_request_id_service_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_breaches')),
    sa.UniqueConstraint('request_id', 'kind', name='uq_service_breaches_request_id_kind')
    )
    op.create_table('service_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('internal', sa.Boolean(), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=True),
    sa.Column('to_status', sa.String(length=16), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind <> 'note' OR internal", name=op.f('ck_service_events_notes_internal')),
    sa.CheckConstraint("kind IN ('status', 'comment', 'note', 'assigned', 'triaged', 'rated')", name=op.f('ck_service_events_kind_known')),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_service_events_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['request_id'], ['service_requests.id'], name=op.f('fk_service_events_request_id_service_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_events'))
    )
    with op.batch_alter_table('service_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_events_request_id'), ['request_id'], unique=False)



def downgrade():
    with op.batch_alter_table('service_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_events_request_id'))

    op.drop_table('service_events')
    op.drop_table('service_breaches')
    with op.batch_alter_table('service_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_service_requests_team_id')
        batch_op.drop_index('ix_service_requests_park_id_status')
        batch_op.drop_index(batch_op.f('ix_service_requests_assignee_id'))

    op.drop_table('service_requests')
