"""One call for input: the question and deadlines; for staff also who answered, the
invitations and reminders by e-mail (one compact row per contact), and changing the call."""

import pandas as pd
import streamlit as st

from db.engine import read_session
from db.models import CallStatus, MailKind, StatementSource, StatementStatus, id_of
from exports import tables
from positions.core import labels, settings
from positions.core.clock import BERLIN, today_in_berlin, utcnow
from positions.core.errors import InvalidInput
from positions.core.formatting import counted, date_time, long_date
from positions.core.permissions import Action, Actor, can
from positions.forums import calls, invitations, mail
from positions.forums.calls import CallDetail
from positions.statements import statements
from ui import auth, database, personal_links, statement_form
from ui.widgets import deadline_badge, done, md, query_id, user_errors


def member_view(actor: Actor, detail: CallDetail) -> None:
    st.subheader("Ihre Stellungnahme")
    call = detail.call
    statement = detail.own_statement
    if call.status != CallStatus.OPEN or statements.member_deadline_passed(call):
        statement_form.read_only(
            statement,
            f"Die Frist für Stellungnahmen ist am {long_date(call.member_deadline)} abgelaufen. "
            "Ihre Stellungnahme kann nicht mehr geändert werden; für Nachträge wenden Sie sich "
            "bitte an das Referat.",
        )
        return
    if statement is not None:
        if statement.status == StatementStatus.SUBMITTED:
            st.success(
                f"Eingereicht am {date_time(statement.submitted_at or statement.updated_at)}"
                ". Bis zur Frist können Sie sie noch ändern.",
                icon=":material/check:",
            )
        elif statement.status == StatementStatus.WITHDRAWN:
            st.warning("Sie haben Ihre Stellungnahme zurückgezogen.", icon=":material/undo:")
        else:
            st.info(
                "Ihr Entwurf ist gespeichert, aber noch nicht eingereicht.",
                icon=":material/edit_note:",
            )
    statement_form.member_form(actor, id_of(call), statement)
    if statement is not None:
        statement_form.statement_files(actor, statement)
        statement_form.withdraw(actor, id_of(call), statement)


def answers(actor: Actor, detail: CallDetail) -> None:
    st.subheader("Rückmeldungen")
    call_id = id_of(detail.call)
    st.progress(
        detail.answered / detail.invited if detail.invited else 0.0,
        text=f"{detail.answered} von {detail.invited} Mitgliedern haben geantwortet",
    )
    with database.reading() as session:
        rows = statements.answer_table(session=session, actor=actor, call_id=call_id)
    if not rows:
        st.caption("Zu diesem Aufruf ist noch niemand eingeladen.")
        return
    states = sorted({row.status for row in rows})
    shown_states = st.multiselect("Status", states, default=states)
    shown = [row for row in rows if row.status in shown_states]
    # Numbers and times as such, so that clicking a column header sorts them properly.
    table = pd.DataFrame(
        {
            "Mitglied": [row.organisation.name for row in shown],
            "Status": [row.status for row in shown],
            "Verwendung": [
                labels.VISIBILITY[row.visibility] if row.visibility else "" for row in shown
            ],
            "Punkte": pd.array([row.points for row in shown], dtype="Int64"),
            "Quelle": [SOURCE_LABELS[row.source] if row.source else "" for row in shown],
            "Letzte Änderung": pd.to_datetime([row.updated for row in shown], utc=True).tz_convert(
                BERLIN
            ),
        }
    )
    selection = st.dataframe(
        table,
        placeholder="",
        column_config={
            "Letzte Änderung": st.column_config.DatetimeColumn(format="DD.MM.YYYY, HH:mm"),
        },
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key=f"answers-{call_id}",
    )
    st.caption("Eine Zeile anklicken, um die Stellungnahme zu öffnen.")
    chosen = selection.selection.rows if selection else []
    if chosen:
        open_statement(actor, shown[chosen[0]])
    downloads(actor, detail)
    if can(actor, Action.STATEMENT_WRITE_ANY) and detail.call.status == CallStatus.OPEN:
        with st.expander("Stellungnahme für ein Mitglied erfassen", icon=":material/edit_note:"):
            statement_form.on_behalf_form(actor, call_id, rows)


SOURCE_LABELS = {
    StatementSource.WEB: "online",
    StatementSource.UPLOAD: "Word-Datei",
    StatementSource.PHONE: "Telefon",
    StatementSource.EMAIL: "E-Mail",
    StatementSource.LETTER: "Brief",
}


def open_statement(actor: Actor, row: statements.AnswerRow) -> None:
    statement = row.statement
    with st.container(border=True):
        st.markdown(f"#### {md(row.organisation.name)}")
        if statement is None:
            # The service says why a statement it lists may not be opened (withdrawn, or
            # "nur intern" for the board); a member's draft is not listed at all.
            if row.note:
                st.info(row.note)
            else:
                st.caption("Noch keine Stellungnahme.")
            return
        if statement.source_note:
            st.caption(f"Eingang: {SOURCE_LABELS[statement.source]} · {md(statement.source_note)}")
        statement_form.show(statement)
        with database.reading() as session:
            points = statements.points_of(
                session=session, actor=actor, statement_id=id_of(statement)
            )
            versions = statements.history(
                session=session, actor=actor, statement_id=id_of(statement)
            )
        with st.expander(f"{len(points)} Punkte"):
            for point in points:
                st.markdown(f"{point.position + 1}. {md(point.text)}")
        if len(versions) > 1:
            # Only the versions this person may read, by date: version numbers (and a count
            # of hidden ones) would show that a member kept drafts or once chose "nur intern".
            with st.expander(f"Verlauf: {len(versions)} Fassungen"):
                for version in versions:
                    st.markdown(
                        f"**Fassung vom {date_time(version.saved_at)}** · "
                        f"{labels.STATEMENT_STATUS[version.status]} · "
                        f"{labels.VISIBILITY[version.visibility]}"
                    )
                    st.text(version.text)
        statement_form.statement_files(actor, statement)


def downloads(actor: Actor, detail: CallDetail) -> None:
    call_id = id_of(detail.call)
    stem = f"{today_in_berlin():%Y-%m-%d}_Stellungnahmen_{detail.forum.short_name}_{call_id}"

    def rows() -> list[statements.ExportRow]:
        with read_session(database.engine()) as session:
            return statements.export_rows(session=session, actor=actor, call_id=call_id)

    xlsx_column, csv_column = st.columns(2)
    xlsx_column.download_button(
        "Tabelle (Excel)",
        data=lambda: tables.statements_xlsx(rows(), title=detail.call.title),
        file_name=f"{stem}.xlsx",
        on_click="ignore",
        icon=":material/table:",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    csv_column.download_button(
        "Tabelle (CSV)",
        data=lambda: tables.statements_csv(rows()),
        file_name=f"{stem}.csv",
        mime="text/csv",
        on_click="ignore",
        icon=":material/csv:",
    )


def invitees(actor: Actor, detail: CallDetail) -> None:
    """Inviting members the call missed (staff)."""
    call_id = id_of(detail.call)
    with database.reading() as session:
        members = calls.member_organisations(session=session, actor=actor)
        invited = calls.invited_ids(session=session, actor=actor, call_id=call_id)
    others = {id_of(o): o.name for o in members if o.id not in invited}
    with st.expander(
        f"Eingeladen: {counted(len(invited), 'Mitglied', 'Mitglieder')}",
        icon=":material/group_add:",
    ):
        if detail.call.status != CallStatus.OPEN:
            st.caption("Weitere Mitglieder können nur zu einem offenen Aufruf eingeladen werden.")
            return
        if not others:
            st.caption("Alle Mitglieder sind eingeladen.")
            return
        with st.form("invite-more"):
            picked = st.multiselect(
                "Weitere Mitglieder einladen",
                list(others),
                format_func=lambda i: others[i],
                placeholder="Mitglieder wählen",
            )
            if st.form_submit_button("Einladen", icon=":material/person_add:"):
                with user_errors():
                    if not picked:
                        raise InvalidInput("Bitte wählen Sie mindestens ein Mitglied aus.")
                    with database.writing() as session:
                        added = calls.invite_organisations(
                            session=session,
                            actor=actor,
                            call=calls.get_call(session=session, actor=actor, call_id=call_id),
                            organisation_ids=picked,
                        )
                done(
                    f"{counted(added, 'Mitglied', 'Mitglieder')} eingeladen. Die E-Mails "
                    "verschickt „Einladungen verschicken“ (nur an noch nicht Eingeladene)."
                )


def links_and_emails(actor: Actor, detail: CallDetail) -> None:
    """Invitations and reminders, and one compact row per contact with where their personal
    link and last e-mail stand; a closed call's links can still be revoked."""
    st.subheader("Einladungen und Erinnerungen")
    call_id = id_of(detail.call)
    scope = f"aufruf-{call_id}"
    open_call = detail.call.status == CallStatus.OPEN
    now = utcnow()
    with database.reading() as session:
        smtp = settings.smtp(session=session)
        association = settings.association(session=session)
        recipients = mail.recipients_of_call(session=session, actor=actor, call_id=call_id)
        links = invitations.links_of_call(session=session, actor=actor, call_id=call_id)
    if open_call:
        if smtp is None:
            st.caption(personal_links.NO_MAIL_SERVER)
        invite_column, remind_column = st.columns(2)
        for column, kind, label in (
            (invite_column, MailKind.INVITATION, "Einladungen verschicken"),
            (remind_column, MailKind.REMINDER, "Erinnerung an alle ohne Antwort"),
        ):
            if column.button(label, key=f"queue-{kind.value}", icon=":material/mail:"):
                with user_errors(), database.writing() as session:
                    queued = mail.prepare(
                        session=session,
                        actor=actor,
                        call_id=call_id,
                        kind=kind,
                        association_name=association.name,
                    )
                    ids = [id_of(m) for m in queued]
                personal_links.deliver(actor, ids, smtp, association.base_url, scope=scope)
    personal_links.compact_list(recipients, scope=scope, now=now)
    if open_call:
        personal_links.retry(actor, recipients, smtp, association.base_url, scope=scope)
    personal_links.revoke_control(
        actor,
        links,
        now=now,
        after=" Eine neue Einladung bekommt die Person mit „Einladungen verschicken“."
        if open_call
        else "",
    )


def edit(actor: Actor, detail: CallDetail) -> None:
    call = detail.call
    with st.expander("Aufruf bearbeiten", icon=":material/edit:"), st.form("edit-call"):
        title = st.text_input("Titel", value=call.title, max_chars=300)
        question = st.text_area("Frage an die Mitglieder", value=call.question, height=120)
        external = st.date_input("Externe Frist", value=call.external_deadline, format="DD.MM.YYYY")
        keep_member = st.checkbox(
            "Mitgliederfrist von Hand setzen", value=call.member_deadline_overridden
        )
        member = st.date_input("Mitgliederfrist", value=call.member_deadline, format="DD.MM.YYYY")
        keep_board = st.checkbox(
            "Vorstandsfrist von Hand setzen", value=call.board_deadline_overridden
        )
        board = st.date_input("Vorstandsfrist", value=call.board_deadline, format="DD.MM.YYYY")
        st.caption("Ohne Haken werden die Fristen aus der externen Frist berechnet.")
        if st.form_submit_button("Änderungen speichern", type="primary"):
            with user_errors():
                if external is None:
                    raise InvalidInput("Bitte geben Sie die externe Frist an.")
                with database.writing() as session:
                    calls.update_call(
                        session=session,
                        actor=actor,
                        call_id=id_of(call),
                        title=title,
                        question=question,
                        external_deadline=external,
                        member_deadline=member if keep_member else None,
                        board_deadline=board if keep_board else None,
                    )
            done("Aufruf gespeichert.")
    closed = call.status == CallStatus.CLOSED
    if st.button(
        "Aufruf wieder öffnen" if closed else "Aufruf abschließen",
        icon=":material/lock_open:" if closed else ":material/lock:",
    ):
        with user_errors(), database.writing() as session:
            calls.set_call_status(
                session=session,
                actor=actor,
                call_id=id_of(call),
                status=CallStatus.OPEN if closed else CallStatus.CLOSED,
            )
        done("Aufruf aktualisiert.")


actor = auth.signed_in()
today = today_in_berlin()
# Someone who came in through an invitation link lands on their own call.
if actor.call_id is not None and not st.query_params.get("aufruf"):
    call_id = actor.call_id
else:
    call_id = query_id("aufruf", "Bitte wählen Sie einen Aufruf aus.")
with user_errors(), database.reading() as session:
    detail = calls.call_detail(session=session, actor=actor, call_id=call_id, today=today)

call = detail.call
if actor.acts_for_association:
    st.page_link(
        "ui/pages/forum.py",
        label=md(detail.forum.name),
        icon=":material/arrow_back:",
        query_params={"forum": str(detail.forum.id)},
    )
st.title(md(call.title))
st.caption(f"{md(detail.forum.name)} · {labels.CALL_STATUS[call.status]}")
for deadline in detail.deadlines if actor.acts_for_association else detail.deadlines[:1]:
    deadline_badge(deadline, today=today)

st.subheader("Frage")
st.text(call.question or "–")

if not actor.acts_for_association:
    member_view(actor, detail)
    st.stop()

if can(actor, Action.PAPER_EDIT):
    st.page_link(
        "ui/pages/workspace.py",
        label="Stellungnahmen zusammenführen",
        icon=":material/merge:",
        query_params={"aufruf": str(call_id)},
    )
answers(actor, detail)
if can(actor, Action.CALL_MANAGE):
    invitees(actor, detail)
if can(actor, Action.INVITATION_MANAGE):
    links_and_emails(actor, detail)
if can(actor, Action.CALL_MANAGE):
    edit(actor, detail)
