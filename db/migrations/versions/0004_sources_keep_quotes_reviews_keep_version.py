"""sources keep what they quoted, reviews stay with their version, one approval per member

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 23:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate may write sqlmodel column types)
from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('paragraphsource', schema=None) as batch_op:
        batch_op.add_column(sa.Column('quoted_text', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('statement_version', sa.Integer(), nullable=True))
        batch_op.drop_constraint(batch_op.f('fk_paragraphsource_point_id_point'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_paragraphsource_point_id_point'), 'point', ['point_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_consent', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.drop_constraint(batch_op.f('fk_review_paragraph_id_paragraph'), type_='foreignkey')

    with op.batch_alter_table('approval', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_approval_paper_version_id_board_member_id'), ['paper_version_id', 'board_member_id'])


def downgrade() -> None:
    with op.batch_alter_table('approval', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_approval_paper_version_id_board_member_id'), type_='unique')

    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_review_paragraph_id_paragraph'), 'paragraph', ['paragraph_id'], ['id'])
        batch_op.drop_column('name_consent')

    with op.batch_alter_table('paragraphsource', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_paragraphsource_point_id_point'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_paragraphsource_point_id_point'), 'point', ['point_id'], ['id'])
        batch_op.drop_column('statement_version')
        batch_op.drop_column('quoted_text')
