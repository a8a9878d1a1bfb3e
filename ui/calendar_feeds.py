"""Calendar addresses to subscribe to: a person's own (page „Mein Zugang“) and a forum's (its
page). Outlook or Thunderbird fetch the address again by themselves, so new meetings and
deadlines appear without a new import."""

from __future__ import annotations

import streamlit as st

from db.models import CalendarFeed, id_of
from positions.core import sessions
from positions.core.permissions import Actor
from positions.forums import calendar_feeds
from ui import database
from ui.widgets import done, user_errors

_HOW_TO = (
    "Outlook: „Kalender hinzufügen“ → „Aus dem Internet“ und die Adresse einfügen. "
    "Thunderbird: „Neuer Kalender“ → „Im Netzwerk“ und die Adresse einfügen. Beide holen "
    "Änderungen von selbst, je nach Einstellung alle paar Stunden."
)
_KEEP_PRIVATE = (
    "Wer die Adresse kennt, sieht diese Termine ohne Anmeldung: Geben Sie sie nicht weiter. "
    "Ist sie in falsche Hände geraten, ziehen Sie sie zurück oder legen Sie eine neue an."
)


def personal_feed_section(actor: Actor) -> None:
    """The person's own calendar address (their meetings, deadlines and tasks)."""
    if actor.via_invitation:
        return
    st.subheader("Kalender abonnieren")
    st.caption(
        "Ihre Sitzungen, Fristen und Aufgaben als Kalenderadresse, die Ihr Kalenderprogramm "
        "abonniert – wie der Download „Mein Kalender“, aber immer aktuell."
    )
    with database.reading() as session:
        feed = calendar_feeds.personal_feed(session=session, actor=actor)
    _feed_controls(actor, feed, forum_id=None, key="personal")


def forum_feed_section(actor: Actor, forum_id: int) -> None:
    """The forum's calendar address, showing what this person may see of the forum."""
    if actor.via_invitation:
        return
    st.subheader("Kalender des Forums abonnieren")
    st.caption(
        "Sitzungen und Fristen dieses Forums als Kalenderadresse, die Ihr Kalenderprogramm "
        "abonniert – wie der Download, aber immer aktuell."
    )
    with database.reading() as session:
        feed = calendar_feeds.forum_feed(session=session, actor=actor, forum_id=forum_id)
    _feed_controls(actor, feed, forum_id=forum_id, key=f"forum-{forum_id}")


def _feed_controls(
    actor: Actor, feed: CalendarFeed | None, *, forum_id: int | None, key: str
) -> None:
    if feed is None:
        if st.button(
            "Kalenderadresse anlegen", key=f"feed-create-{key}", icon=":material/add_link:"
        ):
            _create(actor, forum_id)
            done("Die Kalenderadresse ist angelegt.")
        return
    secret = sessions.secret_key(reading=database.reading, writing=database.writing)
    with database.reading() as session:
        url = calendar_feeds.feed_url(session=session, feed=feed, secret=secret)
    st.code(url, language=None, wrap_lines=True)
    st.caption(_HOW_TO)
    st.caption(_KEEP_PRIVATE)
    renew_column, revoke_column = st.columns(2)
    if renew_column.button(
        "Neue Adresse anlegen",
        key=f"feed-renew-{key}",
        icon=":material/autorenew:",
        help="Die bisherige Adresse gilt danach nicht mehr.",
    ):
        _create(actor, forum_id)
        done("Die neue Kalenderadresse ist angelegt; die bisherige gilt nicht mehr.")
    if revoke_column.button(
        "Adresse zurückziehen", key=f"feed-revoke-{key}", icon=":material/link_off:"
    ):
        with user_errors(), database.writing() as session:
            calendar_feeds.revoke_feed(session=session, actor=actor, feed_id=id_of(feed))
        done("Die Kalenderadresse gilt nicht mehr.")


def _create(actor: Actor, forum_id: int | None) -> None:
    with user_errors(), database.writing() as session:
        if forum_id is None:
            calendar_feeds.create_personal_feed(session=session, actor=actor)
        else:
            calendar_feeds.create_forum_feed(session=session, actor=actor, forum_id=forum_id)
