"""The language model's part of the merge workspace: for the open topic a name, a summary
and a draft paragraph whose every sentence cites its points, previewed before staff take it
into a paper; for the whole call, which statements the model processed and which not.

Without a configured model the panel only explains where one is set up; nothing is sent.
A failing model shows a German message here and leaves the rest of the page working."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from positions.analysis import llm_topics, workspace
from positions.analysis.llm_topics import CallDrafts
from positions.analysis.topic_drafts import TopicDraft
from positions.core.errors import InvalidInput, PositionenError
from positions.core.formatting import counted
from positions.core.permissions import Actor
from ui import database
from ui.widgets import done, md, section_target

SHOWN_UNPROCESSED = 100


@contextmanager
def _errors_shown() -> Iterator[None]:
    """Show our German message and go on with the page (the workspace stays usable)."""
    try:
        yield
    except PositionenError as error:
        st.error(md(error.message), icon=":material/smart_toy:")


def _draft_key(cluster_id: int) -> str:
    return f"model-draft-{cluster_id}"


def _call_key(call_id: int) -> str:
    return f"model-call-{call_id}"


def topic_draft_panel(
    actor: Actor, *, call_id: int, cluster_id: int | None, targets: dict[int, str]
) -> None:
    """The model's drafts for the open topic (if any) and the whole call; `targets` are the
    paper sections a draft may go into (section id → "Papier: Abschnitt")."""
    with database.reading() as session:
        ready = llm_topics.configured(session=session)
    st.subheader("Entwurf mit dem Sprachmodell")
    if not ready:
        st.caption(
            "Kein Sprachmodell eingerichtet: Themennamen, Zusammenfassungen und Absätze mit "
            "Belegen kann ein Modell auf einem Rechner des Verbands entwerfen, wenn eine "
            "Administratorin oder ein Administrator es unter „Einstellungen“ einträgt. Ohne "
            "Modell wird nichts gesendet, und alles andere funktioniert wie bisher."
        )
        return
    st.caption(
        "Das Modell erhält nur die Texte der Punkte, nie die Namen der Mitglieder. Jeder Satz "
        "des Entwurfs muss die Punkte nennen, auf denen er beruht; Sätze ohne gültigen Beleg "
        "werden verworfen und angezeigt. In ein Papier gelangt nichts ohne Ihre Bestätigung."
    )
    if cluster_id is not None:
        _topic_part(actor, cluster_id, targets)
    _call_part(actor, call_id)


def _topic_part(actor: Actor, cluster_id: int, targets: dict[int, str]) -> None:
    if st.button(
        "Entwurf für dieses Thema erstellen",
        key=f"model-draft-button-{cluster_id}",
        icon=":material/smart_toy:",
    ):
        with _errors_shown():
            with database.reading() as session:
                request = llm_topics.prepare_topic(
                    session=session, actor=actor, cluster_id=cluster_id
                )
            with st.spinner("Das Sprachmodell schreibt …"):
                st.session_state[_draft_key(cluster_id)] = llm_topics.draft_topic(request)
    draft = st.session_state.get(_draft_key(cluster_id))
    if isinstance(draft, TopicDraft):
        with st.container(border=True):
            _preview(actor, cluster_id, draft, targets)


def _preview(actor: Actor, cluster_id: int, draft: TopicDraft, targets: dict[int, str]) -> None:
    texts = {entry.alias: entry.point.text for entry in draft.selection.sent}
    sent = len(draft.selection.sent)
    withheld = len({left.statement_id for left in draft.selection.left_out})
    summary = f"An das Modell gingen {counted(sent, 'Punkt', 'Punkte')} (ohne Namen)"
    if withheld:
        summary += (
            f"; aus {counted(withheld, 'Stellungnahme', 'Stellungnahmen')} dieses Themas "
            "wurde nicht alles gesendet (siehe „Nicht verarbeitet“ unten)"
        )
    st.caption(summary + ".")
    if draft.name:
        name_column, take_column = st.columns([3, 1])
        name_column.markdown(f"**Vorgeschlagener Name:** {md(draft.name)}")
        if take_column.button("Namen übernehmen", key=f"model-name-{cluster_id}"):
            renamed = False
            with _errors_shown():
                with database.writing() as session:
                    workspace.rename_cluster(
                        session=session, actor=actor, cluster_id=cluster_id, label=draft.name
                    )
                renamed = True
            if renamed:
                done("Thema umbenannt.")
    if draft.summary:
        st.markdown(f"**Zusammenfassung:** {md(draft.summary)}")
    for number, sentence in enumerate(draft.sentences, start=1):
        cited = " | ".join(f"{alias}: {_short(texts[alias])}" for alias in sentence.aliases)
        st.markdown(f"{number}. {md(sentence.text)}  \n  *Belegt durch {md(cited)}*")
    if draft.dropped:
        st.warning(
            "Verworfen (ohne gültigen Beleg):\n"
            + "\n".join(f"- {md(d.text)} – {md(d.reason)}" for d in draft.dropped),
            icon=":material/block:",
        )
    if draft.internal_notes:
        st.caption(
            "Nur intern (nicht zitierfähig, nicht im Absatz): "
            + " | ".join(md(n.text) for n in draft.internal_notes)
        )
    if draft.uncited:
        st.caption(
            f"{counted(len(draft.uncited), 'gesendeter Punkt', 'gesendete Punkte')} ohne "
            "Beleg im Entwurf: " + ", ".join(draft.uncited)
        )
    _unprocessed_in_topic(actor, draft)
    if not draft.sentences:
        st.info("Der Entwurf enthält keinen belegten Satz; es gibt nichts zu übernehmen.")
        return
    _accept_form(actor, cluster_id, draft, targets)


def _unprocessed_in_topic(actor: Actor, draft: TopicDraft) -> None:
    reasons: dict[int, dict[str, None]] = {}
    sent = draft.selection.sent_statements
    for left in draft.selection.left_out:
        partly = "teilweise: " if left.statement_id in sent else ""
        reasons.setdefault(left.statement_id, {})[partly + left.reason] = None
    if not reasons:
        return
    with database.reading() as session:
        names = llm_topics.statement_names(
            session=session, actor=actor, statement_ids=list(reasons)
        )
    with st.expander(
        f"Nicht verarbeitet: {counted(len(reasons), 'Stellungnahme', 'Stellungnahmen')}"
    ):
        st.markdown(
            "\n".join(
                f"- {md(names.get(s, f'Stellungnahme {s}'))}: {md('; '.join(why))}"
                for s, why in reasons.items()
            )
        )


def _accept_form(actor: Actor, cluster_id: int, draft: TopicDraft, targets: dict[int, str]) -> None:
    with st.form(f"model-accept-{cluster_id}"):
        text = st.text_area("Entwurf des Absatzes", value=draft.text, height=160)
        core = st.checkbox("Kernforderung", key=f"model-core-{cluster_id}")
        target = section_target(targets, key=f"model-target-{cluster_id}")
        st.caption(
            f"Quellen: {counted(len(draft.source_point_ids), 'Punkt', 'Punkte')}, auf die "
            "sich die Sätze berufen (mit ihren gleichlautenden Kopien)."
        )
        accept = st.form_submit_button("Übernehmen", type="primary")
    if not accept:
        return
    taken = False
    with _errors_shown():
        if target is None:
            raise InvalidInput("Bitte wählen Sie den Abschnitt.")
        with database.writing() as session:
            llm_topics.accept_draft(
                session=session,
                actor=actor,
                cluster_id=cluster_id,
                section_id=target,
                text=text,
                point_ids=draft.source_point_ids,
                is_core_demand=core,
            )
        taken = True
    if taken:
        st.session_state.pop(_draft_key(cluster_id), None)
        done("Absatz übernommen; seine Quellen sind verknüpft.")


def _call_part(actor: Actor, call_id: int) -> None:
    if st.button(
        "Alle Themen mit dem Sprachmodell durchgehen",
        key=f"model-call-button-{call_id}",
        icon=":material/smart_toy:",
    ):
        with _errors_shown():
            with database.reading() as session:
                request = llm_topics.prepare_call(session=session, actor=actor, call_id=call_id)
            bar = st.progress(0.0, text="Das Sprachmodell liest die Themen …")

            def report(share: float, label: str) -> None:
                bar.progress(min(share, 1.0), text=label)

            drafted = llm_topics.draft_call(request, progress=report)
            st.session_state[_call_key(call_id)] = drafted
            for cluster_id, draft in drafted.drafts.items():
                st.session_state[_draft_key(cluster_id)] = draft
    shown = st.session_state.get(_call_key(call_id))
    if isinstance(shown, CallDrafts):
        _call_result(actor, shown)


def _call_result(actor: Actor, result: CallDrafts) -> None:
    covered = result.coverage
    total = len(covered.mapped) + len(covered.not_processed)
    st.caption(
        f"{len(covered.mapped)} von {counted(total, 'Stellungnahme', 'Stellungnahmen')} einem "
        f"Thema zugeordnet; {len(covered.not_processed)} nicht verarbeitet. "
        f"Entwürfe für {counted(len(result.drafts), 'Thema', 'Themen')}; öffnen Sie ein Thema, "
        "um seinen Entwurf zu prüfen und zu übernehmen."
    )
    if result.failed:
        st.warning(
            f"Für {counted(len(result.failed), 'Thema', 'Themen')} kam kein Entwurf: "
            + " | ".join(sorted(set(result.failed.values()))),
            icon=":material/cloud_off:",
        )
    if result.drafts:
        st.dataframe(
            {
                "Vorgeschlagener Name": [d.name for d in result.drafts.values()],
                "Zusammenfassung": [d.summary for d in result.drafts.values()],
                "Belegte Sätze": [len(d.sentences) for d in result.drafts.values()],
                "Verworfene Sätze": [len(d.dropped) for d in result.drafts.values()],
            },
            hide_index=True,
            width="stretch",
        )
    if covered.not_processed:
        shown = covered.not_processed[:SHOWN_UNPROCESSED]
        with database.reading() as session:
            names = llm_topics.statement_names(
                session=session, actor=actor, statement_ids=[n.statement_id for n in shown]
            )
        with st.expander(
            f"Nicht verarbeitet: "
            f"{counted(len(covered.not_processed), 'Stellungnahme', 'Stellungnahmen')}"
        ):
            st.markdown(
                "\n".join(
                    f"- {md(names.get(n.statement_id, f'Stellungnahme {n.statement_id}'))}: "
                    f"{md('; '.join(n.reasons))}"
                    for n in shown
                )
            )
            if len(covered.not_processed) > len(shown):
                st.caption(f"… und {len(covered.not_processed) - len(shown)} weitere")
    if covered.partly:
        st.caption(
            f"{counted(len(covered.partly), 'Stellungnahme', 'Stellungnahmen')} nur teilweise "
            "verarbeitet (einige Punkte nicht gesendet); die Gründe stehen beim jeweiligen "
            "Thema."
        )


def _short(text: str) -> str:
    return text if len(text) <= 90 else text[:89] + " …"
