"""Search across the statements the person may read, by words and by meaning, with the
matching words (or the sentence closest in meaning) marked."""

import streamlit as st

from db.models import Visibility
from positions.core import labels
from positions.core.clock import BERLIN
from positions.core.embedding_store import StoredEmbeddings
from positions.core.formatting import date_time, percent, short_date
from positions.statements import search, statements
from ui import auth, database
from ui.widgets import md

actor = auth.signed_in()
st.title("Suche in Stellungnahmen")
st.caption(
    "Groß- und Kleinschreibung, Umlaute (ä/ae, ß/ss) und Wortendungen spielen keine "
    "Rolle: „Förderprogramme“ findet auch „Foerderprogramm“. Die Suche findet auch Punkte, "
    "die dasselbe mit anderen Worten sagen („Strompreis“ findet „Energiekosten“); dort sind "
    "die Wörter oder der Satz markiert, die der Suche am nächsten kommen."
)
query = st.text_input("Suchbegriffe", placeholder="z. B. Strompreis Mittelstand", max_chars=200)
if query.strip():
    bar = st.empty()

    def _progress(done: int, total: int) -> None:
        # Only the first search after new statements computes their sentences' and words' vectors.
        bar.progress(done / max(total, 1), text=f"Texte für die Suche erfassen: {done} von {total}")

    # A writing session: the sentence vectors computed now are kept for the next search.
    with database.writing() as session:
        hits = search.search(
            session=session,
            actor=actor,
            query=query,
            embed=StoredEmbeddings(session, progress=_progress),
        )
    bar.empty()
    if not hits:
        st.info("Keine Stellungnahme enthält die Suchbegriffe oder etwas Ähnliches.")
    else:
        more = " (die ersten 200)" if len(hits) >= search.MAX_RESULTS else ""
        by_words = sum(hit.by_words for hit in hits)
        st.caption(
            f"{len(hits)} Treffer{more}: {by_words} mit allen Suchbegriffen, "
            f"{len(hits) - by_words} mit ähnlicher Bedeutung"
        )
    for hit in hits:
        with st.container(border=True):
            if not hit.by_words:
                st.caption(
                    f":material/lightbulb: Ähnliche Bedeutung ({percent(hit.similarity)}), "
                    "markiert ist, was der Suche am nächsten kommt"
                )
            source, changed = hit.organisation.name, date_time(hit.statement.updated_at)
            if not statements.shown_with_name(actor, hit.statement):
                # The minute of the last change, next to the same minute in the answer table,
                # would name the member: the day only, as in the spreadsheet export.
                source = labels.UNNAMED[Visibility.ANONYMOUS]
                changed = short_date(hit.statement.updated_at.astimezone(BERLIN).date())
            st.markdown(
                "".join(
                    f":orange-background[{md(piece)}]" if hit_ else md(piece)
                    for piece, hit_ in hit.fragments
                )
            )
            st.caption(
                f"{md(source)} · {labels.VISIBILITY[hit.statement.visibility]} · "
                f"{labels.STATEMENT_STATUS[hit.statement.status]} · {md(hit.call.title)} "
                f"({md(hit.forum.short_name)}) · {changed}"
            )
            st.page_link(
                "ui/pages/call.py",
                label="Zum Aufruf",
                icon=":material/campaign:",
                query_params={"aufruf": str(hit.call.id)},
            )
