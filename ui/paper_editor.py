"""The paper editor: sections and paragraphs, their sources and comments, and the conflict
view when a colleague saved the same paragraph in between."""

from __future__ import annotations

import re
from dataclasses import dataclass

import streamlit as st

from db.models import Paragraph, Section, SourceHow, StatementStatus, Visibility, id_of
from positions.analysis import tracing, workspace
from positions.core import attribution, labels
from positions.core.errors import PositionenError
from positions.core.formatting import counted, date_time
from positions.core.permissions import Actor
from positions.papers import papers
from positions.papers.core_demands import MAX_SHORT_FORM, box_entry, default_short_form
from positions.papers.papers import (
    PaperView,
    ParagraphConflict,
    ParagraphView,
    SectionView,
    SourceView,
)
from positions.papers.snapshot import SourceRef
from ui import database, drafts
from ui.drafts import Draft
from ui.widgets import done, md, user_errors

HOW = {"merged": "zusammengeführt", "quoted": "zitiert", "manual": "von Hand"}
MAX_SUGGESTED = tracing.TOP  # the cut-off the source benchmarks measure
TEXT_LABEL = "Text"
SHORT_FORM_LABEL = "Kurzfassung im Kasten „Kernforderungen“"


def _editing_key(paragraph_id: int) -> str:
    return f"paragraph-{paragraph_id}-editing"


def _version_key(paragraph_id: int) -> str:
    return f"paragraph-{paragraph_id}-opened"


def _conflict_key(paragraph_id: int) -> str:
    return f"paragraph-{paragraph_id}-conflict"


def _text_key(paragraph_id: int) -> str:
    return f"paragraph-{paragraph_id}-text"


def _draft_scope(actor: Actor, paragraph_id: int) -> str:
    return drafts.scope(actor, "absatz", paragraph_id)


def core_demands(view: PaperView) -> None:
    demands = view.core_demands
    with st.container(border=True):
        st.markdown("**Kernforderungen**")
        if not demands:
            st.caption("Noch keine: Markieren Sie Absätze als Kernforderung.")
        for number, paragraph in enumerate(demands, start=1):
            entry = box_entry(paragraph.text, paragraph.short_form)
            st.markdown(f"{number}\\. {md(entry)}")


def editor(actor: Actor, view: PaperView, *, editable: bool) -> None:
    """The whole text; with `editable`, every part can be changed in place, and what is
    typed into a paragraph is kept in the browser until it is saved."""
    if not editable:
        _text(actor, view, editable=False, found={})
        return
    paragraphs = [p.paragraph for p in view.all_paragraphs()]
    scopes = {id_of(p): _draft_scope(actor, id_of(p)) for p in paragraphs}
    # Every paragraph's editor is watched, open or not: after a reload a draft is found
    # before any editor is open.
    editors = [
        drafts.Editor(
            scope_key=scopes[id_of(p)],
            label=TEXT_LABEL,
            widget_key=_text_key(id_of(p)),
            saved_text=p.text,
            base_version=st.session_state.get(_version_key(id_of(p)), p.lock_version),
        )
        for p in paragraphs
    ]
    with drafts.keep_drafts(f"paper-{id_of(view.paper)}", editors) as found:
        by_paragraph = {pid: found[scope] for pid, scope in scopes.items() if scope in found}
        _text(actor, view, editable=True, found=by_paragraph)


def _text(actor: Actor, view: PaperView, *, editable: bool, found: dict[int, Draft]) -> None:
    """Core demands and sections; `found` holds the drafts to offer, by paragraph."""
    core_demands(view)
    targets = {id_of(s.section): s.section.title for s in _flat(view.sections)}
    for number, section in enumerate(view.sections, start=1):
        _section(
            actor,
            section,
            f"{number}.",
            targets,
            editable=editable,
            top=view.sections,
            call_id=view.paper.call_id,
            found=found,
        )
    if editable:
        with st.form("new-section", clear_on_submit=True):
            title_column, parent_column = st.columns([3, 2])
            title = title_column.text_input("Neuer Abschnitt")
            parents = {id_of(s.section): s.section.title for s in view.sections}
            parent = parent_column.selectbox(
                "eingerückt unter",
                [None, *parents],
                format_func=lambda i: "– oberste Ebene –" if i is None else parents[i],
            )
            if st.form_submit_button("Abschnitt anlegen"):
                with user_errors(), database.writing() as session:
                    papers.add_section(
                        session=session,
                        actor=actor,
                        paper_id=id_of(view.paper),
                        title=title,
                        parent_id=parent,
                    )
                done("Abschnitt angelegt.")


def _flat(sections: list[SectionView]) -> list[SectionView]:
    return [s for top in sections for s in (top, *top.children)]


def _section(
    actor: Actor,
    view: SectionView,
    number: str,
    targets: dict[int, str],
    *,
    editable: bool,
    top: list[SectionView],
    call_id: int | None,
    found: dict[int, Draft],
) -> None:
    section = view.section
    heading = "###" if section.parent_id is None else "####"
    st.markdown(f"{heading} {number} {md(section.title)}")
    if editable:
        _section_tools(actor, section, top)
    if not view.paragraphs and not view.children:
        st.caption("Noch kein Absatz.")
    for paragraph in view.paragraphs:
        _paragraph(
            actor,
            paragraph,
            targets,
            editable=editable,
            call_id=call_id,
            draft=found.get(id_of(paragraph.paragraph)),
        )
    if editable:
        _new_paragraph(actor, section, call_id)
    for index, child in enumerate(view.children, start=1):
        _section(
            actor,
            child,
            f"{number}{index}.",
            targets,
            editable=editable,
            top=top,
            call_id=call_id,
            found=found,
        )


def _section_tools(actor: Actor, section: Section, top: list[SectionView]) -> None:
    section_id = id_of(section)
    up, down, rename, remove = st.columns([1, 1, 3, 2])
    if up.button("↑", key=f"section-up-{section_id}", help="Abschnitt nach oben"):
        with user_errors(), database.writing() as session:
            papers.move_section(session=session, actor=actor, section_id=section_id, step=-1)
        st.rerun()
    if down.button("↓", key=f"section-down-{section_id}", help="Abschnitt nach unten"):
        with user_errors(), database.writing() as session:
            papers.move_section(session=session, actor=actor, section_id=section_id, step=1)
        st.rerun()
    with rename.popover("Überschrift und Ebene", icon=":material/edit:"):
        parents = {id_of(s.section): s.section.title for s in top if s.section.id != section_id}
        with st.form(f"section-{section_id}"):
            title = st.text_input("Überschrift", value=section.title)
            options = [None, *parents]
            parent = st.selectbox(
                "eingerückt unter",
                options,
                index=options.index(section.parent_id) if section.parent_id in options else 0,
                format_func=lambda i: "– oberste Ebene –" if i is None else parents[i],
            )
            if st.form_submit_button("Speichern"):
                with user_errors(), database.writing() as session:
                    papers.update_section(
                        session=session,
                        actor=actor,
                        section_id=section_id,
                        title=title,
                        parent_id=parent,
                    )
                done("Abschnitt gespeichert.")
    if remove.button(
        "Löschen",
        key=f"section-delete-{section_id}",
        help="Nur leere Abschnitte lassen sich löschen",
    ):
        with user_errors(), database.writing() as session:
            papers.delete_section(session=session, actor=actor, section_id=section_id)
        done("Abschnitt gelöscht.")


def _paragraph(
    actor: Actor,
    view: ParagraphView,
    targets: dict[int, str],
    *,
    editable: bool,
    call_id: int | None,
    draft: Draft | None,
) -> None:
    paragraph = view.paragraph
    paragraph_id = id_of(paragraph)
    with st.container(border=True):
        text_column, side_column = st.columns([3, 2]) if editable else (st.container(), None)
        with text_column:
            labels = []
            if paragraph.is_core_demand:
                labels.append(":blue-badge[Kernforderung]")
            if paragraph.is_minority_opinion:
                labels.append(":violet-badge[Mindermeinung]")
            if labels:
                st.markdown(" ".join(labels))
            if draft is not None and not st.session_state.get(_conflict_key(paragraph_id)):
                scope = _draft_scope(actor, paragraph_id)
                if drafts.offer(scope, draft):
                    _restore(paragraph, draft)
                    st.rerun()
            if st.session_state.get(_conflict_key(paragraph_id)):
                _conflict(actor, paragraph)
            elif editable and st.session_state.get(_editing_key(paragraph_id)):
                _edit(actor, paragraph)
            else:
                st.markdown(md(paragraph.text))
                comments(view)
                if editable and st.button(
                    "Bearbeiten", key=f"edit-{paragraph_id}", icon=":material/edit:"
                ):
                    _open(paragraph, paragraph.text)
                    st.rerun()
        if side_column is not None:
            with side_column:
                _sources(actor, view)
                if call_id is not None:
                    _source_finder(actor, view, call_id)
                _tools(actor, paragraph, targets)


def _open(paragraph: Paragraph, text: str) -> None:
    """Open the paragraph's editor on its stored version, with `text` in it."""
    paragraph_id = id_of(paragraph)
    st.session_state[_editing_key(paragraph_id)] = True
    st.session_state[_version_key(paragraph_id)] = paragraph.lock_version
    st.session_state[_text_key(paragraph_id)] = text


def _restore(paragraph: Paragraph, draft: Draft) -> None:
    """Put a draft back into the editor; if the paragraph was saved since the draft was
    typed, show both texts for a choice instead, as for a save in between."""
    if draft.base_version == paragraph.lock_version:
        _open(paragraph, draft.text)
        return
    st.session_state[_conflict_key(id_of(paragraph))] = (
        f"Ihr nicht gespeicherter Text vom {date_time(draft.saved_at)} beruht auf einer "
        "älteren Fassung: Der Absatz wurde inzwischen gespeichert. Bitte wählen Sie, welche "
        "Fassung gelten soll, oder führen Sie beide zusammen.",
        draft.text,
        paragraph.text,
        paragraph.lock_version,
        paragraph.is_core_demand,
    )


def _edit(actor: Actor, paragraph: Paragraph) -> None:
    paragraph_id = id_of(paragraph)
    opened = st.session_state.get(_version_key(paragraph_id), paragraph.lock_version)
    # The text is gone from the session when the editor was off the page for a run.
    st.session_state.setdefault(_text_key(paragraph_id), paragraph.text)
    with st.form(f"paragraph-{paragraph_id}"):
        text = st.text_area(TEXT_LABEL, height=180, key=_text_key(paragraph_id))
        core = st.checkbox("Kernforderung", value=paragraph.is_core_demand)
        short_form = st.text_input(
            SHORT_FORM_LABEL,
            value=paragraph.short_form or "",
            placeholder=default_short_form(paragraph.text),
            max_chars=MAX_SHORT_FORM,
            help="Nur für Kernforderungen: So steht die Forderung im Kasten "
            "„Kernforderungen“ am Anfang des Papiers. Leer lassen, dann steht dort der erste "
            "Satz des Absatzes; der Absatz selbst bleibt mit Begründung im Text.",
        )
        save, cancel = st.columns(2)
        saved = save.form_submit_button("Speichern", type="primary")
        cancelled = cancel.form_submit_button("Abbrechen")
    if cancelled:
        _close(paragraph_id)
        drafts.forget(_draft_scope(actor, paragraph_id))
        st.rerun()
    if saved:
        _save(actor, paragraph_id, text, core, opened, short_form=short_form)


def _save(
    actor: Actor,
    paragraph_id: int,
    text: str,
    core: bool,
    version: int,
    *,
    short_form: str | papers.KeepShortForm | None = papers.KEEP_SHORT_FORM,
) -> None:
    try:
        with database.writing() as session:
            papers.save_paragraph(
                session=session,
                actor=actor,
                paragraph_id=paragraph_id,
                text=text,
                is_core_demand=core,
                expected_version=version,
                short_form=short_form,
            )
    except ParagraphConflict as conflict:
        st.session_state[_conflict_key(paragraph_id)] = (
            conflict.message,
            conflict.mine,
            conflict.theirs,
            conflict.their_version,
            core,
        )
        st.rerun()
    except PositionenError as error:
        st.error(error.message, icon=":material/block:")
        return
    _close(paragraph_id)
    drafts.forget(_draft_scope(actor, paragraph_id))
    done("Absatz gespeichert.")


def _close(paragraph_id: int) -> None:
    for key in (
        _editing_key(paragraph_id),
        _version_key(paragraph_id),
        _conflict_key(paragraph_id),
        _text_key(paragraph_id),
        f"paragraph-{paragraph_id}-merged",
    ):
        st.session_state.pop(key, None)


def _conflict(actor: Actor, paragraph: Paragraph) -> None:
    """Both texts side by side: take mine, take theirs, or merge by hand."""
    paragraph_id = id_of(paragraph)
    message, mine, theirs, their_version, core = st.session_state[_conflict_key(paragraph_id)]
    st.warning(message, icon=":material/sync_problem:")
    mine_column, theirs_column = st.columns(2)
    with mine_column:
        st.markdown("**Ihre Fassung**")
        st.text(mine)
        if st.button("Meine übernehmen", key=f"take-mine-{paragraph_id}", type="primary"):
            _save(actor, paragraph_id, mine, core, their_version)
    with theirs_column:
        st.markdown("**Gespeicherte Fassung**")
        st.text(theirs or paragraph.text)
        if st.button("Gespeicherte behalten", key=f"take-theirs-{paragraph_id}"):
            _close(paragraph_id)
            drafts.forget(_draft_scope(actor, paragraph_id))
            done("Die gespeicherte Fassung bleibt.")
    with st.form(f"merge-{paragraph_id}"):
        merged = st.text_area(
            "Von Hand zusammenführen",
            height=180,
            value=f"{theirs or paragraph.text}\n\n{mine}",
            key=f"paragraph-{paragraph_id}-merged",
        )
        if st.form_submit_button("Zusammengeführte Fassung speichern"):
            _save(actor, paragraph_id, merged, core, their_version)


def _excerpt(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rsplit(" ", 1)[0] + " …"


def _marked_excerpt(fragments: tuple[tuple[str, bool], ...], limit: int = 240) -> str:
    """Markdown of a point with what it shares with the paragraph marked, cut to about `limit`
    characters from a little before the first mark."""
    # Whitespace collapsed, but kept at the edges: the pieces are joined again.
    pieces = [(re.sub(r"\s+", " ", piece), hit) for piece, hit in fragments]
    first = next((i for i, (_, hit) in enumerate(pieces) if hit), 0)
    before = sum(len(piece) for piece, _ in pieces[:first])
    skip = max(0, before - limit // 3)
    out: list[str] = ["… "] if skip else []
    room = limit
    for piece, hit in pieces:
        visible = piece[skip:]
        if 0 < skip < len(piece) and piece[skip - 1] != " ":
            visible = visible.partition(" ")[2]  # start at a whole word
        skip = max(0, skip - len(piece))
        if not visible:
            continue
        cut = len(visible) > room
        if cut:
            visible = visible[:room].rsplit(" ", 1)[0] + " …"
        out.append(f":orange-background[{md(visible)}]" if hit and visible.strip() else md(visible))
        room -= len(visible)
        if cut or room <= 0:
            break
    return "".join(out)


def _who(organisation: str, visibility: Visibility | None) -> str:
    """The member's name only where they allowed naming."""
    if visibility is None:
        return ""
    if attribution.may_name(visibility) and organisation:
        return organisation
    return labels.UNNAMED.get(visibility, "")


def _source_line(source: SourceView) -> str:
    """What the paragraph quoted, from whom as far as the member allows, and whether the
    statement changed since: the paper keeps its quote, staff decide what to do with it."""
    how = HOW.get(source.source.how.value, "")
    if source.status == StatementStatus.DRAFT:
        return (
            ":orange-badge[vom Mitglied zurückgenommen] Die Stellungnahme ist wieder ein "
            f"Entwurf; was zitiert wurde, ist nicht mehr sichtbar. ({how})"
        )
    who = source.organisation or (
        labels.UNNAMED.get(source.visibility, "") if source.visibility else ""
    )
    line = f"„{md(_excerpt(source.quoted_text))}“" + (f" — {md(who)}" if who else "") + f" ({how})"
    if source.status == StatementStatus.WITHDRAWN:
        return f":red-badge[{labels.STATEMENT_STATUS[StatementStatus.WITHDRAWN]}] {line}"
    if source.changed:
        return f":orange-badge[seit dem Zitat geändert] {line}"
    return line


def _sources(actor: Actor, view: ParagraphView) -> None:
    if not view.sources:
        st.caption("Keine Quelle verknüpft.")
        return
    with st.expander(f"Beruht auf {counted(len(view.sources), 'Quelle', 'Quellen')}"):
        for source in view.sources:
            line, action = st.columns([6, 1])
            line.caption(_source_line(source))
            if action.button(
                ":material/link_off:", key=f"unlink-{source.source.id}", help="Verknüpfung lösen"
            ):
                with user_errors(), database.writing() as session:
                    papers.remove_source(
                        session=session, actor=actor, source_id=id_of(source.source)
                    )
                st.rerun()


@dataclass(frozen=True)
class _Candidate:
    """A point the paragraph may rest on; names only what the member allowed."""

    point_id: int
    statement_id: int
    text: str
    who: str
    # The text in pieces, True marking the words (or the sentence) it shares with the paragraph.
    fragments: tuple[tuple[str, bool], ...] = ()
    # Near-duplicates: the same point sent by other members, linked with it.
    copies: tuple[tuple[int, int, str], ...] = ()  # (point id, statement id, name or "")


@dataclass(frozen=True)
class _Conflict:
    """A look-alike point the paragraph contradicts ("nennt 2035 statt 2030"): never
    suggested, shown so that staff do not credit the member unseen."""

    point_id: int
    statement_id: int
    text: str
    who: str
    differs: str


@dataclass(frozen=True)
class _Found:
    candidates: list[_Candidate]
    conflicts: list[_Conflict]
    # Points making the paragraph's demand in other words: less certain, staff check them.
    related: list[_Candidate]


def _suggestions_key(paragraph_id: int) -> str:
    return f"paragraph-{paragraph_id}-suggested-sources"


def _find_sources(actor: Actor, call_id: int, text: str) -> _Found:
    with user_errors(), database.reading() as session:
        found = workspace.find_sources(
            session=session, actor=actor, call_id=call_id, text=text, top=MAX_SUGGESTED
        )
    return _Found(
        candidates=[_candidate(source, text) for source in found.sources],
        related=[_candidate(source, text) for source in found.related],
        conflicts=[
            _Conflict(
                point_id=conflict.point.id,
                statement_id=conflict.point.statement_id,
                text=conflict.point.text,
                who=conflict.point.member,
                differs="; ".join(c.describe("der Absatz") for c in conflict.contradictions),
            )
            for conflict in found.conflicts
        ],
    )


def _candidate(source: workspace.SuggestedSource, paragraph: str) -> _Candidate:
    point = source.group.canonical
    return _Candidate(
        point_id=point.id,
        statement_id=point.statement_id,
        text=point.text,
        who=_who(point.organisation, point.visibility),
        fragments=tracing.marked(paragraph, point.text),
        copies=tuple(
            (copy.id, copy.statement_id, _name_if_allowed(copy)) for copy in source.group.copies
        ),
    )


def _name_if_allowed(view: workspace.PointView) -> str:
    """The member's name where it allowed naming, else "" (it is only counted)."""
    return view.organisation if attribution.may_name(view.visibility) else ""


def _copies_note(senders: list[str]) -> str:
    """ " · gleichlautend in 2 weiteren Stellungnahmen (…)" for a suggested point that
    others sent as well, naming only those who allowed it ("" for the others)."""
    if not senders:
        return ""
    named = sorted({name for name in senders if name})
    listed = ", ".join(md(who) for who in named[:3]) + (" u. a." if len(named) > 3 else "")
    where = (
        "in einer weiteren Stellungnahme"
        if len(senders) == 1
        else f"in {len(senders)} weiteren Stellungnahmen"
    )
    return f" · gleichlautend {where}" + (f" ({listed})" if listed else "")


def _source_finder(actor: Actor, view: ParagraphView, call_id: int) -> None:
    """Which statements of the call a hand-written paragraph rests on, to link in one click."""
    paragraph_id = id_of(view.paragraph)
    key = _suggestions_key(paragraph_id)
    if key not in st.session_state:
        if st.button(
            "Quellen vorschlagen",
            key=f"suggest-sources-{paragraph_id}",
            icon=":material/manage_search:",
            help="Sucht die Punkte der Stellungnahmen, auf denen dieser Absatz beruht.",
        ):
            st.session_state[key] = _find_sources(actor, call_id, view.paragraph.text)
            st.rerun()
        return
    points = {s.source.point_id for s in view.sources}
    whole = {s.source.statement_id for s in view.sources if s.source.point_id is None}
    found: _Found = st.session_state[key]

    def unlinked(offered: list[_Candidate]) -> list[_Candidate]:
        return [c for c in offered if c.point_id not in points and c.statement_id not in whole]

    candidates, related = unlinked(found.candidates), unlinked(found.related)
    with st.container(border=True):
        st.markdown("**Vorgeschlagene Quellen**")
        if not candidates:
            st.caption(
                "Keine weiteren Punkte mit denselben Worten gefunden."
                if related
                else "Keine weiteren passenden Punkte in den Stellungnahmen gefunden."
            )
        for conflict in found.conflicts:
            linked = conflict.point_id in points or conflict.statement_id in whole
            st.warning(
                f"**Abweichung:** {md(conflict.who)} {md(conflict.differs)}: "
                f"„{md(_excerpt(conflict.text))}“ "
                + (
                    "Dieser Punkt ist als Quelle verknüpft; bitte prüfen."
                    if linked
                    else "Nicht als Quelle vorgeschlagen."
                ),
                icon=":material/rule:",
            )
        _offer(actor, paragraph_id, candidates, linked=(points, whole))
        if related:
            st.markdown("**Ähnliche Forderungen, anders formuliert**")
            st.caption(
                "Diese Punkte stellen wohl dieselbe Forderung mit anderen Worten. Sie können "
                "aber auch etwas anderes meinen, etwa für ein anderes Produkt oder eine andere "
                "Region: bitte vor dem Verknüpfen lesen."
            )
            _offer(actor, paragraph_id, related, linked=(points, whole))
        if st.button("Vorschläge schließen", key=f"close-suggestions-{paragraph_id}"):
            st.session_state.pop(key, None)
            st.rerun()


def _offer(
    actor: Actor,
    paragraph_id: int,
    offered: list[_Candidate],
    *,
    linked: tuple[set[int | None], set[int | None]],
) -> None:
    """Points to link to the paragraph, best first and numbered, each with its copies not
    yet linked (`linked`: the point ids, and the ids of statements linked whole). No
    percentage: the share of a point's words a paragraph takes up reads low even for the
    point it was written from."""
    points, whole = linked
    for number, candidate in enumerate(offered, start=1):
        copies = [
            (point_id, who)
            for point_id, statement_id, who in candidate.copies
            if point_id not in points and statement_id not in whole
        ]
        excerpt = _marked_excerpt(candidate.fragments or ((candidate.text, False),))
        st.caption(
            f"{number}\\. „{excerpt}“ — {md(candidate.who)}"
            + _copies_note([who for _, who in copies])
        )
        if st.button(
            "Verknüpfen" if not copies else f"Alle {len(copies) + 1} verknüpfen",
            key=f"link-{paragraph_id}-{candidate.point_id}",
            icon=":material/add_link:",
            help="Als Quelle dieses Absatzes verknüpfen"
            + (", mit den gleichlautenden Punkten" if copies else ""),
        ):
            with user_errors(), database.writing() as session:
                for point_id in (candidate.point_id, *(i for i, _ in copies)):
                    papers.add_source(
                        session=session,
                        actor=actor,
                        paragraph_id=paragraph_id,
                        source=SourceRef(point_id=point_id, how=SourceHow.MANUAL),
                    )
            st.rerun()


def _tools(actor: Actor, paragraph: Paragraph, targets: dict[int, str]) -> None:
    paragraph_id = id_of(paragraph)
    up, down, more = st.columns(3)
    if up.button("↑", key=f"up-{paragraph_id}", help="nach oben"):
        with user_errors(), database.writing() as session:
            papers.move_paragraph(session=session, actor=actor, paragraph_id=paragraph_id, step=-1)
        st.rerun()
    if down.button("↓", key=f"down-{paragraph_id}", help="nach unten"):
        with user_errors(), database.writing() as session:
            papers.move_paragraph(session=session, actor=actor, paragraph_id=paragraph_id, step=1)
        st.rerun()
    with more.popover("⋯", help="Verschieben, Kommentar, Löschen"):
        others = {k: v for k, v in targets.items() if k != paragraph.section_id}
        target = st.selectbox(
            "In Abschnitt verschieben",
            [None, *others],
            key=f"move-target-{paragraph_id}",
            format_func=lambda i: "–" if i is None else others[i],
        )
        if target is not None and st.button("Verschieben", key=f"move-{paragraph_id}"):
            with user_errors(), database.writing() as session:
                papers.move_paragraph(
                    session=session, actor=actor, paragraph_id=paragraph_id, to_section_id=target
                )
            done("Absatz verschoben.")
        note = st.text_area(
            "Kommentar für Kolleginnen und Kollegen", key=f"comment-{paragraph_id}", height=80
        )
        if st.button("Kommentar speichern", key=f"comment-save-{paragraph_id}"):
            with user_errors(), database.writing() as session:
                papers.add_comment(
                    session=session, actor=actor, paragraph_id=paragraph_id, text=note
                )
            done("Kommentar gespeichert.")
        if st.button("Absatz löschen", key=f"delete-{paragraph_id}", type="primary"):
            with user_errors(), database.writing() as session:
                papers.delete_paragraph(
                    session=session,
                    actor=actor,
                    paragraph_id=paragraph_id,
                    expected_version=paragraph.lock_version,
                )
            done("Absatz gelöscht.")


def comments(view: ParagraphView) -> None:
    for comment, author in view.comments:
        st.caption(f"💬 {md(author)}: {md(comment.text)}")


def _new_paragraph(actor: Actor, section: Section, call_id: int | None) -> None:
    section_id = id_of(section)
    with (
        st.expander("Absatz hinzufügen", icon=":material/add:"),
        st.form(f"new-paragraph-{section_id}", clear_on_submit=True),
    ):
        text = st.text_area("Text", height=120)
        core = st.checkbox("Kernforderung")
        if st.form_submit_button("Hinzufügen"):
            with user_errors(), database.writing() as session:
                added = papers.add_paragraph(
                    session=session,
                    actor=actor,
                    section_id=section_id,
                    text=text,
                    is_core_demand=core,
                )
                added_id = id_of(added)
            if call_id is None:
                done("Absatz hinzugefügt.")
            # A hand-written paragraph should not stay without sources: offer them at once.
            st.session_state[_suggestions_key(added_id)] = _find_sources(actor, call_id, text)
            done("Absatz hinzugefügt. Prüfen Sie die vorgeschlagenen Quellen.")
