"""Writing a statement: the member's form (typed or from a Word file), the staff form for
statements received by phone, e-mail or letter, and showing one statement."""

from __future__ import annotations

import hashlib

import streamlit as st

from db.engine import read_session
from db.models import (
    Document,
    Statement,
    StatementSource,
    StatementStatus,
    Visibility,
    id_of,
)
from positions.core import labels
from positions.core.errors import InvalidInput, PositionenError, StaleEdit
from positions.core.formatting import date_time
from positions.core.permissions import Actor
from positions.statements import statements
from positions.statements.statements import AnswerRow, SourceFile
from positions.uploads import intake
from ui import database, drafts
from ui.drafts import Draft
from ui.widgets import done, file_size, md, user_errors

VISIBILITY_HELP = {
    Visibility.NAMED: "Der Verband darf Ihr Unternehmen als Quelle nennen, z. B. in einer "
    "Fußnote des Positionspapiers.",
    Visibility.ANONYMOUS: "Ihre Inhalte fließen ein, ohne dass Ihr Unternehmen genannt wird.",
    Visibility.INTERNAL: "Nur das Referat liest Ihre Stellungnahme; sie wird nicht zitiert und "
    "nicht weitergegeben.",
}
SOURCES = {
    StatementSource.PHONE: "Telefon",
    StatementSource.EMAIL: "E-Mail",
    StatementSource.LETTER: "Brief",
    StatementSource.UPLOAD: "Word-Datei",
}
MEMBER_TEXT_LABEL = "Ihre Stellungnahme"


def _keys(scope: str) -> tuple[str, str, str, str, str]:
    """Session keys of one editor: its text, the version it opened, the Word file (and its
    hash), and the conflict waiting to be resolved."""
    return (
        f"{scope}-text",
        f"{scope}-version",
        f"{scope}-docx",
        f"{scope}-docx-hash",
        f"{scope}-conflict",
    )


def _stale_draft_key(scope: str) -> str:
    """A restored draft typed on an older version than the stored one, until decided."""
    return f"{scope}-stale-draft"


def word_import(scope: str) -> None:
    """A Word upload whose text goes into the editor for checking before anything is saved."""
    text_key, _, file_key, hash_key, _ = _keys(scope)
    upload = st.file_uploader(
        "Word-Datei (.docx) übernehmen",
        key=f"{scope}-upload",
        help="Der Text wird ausgelesen und unten angezeigt; gespeichert "
        "wird erst, wenn Sie ihn geprüft haben.",
    )
    if upload is None:
        return
    data = upload.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    if st.session_state.get(hash_key) == digest:
        return
    try:
        extracted = intake.extract_text(upload.name, data)
    except PositionenError as error:
        st.error(error.message, icon=":material/block:")
        return
    st.session_state[hash_key] = digest
    st.session_state[text_key] = extracted
    st.session_state[file_key] = (upload.name, data)
    st.info(
        f"Der Text aus „{md(upload.name)}“ steht jetzt im Textfeld. Bitte prüfen Sie ihn, "
        "bevor Sie speichern.",
        icon=":material/fact_check:",
    )


def member_form(actor: Actor, call_id: int, statement: Statement | None) -> None:
    """The member's editor; keeps the version it opened so a stale save is refused, and
    what is typed, in the browser, until it is saved."""
    scope = f"statement-{call_id}"
    text_key, version_key, *_ = _keys(scope)
    if version_key not in st.session_state:
        st.session_state[version_key] = statement.version if statement else None
        st.session_state[text_key] = statement.text if statement else ""
    draft_scope = drafts.scope(actor, "stellungnahme", call_id)
    with drafts.keep_draft(
        draft_scope,
        MEMBER_TEXT_LABEL,
        widget_key=text_key,
        saved_text=statement.text if statement else "",
        base_version=st.session_state[version_key],
    ) as draft:
        _member_editor(actor, call_id, statement, draft, draft_scope)


def _member_editor(
    actor: Actor,
    call_id: int,
    statement: Statement | None,
    draft: Draft | None,
    draft_scope: str,
) -> None:
    scope = f"statement-{call_id}"
    text_key, version_key, file_key, _, conflict_key = _keys(scope)
    if conflict_key in st.session_state:
        # Shown until resolved: the button must still be there on the rerun its click causes.
        st.error(st.session_state[conflict_key], icon=":material/sync_problem:")
        if st.button("Neuere Fassung laden (meine Änderungen verwerfen)"):
            forget_editor(scope)
            drafts.forget(draft_scope)
            st.rerun()
    if _stale_draft_key(scope) in st.session_state:
        _choose_after_stale_draft(scope, draft_scope, statement)
    elif draft is not None and drafts.offer(draft_scope, draft):
        if draft.base_version == (statement.version if statement else None):
            st.session_state[text_key] = draft.text
        else:
            st.session_state[_stale_draft_key(scope)] = draft
        st.rerun()
    word_import(scope)
    submitted = statement is not None and statement.status == StatementStatus.SUBMITTED
    with st.form(f"{scope}-form"):
        text = st.text_area(
            MEMBER_TEXT_LABEL,
            key=text_key,
            height=320,
            max_chars=statements.MAX_TEXT,
            help="Absätze und Aufzählungen (- oder 1.) bleiben erhalten; "
            "jede Forderung am besten als eigener Absatz.",
        )
        options = list(Visibility)
        visibility = (
            st.radio(
                "Wie darf der Verband Ihre Stellungnahme verwenden?",
                options,
                index=options.index(statement.visibility) if statement else 0,
                format_func=lambda v: labels.VISIBILITY[v],
                captions=[VISIBILITY_HELP[v] for v in options],
            )
            or Visibility.NAMED
        )
        attachments = st.file_uploader(
            "Anlagen (optional)",
            accept_multiple_files=True,
        )
        draft_column, submit_column = st.columns(2)
        save_draft = (
            False
            if submitted
            else draft_column.form_submit_button("Als Entwurf speichern", icon=":material/save:")
        )
        submit = submit_column.form_submit_button(
            "Änderungen einreichen" if submitted else "Einreichen",
            type="primary",
            icon=":material/send:",
        )
    if not (save_draft or submit):
        return
    source = st.session_state.get(file_key)
    try:
        with database.writing() as session:
            saved = statements.save_statement(
                session=session,
                actor=actor,
                call_id=call_id,
                text_input=text,
                visibility=visibility,
                submit=submit,
                expected_version=st.session_state[version_key],
                source=StatementSource.UPLOAD if source else StatementSource.WEB,
                source_file=SourceFile(*source) if source else None,
            )
            for upload in attachments or []:
                statements.add_attachment(
                    session=session,
                    actor=actor,
                    statement_id=id_of(saved),
                    filename=upload.name,
                    data=upload.getvalue(),
                )
            version = saved.version
    except StaleEdit as error:
        st.session_state[conflict_key] = error.message
        st.rerun()
    except PositionenError as error:
        st.error(md(error.message), icon=":material/block:")
        return
    st.session_state[version_key] = version
    st.session_state.pop(file_key, None)
    st.session_state.pop(conflict_key, None)
    drafts.forget(draft_scope)
    done("Stellungnahme eingereicht. Vielen Dank!" if submit else "Entwurf gespeichert.")


def _choose_after_stale_draft(scope: str, draft_scope: str, statement: Statement | None) -> None:
    """Both texts, when the statement was saved after the restored draft was begun: the
    person decides what goes into the editor, nothing is overwritten unseen."""
    draft: Draft = st.session_state[_stale_draft_key(scope)]
    saved = statement.text if statement else ""
    text_key, version_key, *_ = _keys(scope)
    st.warning(
        f"Ihr nicht gespeicherter Text vom {date_time(draft.saved_at)} beruht auf einer "
        "älteren Fassung: Die Stellungnahme wurde inzwischen gespeichert. Bitte wählen Sie, "
        "was ins Textfeld kommt.",
        icon=":material/sync_problem:",
    )
    mine_column, saved_column = st.columns(2)
    with mine_column:
        st.markdown("**Ihr nicht gespeicherter Text**")
        st.text(draft.text)
    with saved_column:
        st.markdown("**Gespeicherte Fassung**")
        st.text(saved)
    mine, both, keep = st.columns(3)
    if mine.button("Meinen Text übernehmen", type="primary"):
        chosen = draft.text
    elif both.button("Beide ins Textfeld (zum Zusammenführen)"):
        chosen = f"{saved}\n\n{draft.text}" if saved else draft.text
    elif keep.button("Gespeicherte Fassung behalten"):
        chosen = saved
        drafts.forget(draft_scope)
    else:
        return
    st.session_state.pop(_stale_draft_key(scope))
    st.session_state[text_key] = chosen
    st.session_state[version_key] = statement.version if statement else None
    st.rerun()


def forget_editor(scope: str) -> None:
    for key in (*_keys(scope), _stale_draft_key(scope)):
        st.session_state.pop(key, None)


def withdraw(actor: Actor, call_id: int, statement: Statement) -> None:
    if statement.status == StatementStatus.WITHDRAWN:
        return
    with st.popover("Stellungnahme zurückziehen", icon=":material/undo:"):
        st.write(
            "Ihre Stellungnahme wird dann nicht mehr verwendet. Bis zur Frist können Sie "
            "wieder eine einreichen."
        )
        if st.button("Ja, zurückziehen", type="primary"):
            with user_errors(), database.writing() as session:
                statements.withdraw_statement(
                    session=session,
                    actor=actor,
                    statement_id=id_of(statement),
                    expected_version=statement.version,
                )
            forget_editor(f"statement-{call_id}")
            done("Stellungnahme zurückgezogen.")


def read_only(statement: Statement | None, deadline_note: str) -> None:
    st.info(deadline_note, icon=":material/lock_clock:")
    if statement is not None:
        show(statement)


def show(statement: Statement) -> None:
    """A statement's state and text (as text: nothing in it is interpreted)."""
    st.markdown(
        f"Status: **{labels.STATEMENT_STATUS[statement.status]}** · "
        f"Verwendung: **{labels.VISIBILITY[statement.visibility]}** · "
        f"zuletzt geändert {date_time(statement.updated_at)}"
    )
    st.text(statement.text)


def on_behalf_form(actor: Actor, call_id: int, rows: list[AnswerRow]) -> None:
    """Staff record a statement that came by phone, e-mail, letter or as a Word file."""
    scope = f"on-behalf-{call_id}"
    text_key, _, file_key, _, _ = _keys(scope)
    names = {id_of(r.organisation): r.organisation.name for r in rows}
    # Each member's stored version, which a statement recorded here replaces (even a draft
    # of the member's that staff do not see).
    stored_versions = {id_of(r.organisation): r.version for r in rows}
    word_import(scope)
    with st.form(f"{scope}-form"):
        organisation_id = st.selectbox(
            "Mitglied",
            list(names),
            index=None,
            format_func=lambda i: names[i],
            placeholder="Mitglied wählen",
        )
        source_column, note_column = st.columns([1, 2])
        source = source_column.selectbox(
            "Eingang per", list(SOURCES), format_func=lambda s: SOURCES[s]
        )
        note = note_column.text_input(
            "Von wem und wann?", placeholder="z. B. Telefonat mit Frau X am 3.12."
        )
        text = st.text_area("Text der Stellungnahme", key=text_key, height=220)
        options = list(Visibility)
        visibility = (
            st.radio(
                "Verwendung (wie mit dem Mitglied besprochen)",
                options,
                format_func=lambda v: labels.VISIBILITY[v],
                horizontal=True,
            )
            or Visibility.NAMED
        )
        record = st.form_submit_button("Stellungnahme erfassen", type="primary")
    if not record:
        return
    upload = st.session_state.get(file_key)
    with user_errors():
        if organisation_id is None:
            raise InvalidInput("Bitte wählen Sie das Mitglied.")
        with database.writing() as session:
            statements.save_statement(
                session=session,
                actor=actor,
                call_id=call_id,
                text_input=text,
                visibility=visibility,
                submit=True,
                expected_version=stored_versions.get(organisation_id),
                organisation_id=organisation_id,
                source=source or StatementSource.PHONE,
                source_note=note,
                source_file=SourceFile(*upload) if upload else None,
            )
    forget_editor(scope)
    done("Stellungnahme erfasst.")


def statement_files(actor: Actor, statement: Statement) -> None:
    """Download buttons for a statement's Word source and attachments."""
    with database.reading() as session:
        files = statements.attachments(session=session, actor=actor, statement_id=id_of(statement))
        if statement.source_document_id:
            source = session.get(Document, statement.source_document_id)
            files = [source, *files] if source else files
    for document in files:
        document_id = id_of(document)

        def content(document_id: int = document_id) -> bytes:
            with read_session(database.engine()) as session:
                return statements.read_file(session=session, actor=actor, document_id=document_id)[
                    1
                ]

        st.download_button(
            f"{md(document.filename)} · {file_size(document.size)}",
            data=content,
            file_name=document.filename,
            mime=document.mime.split(";")[0],
            on_click="ignore",
            key=f"statement-file-{document_id}",
            icon=":material/attach_file:",
        )
