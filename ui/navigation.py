"""Which pages each person sees. Pages they may not open stay reachable by address but
show a German refusal instead of the content (and their services refuse as well)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from positions.core import labels
from positions.core.permissions import Action, Actor, can
from ui import auth
from ui.widgets import md

log = logging.getLogger("positionen.ui")


@dataclass(frozen=True)
class PageSpec:
    path: str
    title: str
    icon: str
    url_path: str
    allowed: Callable[[Actor], bool]
    in_menu: bool = True


def _association(actor: Actor) -> bool:
    return actor.acts_for_association


def _logged_in_member_or_association(actor: Actor) -> bool:
    return can(actor, Action.FORUM_READ)


PAGES = (
    # A review link opens its paper and nothing else, so it has no start page.
    PageSpec(
        "ui/pages/start.py",
        "Start",
        ":material/home:",
        "start",
        lambda actor: not actor.via_review_link,
    ),
    PageSpec(
        "ui/pages/forums.py",
        "Foren",
        ":material/groups:",
        "foren",
        _logged_in_member_or_association,
    ),
    PageSpec(
        "ui/pages/forum.py",
        "Forum",
        ":material/groups:",
        "forum",
        _logged_in_member_or_association,
        in_menu=False,
    ),
    PageSpec(
        "ui/pages/papers.py",
        "Papiere",
        ":material/article:",
        "papiere",
        lambda actor: can(actor, Action.PAPER_READ) and not actor.via_invitation,
    ),
    PageSpec(
        "ui/pages/paper.py",
        "Papier",
        ":material/article:",
        "papier",
        lambda actor: (
            can(actor, Action.PAPER_READ) and (not actor.via_invitation or actor.via_review_link)
        ),
        in_menu=False,
    ),
    PageSpec(
        "ui/pages/deadlines.py",
        "Fristen",
        ":material/event_upcoming:",
        "fristen",
        lambda actor: can(actor, Action.DEADLINES_READ),
    ),
    PageSpec(
        "ui/pages/report.py",
        "Tätigkeitsbericht",
        ":material/summarize:",
        "bericht",
        lambda actor: can(actor, Action.OUTCOME_READ) and can(actor, Action.STATEMENT_READ_ALL),
    ),
    PageSpec(
        "ui/pages/search.py",
        "Suche",
        ":material/search:",
        "suche",
        lambda actor: (
            can(actor, Action.STATEMENT_READ_ALL)
            or (can(actor, Action.STATEMENT_READ_OWN) and not actor.via_invitation)
        ),
    ),
    PageSpec(
        "ui/pages/meeting.py",
        "Sitzung",
        ":material/event:",
        "sitzung",
        lambda actor: can(actor, Action.MEETING_READ),
        in_menu=False,
    ),
    PageSpec(
        "ui/pages/members.py",
        "Mitglieder",
        ":material/domain:",
        "mitglieder",
        lambda actor: can(actor, Action.MEMBER_READ),
    ),
    PageSpec(
        "ui/pages/organisation.py",
        "Mitglied",
        ":material/domain:",
        "mitglied",
        lambda actor: can(actor, Action.MEMBER_READ),
        in_menu=False,
    ),
    PageSpec(
        "ui/pages/users.py",
        "Benutzer",
        ":material/manage_accounts:",
        "benutzer",
        lambda actor: can(actor, Action.USER_MANAGE),
    ),
    PageSpec(
        "ui/pages/account.py",
        "Mein Zugang",
        ":material/person:",
        "mein-zugang",
        lambda actor: not actor.via_invitation,
    ),
    PageSpec(
        "ui/pages/settings.py",
        "Einstellungen",
        ":material/settings:",
        "einstellungen",
        lambda actor: can(actor, Action.SETTINGS_MANAGE),
    ),
    PageSpec(
        "ui/pages/workspace.py",
        "Zusammenführen",
        ":material/merge:",
        "zusammenfuehren",
        lambda actor: can(actor, Action.PAPER_EDIT),
        in_menu=False,
    ),
    PageSpec(
        "ui/pages/call.py",
        "Aufruf",
        ":material/campaign:",
        "aufruf",
        lambda actor: can(actor, Action.CALL_READ),
        in_menu=False,
    ),
)


def run(actor: Actor | None) -> None:
    """Build the navigation for `actor`, draw the sidebar and run the chosen page; without an
    actor show the login form (the pages stay registered, so the address survives login)."""
    if actor is None:
        st.navigation([_page(spec, None) for spec in PAGES], position="hidden")
        auth.login_page()
        return
    st.session_state[auth.ACTOR] = actor
    pages = [_page(spec, actor) for spec in PAGES]
    current = st.navigation(pages)
    _sidebar(actor)
    try:
        current.run()
    except Exception:
        # Streamlit's own control flow (st.stop, st.rerun) is not an Exception and passes.
        log.exception("unexpected error on page %s", current.url_path)
        st.error(
            "Hier ist ein unerwarteter Fehler aufgetreten; es wurde nichts halb gespeichert. "
            "Bitte laden Sie die Seite neu. Tritt der Fehler wieder auf, melden Sie ihn bitte "
            "der Administration.",
            icon=":material/error:",
        )


def home(actor: Actor | None) -> str:
    """The page the app's bare address opens: a review link's paper, else the start page."""
    return "papier" if actor is not None and actor.via_review_link else "start"


def _page(spec: PageSpec, actor: Actor | None) -> st.Page:
    if actor is None or spec.allowed(actor):
        return st.Page(
            spec.path,
            title=spec.title,
            icon=spec.icon,
            url_path=spec.url_path,
            default=spec.url_path == home(actor),
            visibility="visible" if spec.in_menu else "hidden",
        )
    return st.Page(
        _refused, title=spec.title, icon=spec.icon, url_path=spec.url_path, visibility="hidden"
    )


def _refused() -> None:
    st.error("Diese Seite ist für Ihren Zugang nicht freigegeben.", icon=":material/block:")
    if home(auth.signed_in()) == "papier":
        st.page_link("ui/pages/paper.py", label="Zum Papier", icon=":material/rate_review:")
    else:
        st.page_link("ui/pages/start.py", label="Zur Startseite", icon=":material/home:")


def _sidebar(actor: Actor) -> None:
    with st.sidebar:
        st.caption("Angemeldet als")
        st.markdown(
            f"**{md(actor.name)}**  \n{labels.ROLE[actor.role]}"
            + (" · über Einladungslink" if actor.via_invitation else "")
        )
        if st.button("Abmelden", icon=":material/logout:"):
            auth.log_out()
            st.rerun()
