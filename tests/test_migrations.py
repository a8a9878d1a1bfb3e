import sqlalchemy as sa
from sqlmodel import SQLModel

import db.models  # noqa: F401
from db import migrate
from db.engine import create_engine_for


def test_models_and_migrations_agree(database_url: str) -> None:
    """`alembic check`: autogenerate finds nothing to add against the migrated database."""
    migrate.check(database_url)


def test_migrations_create_every_table_and_can_be_undone(database_url: str) -> None:
    engine = create_engine_for(database_url)
    tables = set(sa.inspect(engine).get_table_names())
    assert set(SQLModel.metadata.tables) <= tables
    assert migrate.is_up_to_date(engine)
    config = migrate.alembic_config(database_url)
    from alembic import command

    command.downgrade(config, "base")
    assert set(sa.inspect(engine).get_table_names()) <= {"alembic_version"}
    command.upgrade(config, "head")
    assert migrate.is_up_to_date(engine)
    engine.dispose()
