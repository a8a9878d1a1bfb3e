"""A forum's published results: recording one, the passages found for our demands with
staff's confirmation, and the adoption rate with its course over time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from db.models import MatchKind, MatchStatus, id_of
from positions.core.formatting import counted, short_date
from positions.core.permissions import Action, Actor, can
from positions.followup import outcomes
from ui import database
from ui.widgets import done, md, user_errors

KINDS = {
    MatchKind.VERBATIM: "wörtlich übernommen",
    MatchKind.REWORDED: "sinngemäß übernommen",
    MatchKind.TURNED_DOWN: "abgelehnt",
}
STATUS = {
    MatchStatus.SUGGESTED: "Vorschlag",
    MatchStatus.CONFIRMED: "bestätigt",
    MatchStatus.REJECTED: "verworfen",
}


def outcomes_tab(actor: Actor, forum_id: int) -> None:
    with database.reading() as session:
        summary = outcomes.adoption(session=session, actor=actor, forum_id=forum_id)
        course = outcomes.adoption_over_time(session=session, actor=actor, forum_id=forum_id)
        results = outcomes.outcomes_of(session=session, actor=actor, forum_id=forum_id)
    st.subheader("Wirkung unserer Kernforderungen")
    if summary.demands:
        figures: list[tuple[str, int | str]] = [
            ("eingereicht", summary.demands),
            ("wörtlich", summary.adopted),
            ("sinngemäß", summary.partly),
            ("abgelehnt", summary.turned_down),
            ("Übernahmequote", f"{round(summary.rate * 100)} %"),
        ]
        for column, (label, value) in zip(st.columns(len(figures)), figures, strict=True):
            column.metric(label, value)
        if len(course) > 1:
            st.line_chart(
                pd.DataFrame(
                    {
                        "Datum": [d for d, _ in course],
                        "Übernahmequote (%)": [r * 100 for _, r in course],
                    }
                ).set_index("Datum")
            )
    else:
        st.caption("An dieses Forum wurden noch keine Kernforderungen eingereicht.")
    newest = max((o.id or 0 for o in results), default=0)
    for outcome in results:
        with st.expander(
            f"{md(outcome.title)}"
            + (f" ({short_date(outcome.published_on)})" if outcome.published_on else ""),
            expanded=outcome.id == newest,
        ):
            if outcome.publisher:
                st.caption(md(outcome.publisher))
            if outcome.url:
                st.link_button(
                    "Veröffentlichung öffnen", outcome.url, icon=":material/open_in_new:"
                )
            matches(actor, id_of(outcome))
    if can(actor, Action.OUTCOME_MANAGE):
        new_outcome(actor, forum_id)


def reading(bar: Any) -> Callable[[int, int], None]:
    """A progress callback that shows how many of the outcome's sentences are read."""

    def show(done: int, total: int) -> None:
        share = done / total if total else 1.0
        bar.progress(
            share,
            text=f"Das Ergebnis wird gelesen: {done:,} von {total:,} Sätzen".replace(",", "."),
        )

    return show


def matches(actor: Actor, outcome_id: int) -> None:
    with database.reading() as session:
        found = outcomes.matches_of(session=session, actor=actor, outcome_id=outcome_id)
    manage = can(actor, Action.OUTCOME_MANAGE)
    if manage and st.button(
        "Nach unseren Forderungen suchen", key=f"find-{outcome_id}", icon=":material/search:"
    ):
        bar = st.progress(0.0, text="Das Ergebnis wird durchsucht …")
        with user_errors(), database.writing() as session:
            outcomes.find_matches(
                session=session, actor=actor, outcome_id=outcome_id, progress=reading(bar)
            )
        bar.empty()
        done("Suche abgeschlossen.")
    if not found:
        st.caption("Keine Fundstellen.")
    for view in found:
        match = view.match
        with st.container(border=True):
            demand, passage = st.columns(2)
            demand.markdown(f"**Unsere Forderung** ({md(view.paper.title)})")
            demand.text(view.paragraph.text)
            passage.markdown(
                f"**{KINDS[MatchKind(match.kind)]}** · "
                f"{STATUS[MatchStatus(match.status)]} · "
                f"Übereinstimmung {round(match.score * 100)} %"
            )
            passage.text(match.quote)
            if manage and match.status == MatchStatus.SUGGESTED:
                yes, no, _ = st.columns([1, 1, 3])
                if yes.button("Bestätigen", key=f"confirm-{match.id}", type="primary"):
                    _decide(actor, id_of(match), confirmed=True)
                if no.button("Verwerfen", key=f"reject-{match.id}"):
                    _decide(actor, id_of(match), confirmed=False)


def _decide(actor: Actor, match_id: int, *, confirmed: bool) -> None:
    with user_errors(), database.writing() as session:
        outcomes.decide(session=session, actor=actor, match_id=match_id, confirmed=confirmed)
    done("Bestätigt." if confirmed else "Verworfen.")


def new_outcome(actor: Actor, forum_id: int) -> None:
    with st.expander("Ergebnis erfassen", icon=":material/add:"), st.form("new-outcome"):
        title = st.text_input("Titel", placeholder="z. B. Grundsatzpapier zur Transformation")
        publisher_column, date_column = st.columns([2, 1])
        publisher = publisher_column.text_input("Herausgeber")
        published = date_column.date_input("Veröffentlicht am", value=None, format="DD.MM.YYYY")
        url = st.text_input("Link", placeholder="https://")
        upload = st.file_uploader("Text als PDF, Word (.docx) oder Textdatei (.txt)")
        pasted = st.text_area("… oder den Text hier einfügen", height=140)
        if st.form_submit_button("Ergebnis speichern und durchsuchen", type="primary"):
            with user_errors(), database.writing() as session:
                outcome = outcomes.record_outcome(
                    session=session,
                    actor=actor,
                    forum_id=forum_id,
                    values=outcomes.OutcomeInput(
                        title=title,
                        publisher=publisher,
                        published_on=published,
                        url=url,
                        pasted_text=pasted,
                        file=(upload.name, upload.getvalue()) if upload else None,
                    ),
                )
                bar = st.progress(0.0, text="Das Ergebnis wird durchsucht …")
                found = (
                    outcomes.find_matches(
                        session=session,
                        actor=actor,
                        outcome_id=id_of(outcome),
                        progress=reading(bar),
                    )
                    if outcomes.demands_for(session=session, forum_id=forum_id)
                    else []
                )
                bar.empty()
            found_text = counted(len(found), "Fundstelle", "Fundstellen")
            done(f"Ergebnis gespeichert; {found_text} zum Prüfen.")
