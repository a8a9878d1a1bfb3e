"""member register, contacts, password links, login sessions, calendar feeds

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 02:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate may write sqlmodel column types)
from alembic import op


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('calendarfeed',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('forum_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_fetched_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_calendarfeed_created_by_id_users')),
    sa.ForeignKeyConstraint(['forum_id'], ['forum.id'], name=op.f('fk_calendarfeed_forum_id_forum')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_calendarfeed_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendarfeed'))
    )
    with op.batch_alter_table('calendarfeed', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendarfeed_forum_id'), ['forum_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_calendarfeed_user_id'), ['user_id'], unique=False)

    op.create_table('contactforum',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('forum_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['forum_id'], ['forum.id'], name=op.f('fk_contactforum_forum_id_forum')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_contactforum_user_id_users')),
    sa.PrimaryKeyConstraint('user_id', 'forum_id', name=op.f('pk_contactforum'))
    )
    op.create_table('passwordtoken',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('purpose', sa.Enum('set', 'reset', name='passwordtokenpurpose', native_enum=False, length=32), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_passwordtoken_created_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_passwordtoken_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_passwordtoken')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_passwordtoken_token_hash'))
    )
    with op.batch_alter_table('passwordtoken', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_passwordtoken_user_id'), ['user_id'], unique=False)

    op.create_table('loginsession',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=True),
    sa.Column('handoff_hash', sa.String(length=64), nullable=True),
    sa.Column('handoff_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('invitation_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('end_reason', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['invitation_id'], ['invitation.id'], name=op.f('fk_loginsession_invitation_id_invitation')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_loginsession_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loginsession')),
    sa.UniqueConstraint('handoff_hash', name=op.f('uq_loginsession_handoff_hash')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_loginsession_token_hash'))
    )
    with op.batch_alter_table('loginsession', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_loginsession_invitation_id'), ['invitation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_loginsession_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('street', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('postal_code', sa.String(length=10), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('status', sa.Enum('member', 'supporting', 'guest', name='membershipstatus', native_enum=False, length=32), nullable=False, server_default='member'))
        batch_op.add_column(sa.Column('member_until', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('notes', sa.Text(), nullable=False, server_default=''))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('given_name', sa.String(length=100), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('family_name', sa.String(length=100), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('function', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('erased_at')
        batch_op.drop_column('function')
        batch_op.drop_column('family_name')
        batch_op.drop_column('given_name')

    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('notes')
        batch_op.drop_column('member_until')
        batch_op.drop_column('status')
        batch_op.drop_column('postal_code')
        batch_op.drop_column('street')

    with op.batch_alter_table('loginsession', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_loginsession_user_id'))
        batch_op.drop_index(batch_op.f('ix_loginsession_invitation_id'))

    op.drop_table('loginsession')
    with op.batch_alter_table('passwordtoken', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_passwordtoken_user_id'))

    op.drop_table('passwordtoken')
    op.drop_table('contactforum')
    with op.batch_alter_table('calendarfeed', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendarfeed_user_id'))
        batch_op.drop_index(batch_op.f('ix_calendarfeed_forum_id'))

    op.drop_table('calendarfeed')
