"""search keys: the initials of a team's Chinese name, so that "xygzs" finds 星云工作室

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02

teams.name_initials holds the first letter of each character's pinyin (other words whole),
kept by the model beside name_pinyin; existing teams get theirs here.
"""
import re

import sqlalchemy as sa
from alembic import op
from pypinyin import Style, lazy_pinyin

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

_WORD = re.compile(r"[0-9a-z]+")


def _initials(name):
    # As opc.core.pinyin.initials_of at the time of writing (a migration keeps its own copy).
    parts = lazy_pinyin(name or "", style=Style.FIRST_LETTER)
    return "".join(w for part in parts for w in _WORD.findall(part.lower()))[:200]


def upgrade():
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('name_initials', sa.String(length=200), server_default='', nullable=False)
        )
    bind = op.get_bind()
    teams = sa.table('teams', sa.column('id', sa.Integer), sa.column('name_zh', sa.String),
                     sa.column('name_initials', sa.String))
    rows = bind.execute(sa.select(teams.c.id, teams.c.name_zh)).all()
    update = sa.update(teams).where(teams.c.id == sa.bindparam('tid')).values(
        name_initials=sa.bindparam('initials'))
    for start in range(0, len(rows), 500):
        chunk = rows[start:start + 500]
        bind.execute(update, [{'tid': r.id, 'initials': _initials(r.name_zh)} for r in chunk])


def downgrade():
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.drop_column('name_initials')
