"""resident directory: the shared list of skills (seeded), teams' profiles of what they
offer and need, and the introductions staff make between teams

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03

Skills have stable codes that the API and filters use; admins add more (opc.directory).
"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

# The first list of skills and services (code, Chinese, English); admins add more.
SKILLS = [
    ('aigc_video', 'AIGC视频', 'AIGC video'),
    ('motion_capture', '动作捕捉', 'motion capture'),
    ('3d_assets', '3D资产', '3D assets'),
    ('voice', '配音', 'voice'),
    ('game_engine', '游戏引擎', 'game engine'),
    ('digital_humans', '数字人', 'digital humans'),
    ('vfx', '视觉特效', 'visual effects'),
    ('scriptwriting', '剧本创作', 'scriptwriting'),
    ('music', '音乐与音效', 'music and sound'),
    ('post_production', '后期制作', 'post-production'),
    ('virtual_production', '虚拟制片', 'virtual production'),
    ('xr', 'XR与沉浸式体验', 'XR and immersive'),
    ('model_training', '模型训练', 'model training'),
    ('data_annotation', '数据标注', 'data annotation'),
    ('software', '软件开发', 'software development'),
    ('compute', '算力', 'compute'),
    ('legal', '法律服务', 'legal'),
    ('ip_licensing', '版权与IP授权', 'IP licensing'),
    ('financing', '融资', 'financing'),
    ('marketing', '市场推广', 'marketing'),
    ('distribution', '发行渠道', 'distribution'),
    ('overseas', '出海', 'going overseas'),
]


SEEDED = datetime(2026, 12, 3, tzinfo=timezone.utc)


def upgrade():
    skills = op.create_table('skills',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name_zh', sa.String(length=100), nullable=False),
    sa.Column('name_en', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_skills')),
    sa.UniqueConstraint('code', name=op.f('uq_skills_code'))
    )
    op.create_table('team_profiles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('hidden', sa.Boolean(), nullable=False),
    sa.Column('offers_text', sa.Text(), nullable=False),
    sa.Column('needs_text', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_team_profiles_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_team_profiles')),
    sa.UniqueConstraint('team_id', name=op.f('uq_team_profiles_team_id'))
    )
    for side in ('offers', 'needs'):
        op.create_table(f'profile_{side}',
        sa.Column('profile_id', sa.Integer(), nullable=False),
        sa.Column('skill_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['profile_id'], ['team_profiles.id'], name=op.f(f'fk_profile_{side}_profile_id_team_profiles'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['skill_id'], ['skills.id'], name=op.f(f'fk_profile_{side}_skill_id_skills'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('profile_id', 'skill_id', name=op.f(f'pk_profile_{side}'))
        )
    op.create_table('introductions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('park_id', sa.Integer(), nullable=False),
    sa.Column('team_a_id', sa.Integer(), nullable=False),
    sa.Column('team_b_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('made_by_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.Column('outcome_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('team_a_id <> team_b_id', name=op.f('ck_introductions_two_teams')),
    sa.CheckConstraint("outcome IS NULL OR outcome IN ('met', 'collaborated', 'no_fit')", name=op.f('ck_introductions_outcome_known')),
    sa.ForeignKeyConstraint(['made_by_id'], ['users.id'], name=op.f('fk_introductions_made_by_id_users')),
    sa.ForeignKeyConstraint(['outcome_by_id'], ['users.id'], name=op.f('fk_introductions_outcome_by_id_users')),
    sa.ForeignKeyConstraint(['park_id'], ['parks.id'], name=op.f('fk_introductions_park_id_parks')),
    sa.ForeignKeyConstraint(['team_a_id'], ['teams.id'], name=op.f('fk_introductions_team_a_id_teams')),
    sa.ForeignKeyConstraint(['team_b_id'], ['teams.id'], name=op.f('fk_introductions_team_b_id_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_introductions'))
    )
    with op.batch_alter_table('introductions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_introductions_park_id'), ['park_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_introductions_team_a_id'), ['team_a_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_introductions_team_b_id'), ['team_b_id'], unique=False)

    op.bulk_insert(skills, [
        {'code': code, 'name_zh': zh, 'name_en': en, 'created_at': SEEDED}
        for code, zh, en in SKILLS
    ])


def downgrade():
    with op.batch_alter_table('introductions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_introductions_team_b_id'))
        batch_op.drop_index(batch_op.f('ix_introductions_team_a_id'))
        batch_op.drop_index(batch_op.f('ix_introductions_park_id'))
    op.drop_table('introductions')
    op.drop_table('profile_needs')
    op.drop_table('profile_offers')
    op.drop_table('team_profiles')
    op.drop_table('skills')
