"""The paper's documents: Word and PDF (with a page preview), the Synopse on screen and in
Word, the feedback copy, and reading a Word file that came back edited."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from db.engine import read_session
from db.models import Forum, PaperVersion, id_of
from exports import lobbyregister as lobbyregister_package
from exports import paper_exports, pdf, roundtrip
from exports.roundtrip import Proposal
from positions.core.errors import PositionenError
from positions.core.formatting import counted
from positions.core.permissions import Action, Actor, can
from positions.papers import lobbyregister, papers
from positions.papers.diffing import ROW_LABELS, Synopsis
from positions.papers.papers import PaperView
from ui import database
from ui.widgets import done, md, user_errors

LABELS = {
    "docx": ("Word (.docx)", ":material/description:"),
    "pdf": ("PDF", ":material/picture_as_pdf:"),
    "feedback": ("Rückmeldungen als Word-Kommentare", ":material/comment:"),
    "synopse-table": ("Synopse als Tabelle", ":material/table_chart:"),
    "synopse-two-column": (
        "Synopse zweispaltig (Entwurf | Änderungsvorschlag)",
        ":material/view_column:",
    ),
    "synopse-four-column": (
        "Synopse mit Begründung (vier Spalten)",
        ":material/view_week:",
    ),
    "synopse-tracked": ("Synopse mit Änderungsverfolgung", ":material/track_changes:"),
}


def _versions(actor: Actor, paper_id: int) -> list[PaperVersion]:
    with database.reading() as session:
        return papers.versions(session=session, actor=actor, paper_id=paper_id)


def _pick(label: str, versions: list[PaperVersion], key: str, index: int = 0) -> int:
    numbers = [v.number for v in versions]
    names = {
        v.number: f"Fassung {v.number}" + (f" – {v.label}" if v.label else "") for v in versions
    }
    return (
        st.selectbox(
            label,
            numbers,
            index=min(index, len(numbers) - 1),
            key=key,
            format_func=lambda n: names[n],
        )
        or numbers[0]
    )


def exports_tab(actor: Actor, view: PaperView) -> None:
    paper_id = id_of(view.paper)
    versions = _versions(actor, paper_id)
    if not versions:
        st.info(
            "Exportiert werden gespeicherte Fassungen. Speichern Sie zuerst eine Fassung "
            "(Reiter „Fassungen“)."
        )
        return
    # Keyed by the newest number: a version saved meanwhile becomes the one preselected.
    number = _pick("Fassung", versions, f"export-version-{versions[0].number}")
    older = [v for v in versions if v.number < number]
    compare = _pick("Synopse gegenüber", older, "export-compare") if older else None
    pdf_key = f"pdf-{paper_id}-{number}"
    with database.reading() as session:
        refusal = lobbyregister.missing_register_number(
            session=session, paper=view.paper, version_number=number
        )
    if refusal:
        # Said here, not by a failing download (Streamlit would say "Failed to generate file").
        st.warning(refusal, icon=":material/badge:")
    for fmt in paper_exports.FORMATS:
        if refusal and fmt != "feedback":
            continue
        if fmt.startswith("synopse") and compare is None:
            continue
        label, icon = LABELS[fmt]
        if fmt == "pdf":
            prepared_download(
                label,
                icon,
                key=pdf_key,
                build=lambda: _export(actor, paper_id, "pdf", number, None),
            )
            continue
        st.download_button(
            label,
            data=_lazy(actor, paper_id, fmt, number, compare),
            file_name=_name(actor, paper_id, fmt, number, compare),
            mime=paper_exports.MIME["docx"],
            on_click="ignore",
            icon=icon,
            key=f"export-{fmt}",
        )
    if (
        refusal is None
        and pdf.available()
        and st.button("Seitenvorschau (PDF)", icon=":material/preview:")
    ):
        with st.spinner("LibreOffice setzt das Dokument …"), user_errors():
            rendered = _prepared(pdf_key, lambda: _export(actor, paper_id, "pdf", number, None))
            pages = pdf.pdf_pages_to_png(rendered.data, dpi=70, last=4)
        columns = st.columns(len(pages))
        for column, page in zip(columns, pages, strict=True):
            column.image(page, width="stretch")
    lobbyregister_section(actor, view)
    if can(actor, Action.PAPER_EDIT):
        returned(actor, view)


def _name(
    actor: Actor, paper_id: int, fmt: paper_exports.Format, number: int, compare: int | None
) -> str:
    with database.reading() as session:
        paper = papers.get_paper(session=session, actor=actor, paper_id=paper_id)
        forum = session.get(Forum, paper.forum_id)
        assert forum is not None
        return paper_exports.export_file_name(
            paper, forum, fmt, number, compare or max(1, number - 1)
        )


def _export(
    actor: Actor, paper_id: int, fmt: paper_exports.Format, number: int, compare: int | None
) -> paper_exports.Export:
    with read_session(database.engine()) as session:
        return paper_exports.export(
            session=session,
            actor=actor,
            paper_id=paper_id,
            fmt=fmt,
            version_number=number,
            compare_with=compare,
        )


def _lazy(
    actor: Actor, paper_id: int, fmt: paper_exports.Format, number: int, compare: int | None
) -> Callable[[], bytes]:
    """A Word export, built only when the download is clicked (it needs nothing that can
    be missing on the server, so it fails only on a bug)."""
    return lambda: _export(actor, paper_id, fmt, number, compare).data


def prepared_download(
    label: str, icon: str, *, key: str, build: Callable[[], paper_exports.Export]
) -> None:
    """A download that needs LibreOffice: built on a click of its own, with a spinner and
    our German message if it fails (a download button's own build would only show
    Streamlit's English "Failed to generate file"), then offered for download."""
    if not pdf.available():
        st.button(
            label,
            icon=icon,
            disabled=True,
            key=f"prepare-{key}",
            help="Auf diesem Server ist LibreOffice nicht installiert; PDF-Dateien lassen sich "
            "hier nicht erzeugen.",
        )
        return
    ready: paper_exports.Export | None = st.session_state.get(_state(key))
    if ready is None:
        if st.button(f"{label} erstellen", icon=icon, key=f"prepare-{key}"):
            with st.spinner("LibreOffice setzt das Dokument …"), user_errors():
                _prepared(key, build)
            st.rerun()
        return
    st.download_button(
        label,
        data=ready.data,
        file_name=ready.filename,
        mime=ready.mime,
        on_click="ignore",
        icon=icon,
        key=f"download-{key}",
    )


def _state(key: str) -> str:
    return f"prepared-{key}"


def _prepared(key: str, build: Callable[[], paper_exports.Export]) -> paper_exports.Export:
    """The export built once per browser session (the download and the page preview share
    one LibreOffice run)."""
    state = _state(key)
    if state not in st.session_state:
        st.session_state[state] = build()
    export: paper_exports.Export = st.session_state[state]
    return export


def synopsis_view(actor: Actor, paper_id: int) -> None:
    """Two versions side by side, changed words marked, unchanged paragraphs hideable."""
    versions = _versions(actor, paper_id)
    if len(versions) < 2:
        st.caption("Für eine Synopse braucht es zwei gespeicherte Fassungen.")
        return
    st.subheader("Synopse")
    left, right = st.columns(2)
    with left:
        old = _pick("bisherige Fassung", versions, "synopse-old", index=1)
    with right:
        new = _pick("neue Fassung", versions, "synopse-new", index=0)
    hide = st.toggle("Unveränderte Absätze ausblenden", value=True)
    with user_errors(), database.reading() as session:
        synopsis = paper_exports.synopsis_for(
            session=session, actor=actor, paper_id=paper_id, old=old, new=new
        )
    render_synopsis(synopsis, hide_unchanged=hide)


def render_synopsis(synopsis: Synopsis, *, hide_unchanged: bool) -> None:
    st.caption(synopsis.summary())
    old_column, new_column = st.columns(2)
    old_column.markdown(f"**{md(synopsis.old.label)}**")
    new_column.markdown(f"**{md(synopsis.new.label)}**")
    for row in synopsis.rows:
        if hide_unchanged and row.collapsible:
            continue
        old_side = (
            "".join(
                _marked(p.text, ":red[~~", "~~]") if p.op == "delete" else md(p.text)
                for p in row.pieces
                if p.op != "insert"
            )
            if row.old
            else "—"
        )
        new_side = (
            "".join(
                _marked(p.text, ":green[**", "**]") if p.op == "insert" else md(p.text)
                for p in row.pieces
                if p.op != "delete"
            )
            if row.new
            else "—"
        )
        with st.container(border=True):
            left, right = st.columns(2)
            left.markdown(old_side or "—")
            right.markdown(new_side or "—")
            notes = [ROW_LABELS[row.kind], *row.remarks]
            st.caption(" · ".join(md(note) for note in notes))


def lobbyregister_section(actor: Actor, view: PaperView) -> None:
    """The register's checklist, the package download and the upload record."""
    if not view.paper.lobbyregister_relevant:
        return
    paper_id = id_of(view.paper)
    st.subheader("Lobbyregister")
    with database.reading() as session:
        pack = lobbyregister.package(session=session, actor=actor, paper_id=paper_id)
    for check in pack.checks:
        icon = ":material/check_circle:" if check.ok else ":material/cancel:"
        hint = "" if check.ok else f" – {md(check.hint)}"
        st.markdown(f"{icon} {md(check.label)}{hint}")
    if pack.ready:

        def build() -> paper_exports.Export:
            with read_session(database.engine()) as session:
                return lobbyregister_package.build_package(
                    session=session, actor=actor, paper_id=paper_id
                )

        version = pack.version.number if pack.version else 0
        prepared_download(
            "Paket für das Lobbyregister (.zip)",
            ":material/folder_zip:",
            key=f"lobbyregister-{paper_id}-{version}",
            build=build,
        )
    uploaded = pack.submission.lobbyregister_uploaded_on if pack.submission else None
    if uploaded:
        # Recording the upload is the paper page's "Lobbyregister erfassen" form.
        st.success(
            f"Im Lobbyregister hochgeladen am {uploaded:%d.%m.%Y} · aufzubewahren bis "
            f"{lobbyregister.keep_until(uploaded):%d.%m.%Y}.",
            icon=":material/cloud_done:",
        )


def _marked(text: str, start: str, end: str) -> str:
    """Markdown emphasis around the words only: "** x**" would not render."""
    core = text.strip()
    if not core:
        return md(text)
    lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
    return f"{md(lead)}{start}{md(core)}{end}{md(trail)}"


def returned(actor: Actor, view: PaperView) -> None:
    """A Word file that came back edited: proposals to accept one by one, moves to know of,
    and the comments written into it to keep as notes on their paragraphs."""
    st.subheader("Rücklauf einer bearbeiteten Word-Datei")
    st.caption(
        "Absätze werden über ihre Textmarken zugeordnet, sonst über ihren Text. "
        "Übernommen wird nur, was Sie auswählen."
    )
    # A new key after applying empties the uploader: the file's proposals are dealt with.
    paper_id = id_of(view.paper)
    round_key = f"returned-round-{paper_id}"
    upload = st.file_uploader(
        "Bearbeitete Datei (.docx)",
        key=f"returned-docx-{st.session_state.get(round_key, 0)}",
    )
    if upload is None:
        return
    try:
        with database.reading() as session:
            result = paper_exports.read_returned(
                session=session,
                actor=actor,
                paper_id=paper_id,
                data=upload.getvalue(),
                filename=upload.name,
            )
    except PositionenError as error:
        st.error(error.message, icon=":material/block:")
        return
    st.caption(f"Verglichen mit: {md(result.compared_with)}")
    for note in result.notes:
        st.info(md(note))
    shown = [p for p in result.proposals if p.kind != "unchanged" or p.moved or p.comments]
    if not shown:
        st.success(f"Die Datei enthält keine Änderungen gegenüber {md(result.compared_with)}.")
        return
    texts = {p.paragraph_id: p.old_text for p in result.proposals if p.paragraph_id}
    chosen: list[Proposal] = []
    notes: list[tuple[int, str]] = []
    with st.form("returned-proposals"):
        for index, proposal in enumerate(shown):
            with st.container(border=True):
                if _proposal(proposal, texts, key=f"accept-{index}"):
                    chosen.append(proposal)
                notes += _comments(proposal, upload.name, key=f"comment-{index}")
        if any(p.comments for p in shown):
            st.caption(
                "Ausgewählte Kommentare werden am Absatz als Kommentar für Kolleginnen und "
                "Kollegen gespeichert; sie werden nie exportiert."
            )
        apply = st.form_submit_button("Ausgewählte Änderungen übernehmen", type="primary")
    if apply:
        _apply(actor, paper_id, chosen=chosen, notes=notes, source=upload.name, round_key=round_key)


_KINDS = {"change": "Änderung", "addition": "neuer Absatz", "deletion": "gelöscht"}


def _proposal(proposal: Proposal, texts: dict[int, str], *, key: str) -> bool:
    """One paragraph of the returned file; True when its change is chosen."""
    if proposal.kind == "unchanged":
        kind = "verschoben" if proposal.moved else "Kommentar"
    else:
        kind = _KINDS[proposal.kind] + (", verschoben" if proposal.moved else "")
    who = f" von {', '.join(proposal.authors)}" if proposal.authors else ""
    tracked = " (Änderungsverfolgung)" if proposal.tracked else ""
    st.markdown(f"**{kind}**{md(who)}{tracked}")
    if proposal.kind == "unchanged":
        st.text(proposal.old_text)
    else:
        left, right = st.columns(2)
        left.caption("Exportiert")
        left.text(proposal.old_text or "—")
        right.caption("In der Datei")
        right.text(proposal.new_text or "—")
    if proposal.moved:
        after = texts.get(proposal.after_paragraph_id or 0)
        place = f"nach „{md(_short(after))}“" if after else "am Anfang"
        st.caption(
            f"In der Datei steht der Absatz jetzt {place} im Abschnitt "
            f"„{md(proposal.section)}“. Die Reihenfolge wird nicht aus der Datei übernommen; "
            "verschieben Sie den Absatz bei Bedarf im Papier."
        )
    if proposal.current_text is not None and proposal.kind != "unchanged":
        st.warning(
            "Seit dem Export geändert; heute steht hier: "
            + (md(proposal.current_text) or "(Absatz gelöscht)"),
            icon=":material/history:",
        )
    if proposal.note:
        st.caption(md(proposal.note))
    if proposal.kind == "unchanged":
        return False
    return st.checkbox("übernehmen", key=key)


def _comments(proposal: Proposal, source: str, *, key: str) -> list[tuple[int, str]]:
    """The Word comments on one paragraph; those chosen to keep as comments on it."""
    notes = roundtrip.comment_notes([proposal], source=source)  # none on a new paragraph
    chosen: list[tuple[int, str]] = []
    for number, comment in enumerate(proposal.comments):
        when = f" am {comment.date:%d.%m.%Y}" if comment.date else ""
        about = f" zu „{md(_short(comment.quote))}“" if comment.quote else ""
        st.markdown(
            f":material/comment: **Kommentar von {md(comment.author)}**{when}{about}: "
            f"{md(comment.text)}"
        )
        if not notes:
            continue
        if proposal.current_text == "":
            st.caption("Der Absatz wurde seit dem Export gelöscht; der Kommentar hat keinen Platz.")
        elif st.checkbox("als Kommentar am Absatz speichern", key=f"{key}-{number}"):
            chosen.append(notes[number])
    return chosen


def _apply(
    actor: Actor,
    paper_id: int,
    *,
    chosen: list[Proposal],
    notes: list[tuple[int, str]],
    source: str,
    round_key: str,
) -> None:
    if not chosen and not notes:
        done("Nichts ausgewählt; nichts geändert.")
    version = None
    with user_errors(), database.writing() as session:
        # Comments first: a paragraph deleted by a chosen change takes its comments with it.
        # They need no editable paper: a submitted paper's ministry comments are kept too.
        for paragraph_id, note in notes:
            papers.add_comment(session=session, actor=actor, paragraph_id=paragraph_id, text=note)
        if chosen:
            version = papers.apply_returned_changes(
                session=session,
                actor=actor,
                paper_id=paper_id,
                changes=paper_exports.returned_changes(chosen),
                source=source,
            )
    st.session_state[round_key] = st.session_state.get(round_key, 0) + 1
    said = []
    if version is not None:
        said.append(
            f"{counted(len(chosen), 'Änderung', 'Änderungen')} übernommen; gespeichert als "
            f"Fassung {version.number}"
        )
    if notes:
        said.append(f"{counted(len(notes), 'Kommentar', 'Kommentare')} am Absatz gespeichert")
    done("; ".join(said) + ".")


def _short(text: str | None, limit: int = 60) -> str:
    line = " ".join((text or "").split())
    return line if len(line) <= limit else line[:limit].rsplit(" ", 1)[0] + " …"
