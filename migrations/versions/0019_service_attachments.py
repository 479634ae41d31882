"""service attachments: files a team or staff attach to a service request

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03

The bytes are kept by opc.core.storage under a random key; the row names them.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('service_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('storage_key', sa.String(length=200), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('pdf', 'png', 'jpeg', 'xlsx', 'docx')", name=op.f('ck_service_attachments_kind_known')),
    sa.CheckConstraint('size > 0', name=op.f('ck_service_attachments_size_positive')),
    sa.ForeignKeyConstraint(['request_id'], ['service_requests.id'], name=op.f('fk_service_attachments_request_id_service_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_service_attachments_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_attachments')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_service_attachments_storage_key'))
    )
    with op.batch_alter_table('service_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_attachments_request_id'), ['request_id'], unique=False)



def downgrade():
    with op.batch_alter_table('service_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_attachments_request_id'))

    op.drop_table('service_attachments')
