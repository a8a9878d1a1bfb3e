"""Merging a call's statements: an overview of the topics, and for the topic staff open its
points with co-signers, a suggested paragraph to take into a paper section, and the tools
to rename, merge, split, move and set aside.

A call can hold thousands of points, so the page shows the overview and one topic at a time
and lists long point lists only on request."""

import streamlit as st

from db.models import id_of
from positions.analysis import workspace
from positions.analysis.merging import MergeSuggestion
from positions.analysis.workspace import (
    ClusterView,
    GroupView,
    Overview,
    PointView,
    Support,
    Supporters,
)
from positions.core.errors import InvalidInput
from positions.core.formatting import counted, date_time
from positions.core.permissions import Actor
from positions.forums import calls
from positions.papers import papers
from ui import auth, database
from ui.topic_drafts import topic_draft_panel
from ui.widgets import done, md, query_id, section_target, user_errors

SHOWN_POINTS = 30
SHOWN_UNUSED = 200


def support_text(support: Support) -> str:
    text = counted(support.citable, "Mitglied", "Mitglieder")
    if support.internal:
        text += f" (+{support.internal} nur intern)"
    return text


def signers(group: GroupView) -> str:
    """Who sent this point: named members by name, the others only counted."""
    return who(group.all)


def who(points: list[PointView]) -> str:
    """Named members by name, anonymous and internal ones only counted."""
    supporters = Supporters.of(points)
    parts = list(supporters.names)
    if supporters.support.anonymous:
        parts.append(f"{supporters.support.anonymous} anonym")
    if supporters.support.internal:
        parts.append(f"{supporters.support.internal} nur intern")
    return ", ".join(parts)


def point_lines(groups: list[GroupView], *, key: str) -> None:
    """The points with their co-signers; beyond the first ones only when asked for."""
    shown = groups
    if len(groups) > SHOWN_POINTS and not st.toggle(
        f"Alle {len(groups)} Punkte zeigen", key=f"all-{key}"
    ):
        shown = groups[:SHOWN_POINTS]
    for group in shown:
        copies = f" · {len(group.copies) + 1}× eingereicht" if group.copies else ""
        st.markdown(f"- {md(group.canonical.text)}  \n  *{md(signers(group))}{copies}*")
    if len(shown) < len(groups):
        st.caption(f"… und {len(groups) - len(shown)} weitere")


def run_analysis(actor: Actor, call_id: int) -> None:
    with st.status("Die Stellungnahmen werden zusammengeführt …", expanded=True) as status:
        bar = st.progress(0.0)

        def report(share: float, label: str) -> None:
            bar.progress(min(share, 1.0), text=label)

        with user_errors(), database.writing() as session:
            count = workspace.analyse(
                session=session, actor=actor, call_id=call_id, progress=report
            )
        status.update(label=f"{counted(count, 'Thema', 'Themen')} gebildet", state="complete")
    done("Analyse aktualisiert.")


def coverage(actor: Actor, call_id: int, seen: Overview) -> None:
    used, total = seen.used_points, seen.total_points
    st.progress(
        used / total if total else 0.0, text=f"{used} von {total} Punkten im Papier verwendet"
    )
    if used < total:
        with st.expander(f"{total - used} noch nicht verwendete Punkte"):
            with database.reading() as session:
                unused = workspace.unused_points(
                    session=session, actor=actor, call_id=call_id, limit=SHOWN_UNUSED
                )
            st.markdown("\n".join(f"- {md(view.text)}" for view in unused))
            if total - used > len(unused):
                st.caption(f"… und {total - used - len(unused)} weitere")


def topic_table(seen: Overview) -> None:
    st.dataframe(
        {
            "Thema": [t.cluster.label for t in seen.topics],
            "Punkte": [t.points for t in seen.topics],
            "Mitglieder": [t.support.citable for t in seen.topics],
            "nur intern": [t.support.internal for t in seen.topics],
        },
        hide_index=True,
        width="stretch",
    )


def topic_title(label: str, points: int, support: Support) -> str:
    return f"{label} · {counted(points, 'Punkt', 'Punkte')} · {support_text(support)}"


def topic(actor: Actor, view: ClusterView, seen: Overview, targets: dict[int, str]) -> None:
    cluster_id = id_of(view.cluster)
    suggestion = workspace.suggest(view.points)
    st.subheader(md(view.cluster.label))
    st.caption(
        f"{counted(len(view.points), 'Punkt', 'Punkte')} · {support_text(view.supporters.support)}"
    )
    if suggestion.dissent:
        st.warning(
            "Widerspruch (wird beim Übernehmen nicht als Quelle verknüpft): "
            + " | ".join(md(d.text) for d in suggestion.dissent),
            icon=":material/gavel:",
        )
    if suggestion.conflicts:
        conflicts(suggestion, view.points)
    point_lines(view.groups, key=f"topic-{cluster_id}")
    if suggestion.internal_notes:
        st.caption(
            "Nur intern (nicht zitierfähig): "
            + " | ".join(md(n.text) for n in suggestion.internal_notes)
        )
    sentence_sources(suggestion, view.points)
    if not suggestion.text:
        st.info(
            "Kein Vorschlag: Die Punkte dieses Themas sind nur intern oder widersprechen der "
            "Forderung. Sie können den Absatz selbst schreiben.",
            icon=":material/edit_note:",
        )
    with st.form(f"accept-{cluster_id}"):
        text = st.text_area("Vorgeschlagener Absatz", value=suggestion.text, height=160)
        core = st.checkbox("Kernforderung", key=f"core-{cluster_id}")
        target = section_target(targets, key=f"target-{cluster_id}")
        if st.form_submit_button("In das Papier übernehmen", type="primary"):
            with user_errors():
                if target is None:
                    raise InvalidInput("Bitte wählen Sie den Abschnitt.")
                with database.writing() as session:
                    workspace.accept_suggestion(
                        session=session,
                        actor=actor,
                        cluster_id=cluster_id,
                        section_id=target,
                        text=text,
                        is_core_demand=core,
                    )
            done("Absatz übernommen; seine Quellen sind verknüpft.")
    edit_topic(actor, view, seen)


def conflicts(suggestion: MergeSuggestion, points: list[PointView]) -> None:
    """Members who make the demand with other figures, another addressee or the opposite
    stance: not merged into the suggestion and never linked as its sources. Grouped by what
    they say differently (a topic can hold a hundred of them), named where they allow it."""
    by_id = {point.id: point for point in points}
    grouped: dict[str, list[PointView]] = {}
    for conflict in suggestion.conflicts:
        differs = "; ".join(c.describe("der Vorschlag") for c in conflict.contradictions)
        if conflict.key in by_id:
            grouped.setdefault(differs, []).append(by_id[conflict.key])
    st.warning(
        "Abweichende Angaben (nicht zusammengeführt, beim Übernehmen nicht als Quelle "
        "verknüpft):\n"
        + "\n".join(
            f"- {md(who(members))} – {md(differs)}" for differs, members in grouped.items()
        ),
        icon=":material/rule:",
    )
    with st.expander(
        counted(len(suggestion.conflicts), "abweichender Punkt", "abweichende Punkte"),
        icon=":material/rule:",
    ):
        for conflict in suggestion.conflicts[:SHOWN_POINTS]:
            st.markdown(f"- {md(short_text(conflict.text))}")
        if len(suggestion.conflicts) > SHOWN_POINTS:
            st.caption(f"… und {len(suggestion.conflicts) - SHOWN_POINTS} weitere")


def sentence_sources(suggestion: MergeSuggestion, points: list[PointView]) -> None:
    """Which members each sentence of the suggestion rests on."""
    by_id = {point.id: point for point in points}
    with st.expander("Woher die Sätze stammen", icon=":material/format_quote:"):
        for number, sentence in enumerate(suggestion.sentences, start=1):
            sources = [by_id[key] for key in sentence.source_keys if key in by_id]
            st.markdown(f"{number}. {md(sentence.text)}  \n  *{md(who(sources))}*")
        if suggestion.left_out:
            st.caption(
                f"{counted(len(suggestion.left_out), 'weiterer Satz', 'weitere Sätze')} "
                "nicht im Vorschlag (zu lang oder seltener genannt); siehe die Punkte oben."
            )


def edit_topic(actor: Actor, view: ClusterView, seen: Overview) -> None:
    cluster_id = id_of(view.cluster)
    others = {id_of(t.cluster): t.cluster.label for t in seen.topics if t.cluster.id != cluster_id}
    points = {group.canonical.id: group.canonical for group in view.groups}
    rename, merge, split, move, discard = st.columns(5)
    with rename.popover("Umbenennen"):
        label = st.text_input("Name", value=view.cluster.label, key=f"label-{cluster_id}")
        if st.button("Speichern", key=f"rename-{cluster_id}"):
            with user_errors(), database.writing() as session:
                workspace.rename_cluster(
                    session=session, actor=actor, cluster_id=cluster_id, label=label
                )
            done("Thema umbenannt.")
    with merge.popover("Zusammenlegen"):
        other = choose_topic("mit", others, key=f"merge-with-{cluster_id}")
        if other is not None and st.button("Zusammenlegen", key=f"merge-{cluster_id}"):
            with user_errors(), database.writing() as session:
                workspace.merge_clusters(
                    session=session, actor=actor, keep_id=cluster_id, merge_id=other
                )
            done("Themen zusammengelegt.")
    with split.popover("Aufteilen"):
        chosen = st.multiselect(
            "Punkte für das neue Thema",
            list(points),
            key=f"split-points-{cluster_id}",
            format_func=lambda i: short(points[i]),
            placeholder="Punkte wählen",
        )
        name = st.text_input("Name des neuen Themas", key=f"split-label-{cluster_id}")
        if st.button("Aufteilen", key=f"split-{cluster_id}"):
            with user_errors(), database.writing() as session:
                workspace.split_cluster(
                    session=session,
                    actor=actor,
                    cluster_id=cluster_id,
                    point_ids=chosen,
                    label=name,
                )
            done("Neues Thema angelegt.")
    with move.popover("Verschieben"):
        point = st.selectbox(
            "Punkt",
            list(points),
            key=f"move-point-{cluster_id}",
            format_func=lambda i: short(points[i]),
            index=None,
            placeholder="Punkt wählen",
        )
        target = choose_topic("in das Thema", others, key=f"move-to-{cluster_id}")
        if (
            point is not None
            and target is not None
            and st.button("Verschieben", key=f"move-{cluster_id}")
        ):
            with user_errors(), database.writing() as session:
                workspace.move_point(
                    session=session, actor=actor, point_id=point, cluster_id=target
                )
            done("Punkt verschoben; er bleibt auch nach einer neuen Analyse dort.")
    if discard.button("Beiseitelegen", key=f"discard-{cluster_id}"):
        with user_errors(), database.writing() as session:
            workspace.discard_cluster(session=session, actor=actor, cluster_id=cluster_id)
        done("Thema beiseitegelegt.")


def choose_topic(label: str, topics: dict[int, str], *, key: str) -> int | None:
    return st.selectbox(
        label,
        list(topics),
        key=key,
        format_func=lambda i: topics[i],
        index=None,
        placeholder="Thema wählen",
    )


def short(view: PointView) -> str:
    return short_text(view.text)


def short_text(text: str) -> str:
    return text if len(text) <= 80 else text[:79] + " …"


def section_targets(actor: Actor, call_id: int) -> dict[int, str]:
    """Sections of the papers answering this call that can still be changed."""
    with database.reading() as session:
        answering = [
            s.paper
            for s in papers.list_papers(session=session, actor=actor)
            if s.paper.call_id == call_id and s.paper.status in papers.EDITABLE
        ]
        targets: dict[int, str] = {}
        for paper in answering:
            view = papers.paper_view(session=session, actor=actor, paper_id=id_of(paper))
            for section in view.sections:
                targets[id_of(section.section)] = f"{paper.title}: {section.section.title}"
                for child in section.children:
                    targets[id_of(child.section)] = f"{paper.title}: {child.section.title}"
    return targets


actor = auth.signed_in()
call_id = query_id("aufruf", "Bitte wählen Sie einen Aufruf aus.")
with user_errors(), database.reading() as session:
    detail = calls.call_detail(session=session, actor=actor, call_id=call_id)
    seen = workspace.overview(session=session, actor=actor, call_id=call_id)
st.page_link(
    "ui/pages/call.py",
    label=md(detail.call.title),
    icon=":material/arrow_back:",
    query_params={"aufruf": str(call_id)},
)
st.title("Zusammenführen")
answered = counted(detail.answered, "Stellungnahme", "Stellungnahmen")
st.caption(f"{md(detail.call.title)} · {answered}")
if st.button(
    "Analyse aktualisieren" if seen.analysed_at else "Analyse starten",
    type="primary",
    icon=":material/auto_awesome:",
):
    run_analysis(actor, call_id)
if seen.analysed_at is None:
    st.info(
        "Noch keine Analyse. Sie fasst gleiche Forderungen zusammen, bildet Themen und "
        "schlägt je Thema einen Absatz vor."
    )
    st.stop()
st.caption(f"Zuletzt analysiert: {date_time(seen.analysed_at)}")
if seen.submitted_since:
    st.warning(
        f"Seit der letzten Analyse sind {seen.submitted_since} Stellungnahmen eingegangen "
        "oder geändert worden. Aktualisieren Sie die Analyse, um sie einzubeziehen.",
        icon=":material/update:",
    )
coverage(actor, call_id, seen)
targets = section_targets(actor, call_id)
if not targets:
    st.info(
        "Legen Sie ein Papier zu diesem Aufruf mit mindestens einem Abschnitt an, um "
        "Vorschläge zu übernehmen."
    )
if seen.topics:
    st.subheader("Themen")
    topic_table(seen)
    titles = {
        id_of(t.cluster): topic_title(t.cluster.label, t.points, t.support) for t in seen.topics
    }
    chosen = st.selectbox(
        "Thema",
        list(titles),
        index=None,
        key=f"topic-of-call-{call_id}",
        format_func=lambda i: titles[i],
        placeholder="Thema zum Zusammenführen wählen",
    )
    if chosen is not None and chosen in titles:
        with user_errors(), database.reading() as session:
            opened = workspace.topic(session=session, actor=actor, cluster_id=chosen)
        with st.container(border=True):
            topic(actor, opened, seen, targets)
    topic_draft_panel(
        actor, call_id=call_id, cluster_id=chosen if chosen in titles else None, targets=targets
    )
if seen.loose_points:
    st.subheader("Ohne Thema")
    st.caption(
        "Ein Thema braucht Punkte von mindestens zwei Mitgliedern. Was nur ein Mitglied "
        "vorbringt und zu keinem Thema der anderen passt, steht hier, ebenso Punkte ohne "
        "vergleichbare Wörter."
    )
    with database.reading() as session:
        loose = workspace.loose_points(
            session=session, actor=actor, call_id=call_id, limit=SHOWN_UNUSED
        )
    point_lines(loose, key="loose")
