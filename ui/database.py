"""The engine for the app (one per process) and sessions that turn outages into German text."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import Session

from db import engine as db_engine
from db import migrate

log = logging.getLogger("positionen.ui")

UNAVAILABLE = (
    "Die Datenbank ist gerade nicht erreichbar. Bitte versuchen Sie es in einigen Minuten "
    "erneut; hält die Störung an, wenden Sie sich an die Administration."
)
NOT_MIGRATED = (
    "Die Datenbank ist nicht auf dem aktuellen Stand. Die Administration muss "
    "„positionen migrate“ ausführen."
)


@st.cache_resource(show_spinner=False)
def _engine_for(url: str) -> Engine:
    engine = db_engine.create_engine_for(url)
    db_engine.check_connection(engine)
    if not migrate.is_up_to_date(engine):
        raise _NotMigrated(url)
    return engine


class _NotMigrated(Exception):
    pass


def engine() -> Engine:
    """The shared engine; stops the page with a German message if the database is unusable.

    Failures are not cached (st.cache_resource caches only returned values), so the page
    recovers by itself once the database is back.
    """
    url = db_engine.database_url()
    try:
        return _engine_for(url)
    except db_engine.DatabaseUnavailable as error:
        log.error("database unavailable: %s", error)
        st.error(UNAVAILABLE, icon=":material/cloud_off:")
    except _NotMigrated:
        log.error("database %s is not migrated", db_engine.redacted(url))
        st.error(NOT_MIGRATED, icon=":material/build:")
    st.stop()


@contextmanager
def reading() -> Iterator[Session]:
    with _outage_as_message(), db_engine.read_session(engine()) as session:
        yield session


@contextmanager
def writing() -> Iterator[Session]:
    """One write transaction; an exception rolls everything back, so nothing is half-stored."""
    with _outage_as_message(), db_engine.write_session(engine()) as session:
        yield session


@contextmanager
def _outage_as_message() -> Iterator[None]:
    try:
        yield
    except (OperationalError, PoolTimeout) as error:
        # A pool timeout means too many requests at once: the same message serves.
        reason = error.orig if isinstance(error, OperationalError) and error.orig else error
        log.error("database error: %s", str(reason).splitlines()[0])
        st.error(UNAVAILABLE, icon=":material/cloud_off:")
        st.stop()
