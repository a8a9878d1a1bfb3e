"""One paper: the text (editable while in the works), its workflow, versions, the member
review (with its e-mails and personal review links) and the board's decision; for members
shared in review, logged in or through a review link, their review sheet."""

from datetime import date
from typing import TypedDict

import pandas as pd
import streamlit as st

from db.models import (
    Decision,
    LobbyregisterExemption,
    MailKind,
    Paper,
    PaperKind,
    PaperStatus,
    RecipientGroup,
    Review,
    Submission,
    id_of,
)
from positions.core import labels, settings
from positions.core.clock import today_in_berlin, utcnow
from positions.core.formatting import date_time, long_date
from positions.core.permissions import Action, Actor, can
from positions.core.working_days import deadline_state
from positions.followup import outcomes
from positions.forums import calls, dashboard, invitations, mail, meetings
from positions.forums.calls import Deadline
from positions.papers import approvals, lobbyregister, papers, reviews, workflow
from positions.papers.papers import PaperFields, PaperView
from ui import auth, database, paper_editor, paper_exports, personal_links
from ui.widgets import deadline_badge, done, md, query_id, user_errors

NAME_CONSENT = "Unsere Organisation darf mit dieser Mindermeinung namentlich genannt werden"


def header(view: PaperView) -> None:
    paper = view.paper
    st.page_link(
        "ui/pages/forum.py",
        label=md(view.forum.name),
        icon=":material/arrow_back:",
        query_params={"forum": str(view.forum.id)},
    )
    st.title(md(paper.title))
    facts = [
        labels.PAPER_KIND[paper.kind],
        md(view.forum.short_name),
        f"Fassung {paper.version_counter}" if paper.version_counter else "noch keine Fassung",
    ]
    if paper.addressee:
        facts.append(f"an {md(paper.addressee)}")
    st.caption(" · ".join(facts))
    st.badge(labels.PAPER_STATUS[paper.status], icon=":material/flag:", color="blue")


def transitions(actor: Actor, view: PaperView) -> None:
    paper = view.paper
    steps = [
        t for t in workflow.available(actor, paper) if t.name not in workflow.THROUGH_APPROVALS
    ]
    if not steps:
        return
    columns = st.columns(len(steps))
    for column, step in zip(columns, steps, strict=True):
        with column:
            if step.name == "submit":
                submit_form(actor, view)
            elif step.needs_reason:
                with st.popover(step.label):
                    reason = st.text_input("Grund", key=f"reason-{step.name}")
                    if st.button("Bestätigen", key=f"confirm-{step.name}", type="primary"):
                        take(actor, id_of(paper), step.name, reason)
            elif st.button(step.label, key=f"step-{step.name}", type="primary"):
                take(actor, id_of(paper), step.name, "")


def take(actor: Actor, paper_id: int, name: str, reason: str) -> None:
    """Take a step; starting the member review also writes to every contact asked to review,
    each with a personal review link, in the same transaction."""
    with user_errors(), database.writing() as session:
        workflow.apply(session=session, actor=actor, paper_id=paper_id, name=name, reason=reason)
        association = settings.association(session=session)
        smtp = settings.smtp(session=session)
        queued = (
            mail.prepare_review(
                session=session,
                actor=actor,
                paper_id=paper_id,
                kind=MailKind.REVIEW_START,
                association_name=association.name,
            )
            if name == "start_review" and can(actor, Action.INVITATION_MANAGE)
            else []
        )
        ids = [id_of(m) for m in queued]
    personal_links.deliver(actor, ids, smtp, association.base_url, scope=_scope(paper_id))
    done("Status geändert; die Fassung ist gespeichert.")


def _scope(paper_id: int) -> str:
    return f"papier-{paper_id}"


def submit_form(actor: Actor, view: PaperView) -> None:
    """Sending the approved version: to whom, how, when; for the Lobbyregister also the
    recipient group, an exemption and (if already done) the upload, in one transaction."""
    paper = view.paper
    with database.reading() as session:
        federal = lobbyregister.needs_register_number(session=session, paper=paper)
    with st.popover("Als eingereicht erfassen"), st.form("submit-paper"):
        recipient = st.text_input("An", value=paper.addressee)
        channel = st.selectbox("Weg", ["E-Mail", "Brief", "Online-Portal", "persönlich"])
        day = st.date_input("Am", value=today_in_berlin(), format="DD.MM.YYYY")
        register = None
        if federal:
            st.markdown("**Lobbyregister**")
            register = register_fields(paper, None)
        if st.form_submit_button("Erfassen", type="primary"):
            with user_errors(), database.writing() as session:
                workflow.submit(
                    session=session,
                    actor=actor,
                    paper_id=id_of(paper),
                    recipient=recipient,
                    channel=channel or "",
                    submitted_on=day or today_in_berlin(),
                )
                if register is not None:
                    lobbyregister.record_sending(
                        session=session, actor=actor, paper_id=id_of(paper), **register
                    )
            done("Einreichung erfasst.")


class RegisterInput(TypedDict):
    recipient_group: RecipientGroup | None
    exemption: LobbyregisterExemption | None
    uploaded_on: date | None


def register_fields(paper: Paper, current: Submission | None) -> RegisterInput:
    """The Lobbyregister's part of a sending, inside a form: the recipient group; for a
    basic statement also whether a formal procedure exempts it, and the day of the upload."""
    groups: list[RecipientGroup | None] = [None, *RecipientGroup]
    group = st.selectbox(
        "Adressatengruppe",
        groups,
        index=groups.index(current.recipient_group if current else None),
        format_func=lambda g: "–" if g is None else lobbyregister.RECIPIENT_GROUP[g],
        help=lobbyregister.RECIPIENT_GROUP_HELP,
    )
    if not paper.lobbyregister_relevant:
        st.caption(
            "Nicht als grundlegende Stellungnahme zu einem Regelungsvorhaben markiert "
            "(Reiter „Angaben“): keine Pflicht, das Papier im Lobbyregister hochzuladen."
        )
        return RegisterInput(
            recipient_group=group,
            exemption=current.lobbyregister_exemption if current else None,
            uploaded_on=current.lobbyregister_uploaded_on if current else None,
        )
    reasons: list[LobbyregisterExemption | None] = [None, *LobbyregisterExemption]
    exemption = st.selectbox(
        "Pflicht, das Papier hochzuladen",
        reasons,
        index=reasons.index(current.lobbyregister_exemption if current else None),
        format_func=lambda e: (
            "besteht – bis zum Ende des Quartals, in dem es versandt wurde"
            if e is None
            else f"entfällt – {lobbyregister.EXEMPTION_REASON[e]}"
        ),
    )
    uploaded = st.date_input(
        "Im Lobbyregister hochgeladen am",
        value=current.lobbyregister_uploaded_on if current else None,
        format="DD.MM.YYYY",
        help="Leer lassen, solange es noch nicht hochgeladen ist.",
    )
    return RegisterInput(
        recipient_group=group,
        exemption=exemption,
        uploaded_on=uploaded if isinstance(uploaded, date) else None,
    )


def sending_section(actor: Actor, view: PaperView) -> None:
    """Where the sent paper stands: to whom and when, and with the Lobbyregister (due by the
    end of the quarter, uploaded and kept for eight years, or exempt)."""
    if view.paper.status not in outcomes.SENT:
        return
    paper_id = id_of(view.paper)
    with database.reading() as session:
        sent = lobbyregister.sending(session=session, actor=actor, paper_id=paper_id)
        federal = lobbyregister.needs_register_number(session=session, paper=view.paper)
    if sent is None:
        return
    submission = sent.submission
    facts = [f"Versandt am {long_date(submission.submitted_on)} an {md(submission.recipient)}"]
    if submission.channel:
        facts.append(md(submission.channel))
    if sent.recipient_group_label:
        facts.append(f"Adressatengruppe im Lobbyregister: {sent.recipient_group_label}")
    st.caption(" · ".join(facts))
    today = today_in_berlin()
    if sent.exemption is not None:
        st.info(
            f"Lobbyregister: {lobbyregister.EXEMPTION[sent.exemption]} – "
            f"{lobbyregister.EXEMPTION_REASON[sent.exemption]}.",
            icon=":material/verified:",
        )
    if sent.uploaded_on is not None and sent.keep_until is not None:
        st.success(
            f"Im Lobbyregister hochgeladen am {long_date(sent.uploaded_on)} · aufzubewahren "
            f"bis {long_date(sent.keep_until)}",
            icon=":material/cloud_done:",
        )
    elif sent.pending:
        due = dashboard.lobbyregister_upload_due(submission.submitted_on)
        state = deadline_state(due, today=today)
        deadline_badge(Deadline("Im Lobbyregister hochladen", due, state), today=today)
    if not (federal and can(actor, Action.PAPER_SUBMIT)):
        return
    with st.expander("Lobbyregister erfassen", icon=":material/edit:"):
        with st.form("lobbyregister-sending"):
            register = register_fields(view.paper, submission)
            saved = st.form_submit_button("Speichern", type="primary")
        if saved:
            with user_errors(), database.writing() as session:
                lobbyregister.record_sending(
                    session=session, actor=actor, paper_id=paper_id, **register
                )
            done("Lobbyregister erfasst.")


def versions_tab(actor: Actor, view: PaperView) -> None:
    with database.reading() as session:
        history = papers.versions(session=session, actor=actor, paper_id=id_of(view.paper))
    if can(actor, Action.PAPER_EDIT):
        with st.form("save-version", clear_on_submit=True):
            label = st.text_input(
                "Fassung speichern unter dem Namen", placeholder="z. B. Entwurf nach Fachforum"
            )
            if st.form_submit_button("Fassung speichern"):
                with user_errors(), database.writing() as session:
                    papers.save_named_version(
                        session=session, actor=actor, paper_id=id_of(view.paper), label=label
                    )
                done("Fassung gespeichert.")
    if not history:
        st.caption("Noch keine Fassung gespeichert.")
        return
    st.dataframe(
        pd.DataFrame(
            {
                "Fassung": [v.number for v in history],
                "Name": [v.label for v in history],
                "Status": [labels.PAPER_STATUS[v.status] for v in history],
                "Gespeichert": [date_time(v.created_at) for v in history],
            }
        ),
        hide_index=True,
        width="stretch",
    )


def review_tab(actor: Actor, view: PaperView) -> None:
    paper = view.paper
    if paper.review_deadline:
        st.caption(f"Beteiligung bis {long_date(paper.review_deadline)}")
    if can(actor, Action.INVITATION_MANAGE):
        review_emails(actor, view)
    with database.reading() as session:
        rows = reviews.tally(session=session, actor=actor, paper_id=id_of(paper))
    if not any(sum(r.counts.values()) for r in rows):
        st.info("Noch keine Rückmeldungen der Mitglieder.")
        return
    st.dataframe(
        pd.DataFrame(
            {
                "Abschnitt": [r.section for r in rows],
                "Absatz": [_tallied_text(r) for r in rows],
                **{
                    word: [r.counts[stance] for r in rows] for stance, word in labels.STANCE.items()
                },
            }
        ),
        hide_index=True,
        width="stretch",
    )
    for row in rows:
        commented = [(review, name) for review, name in row.reviews if review.comment]
        if not commented:
            continue
        with st.expander(f"{md(_tallied_text(row)[:90])} – {len(commented)} Kommentar(e)"):
            for review, name in commented:
                comment_block(actor, review, name)


def review_emails(actor: Actor, view: PaperView) -> None:
    """The start mails and reminders of the member review, and one compact row per contact
    with where their personal review link and last e-mail stand."""
    paper_id = id_of(view.paper)
    scope = _scope(paper_id)
    in_review = view.paper.status == PaperStatus.MEMBER_REVIEW
    now = utcnow()
    with database.reading() as session:
        smtp = settings.smtp(session=session)
        association = settings.association(session=session)
        recipients = mail.recipients_of_paper(session=session, actor=actor, paper_id=paper_id)
        links = invitations.links_of_paper(session=session, actor=actor, paper_id=paper_id)
    if not in_review and not recipients:
        return
    st.markdown("**E-Mails zur Beteiligung**")
    if in_review:
        if smtp is None:
            st.caption(personal_links.NO_MAIL_SERVER)
        announce, remind = st.columns(2)
        for column, kind, label in (
            (announce, MailKind.REVIEW_START, "Bitte um Rückmeldung an noch nicht Angeschriebene"),
            (remind, MailKind.REVIEW_REMINDER, "Erinnerung an alle ohne Rückmeldung"),
        ):
            if column.button(label, key=f"queue-{kind.value}", icon=":material/mail:"):
                with user_errors(), database.writing() as session:
                    queued = mail.prepare_review(
                        session=session,
                        actor=actor,
                        paper_id=paper_id,
                        kind=kind,
                        association_name=association.name,
                    )
                    ids = [id_of(m) for m in queued]
                if not ids:
                    st.info("Alle Ansprechpersonen haben ihren Link zur Beteiligung bereits.")
                personal_links.deliver(actor, ids, smtp, association.base_url, scope=scope)
    personal_links.compact_list(recipients, scope=scope, now=now)
    if in_review:
        personal_links.retry(actor, recipients, smtp, association.base_url, scope=scope)
    personal_links.revoke_control(actor, links, now=now)


def _tallied_text(row: reviews.Tally) -> str:
    """The paragraph's text; one deleted since it was reviewed says so."""
    return ("(gelöscht) " if row.deleted else "") + row.text[:120]


def comment_block(actor: Actor, review: Review, name: str) -> None:
    review_id = id_of(review)
    minority = " · bittet um Mindermeinung" if review.minority_opinion_requested else ""
    st.markdown(f"**{md(name)}** – {labels.STANCE[review.stance]}{minority}")
    st.text(review.comment)
    if review.staff_reply:
        st.caption(f"Antwort des Referats: {md(review.staff_reply)}")
    if not can(actor, Action.PAPER_EDIT):
        return
    with st.form(f"reply-{review_id}", clear_on_submit=True):
        answer = st.text_input("Antwort", key=f"reply-text-{review_id}")
        if st.form_submit_button("Antworten"):
            with user_errors(), database.writing() as session:
                reviews.reply(session=session, actor=actor, review_id=review_id, text=answer)
            done("Antwort gespeichert.")
    if review.minority_opinion_requested and not review.minority_opinion_accepted:
        # Naming needs the member's own consent, given with its review.
        named = review.name_consent and st.checkbox(
            "namentlich nennen", key=f"minority-named-{review_id}"
        )
        if not review.name_consent:
            st.caption("Das Mitglied möchte mit dieser Mindermeinung nicht genannt werden.")
        if st.button("Als Mindermeinung aufnehmen", key=f"minority-{review_id}"):
            with user_errors(), database.writing() as session:
                reviews.accept_minority_opinion(
                    session=session, actor=actor, review_id=review_id, named=named
                )
            done("Mindermeinung aufgenommen.")


def board_tab(actor: Actor, view: PaperView) -> None:
    paper = view.paper
    with database.reading() as session:
        decisions = approvals.approvals_of(session=session, actor=actor, paper_id=id_of(paper))
        quorum = settings.approval_quorum(session=session)
    st.caption(f"Freigabe durch {quorum} Vorstandsmitglied(er).")
    for item in decisions:
        state = (
            " – ungültig, der Text wurde danach geändert" if item.approval.invalidated_at else ""
        )
        verdict = "freigegeben" if item.approval.decision == Decision.APPROVE else "abgelehnt"
        st.markdown(
            f"- Fassung {item.version_number}: **{md(item.board_member)}** hat "
            f"{verdict} ({date_time(item.approval.created_at)}){state}"
        )
        if item.approval.comment:
            st.caption(md(item.approval.comment))
    if paper.status != PaperStatus.BOARD_APPROVAL:
        return
    with database.reading() as session:
        latest = papers.latest_version(session=session, paper=paper)
    if latest is None or not papers.version_is_current(paper=paper, version=latest):
        changed_after(actor, paper)
        return
    if not can(actor, Action.PAPER_APPROVE):
        return
    with st.form("board-decision"):
        st.markdown(f"Ihre Entscheidung über **Fassung {paper.version_counter}**")
        comment = st.text_area("Kommentar (bei Ablehnung: Grund)", height=80)
        approve, reject = st.columns(2)
        yes = approve.form_submit_button("Freigeben", type="primary")
        no = reject.form_submit_button("Nicht freigeben")
    if yes or no:
        with user_errors(), database.writing() as session:
            approvals.decide(
                session=session,
                actor=actor,
                paper_id=id_of(paper),
                version_number=paper.version_counter,
                decision=Decision.APPROVE if yes else Decision.REJECT,
                comment=comment,
            )
        done("Entscheidung gespeichert.")


def changed_after(actor: Actor, paper: Paper) -> None:
    """The text changed after the version the board was asked about: the board cannot
    decide until staff put the changed text before it as a new version."""
    st.warning(
        f"Der Text wurde nach Fassung {paper.version_counter} geändert. Der Vorstand kann "
        "erst entscheiden, wenn das Referat die geänderte Fassung zur Freigabe vorlegt.",
        icon=":material/edit_note:",
    )
    if not can(actor, Action.PAPER_EDIT):
        return
    if st.button("Geänderte Fassung zur Freigabe vorlegen", type="primary"):
        with user_errors(), database.writing() as session:
            version = papers.save_named_version(
                session=session,
                actor=actor,
                paper_id=id_of(paper),
                label="Zur Freigabe vorgelegt nach Änderung",
            )
        done(f"Fassung {version.number} liegt dem Vorstand zur Freigabe vor.")


def impact_tab(actor: Actor, view: PaperView) -> None:
    """What the forums' published results made of this paper's Kernforderungen."""
    with database.reading() as session:
        fates = outcomes.paper_impact(session=session, actor=actor, paper_id=id_of(view.paper))
    if not fates:
        st.caption("Das Papier hat keine als Kernforderung markierten Absätze.")
        return
    taken = sum(f.label in ("übernommen", "sinngemäß übernommen") for f in fates)
    st.metric("Kernforderungen übernommen", f"{taken} von {len(fates)}")
    st.caption(
        "Gezählt werden Fundstellen, die das Referat in den Ergebnissen des Forums bestätigt "
        "hat (Forum, Reiter „Ergebnisse“)."
    )
    for fate in fates:
        with st.container(border=True):
            st.markdown(md(fate.paragraph.text))
            if fate.outcome is None:
                st.caption("Noch in keinem Ergebnis gefunden.")
                continue
            day = (
                f" vom {long_date(fate.outcome.published_on)}" if fate.outcome.published_on else ""
            )
            st.markdown(f"**{fate.label}** in „{md(fate.outcome.title)}“{day}")
            if fate.quote:
                st.caption(f"„{md(fate.quote)}“")


def details_tab(actor: Actor, view: PaperView) -> None:
    paper = view.paper
    editable = paper.status in papers.EDITABLE and can(actor, Action.PAPER_EDIT)
    with database.reading() as session:
        forum_calls = [
            s.call for s in calls.open_calls(session=session, actor=actor, forum_id=paper.forum_id)
        ]
        people = meetings.association_people(session=session, actor=actor)
    if view.call and view.call.id not in {c.id for c in forum_calls}:
        forum_calls.append(view.call)
    call_names = {id_of(c): c.title for c in forum_calls}
    people_names = {id_of(p): p.name for p in people}
    kinds = list(PaperKind)
    with st.form("paper-details"):
        title = st.text_input("Titel", value=paper.title, max_chars=300)
        kind_column, date_column = st.columns(2)
        kind = kind_column.selectbox(
            "Art", kinds, index=kinds.index(paper.kind), format_func=lambda k: labels.PAPER_KIND[k]
        )
        paper_date = date_column.date_input("Datum", value=paper.paper_date, format="DD.MM.YYYY")
        addressee = st.text_input("Adressat", value=paper.addressee)
        call_options = [None, *call_names]
        call_id = st.selectbox(
            "Antwort auf den Aufruf",
            call_options,
            index=call_options.index(paper.call_id) if paper.call_id in call_options else 0,
            format_func=lambda i: "–" if i is None else call_names[i],
        )
        contacts = st.multiselect(
            "Ansprechpersonen",
            list(people_names),
            default=[id_of(c) for c in view.contacts if c.id in people_names],
            format_func=lambda i: people_names[i],
        )
        st.markdown("**Lobbyregister**")
        relevant = st.checkbox(
            "Grundlegende Stellungnahme zu einem Regelungsvorhaben des Bundes",
            value=paper.lobbyregister_relevant,
        )
        register = st.text_input("Registernummer des Verbands", value=paper.register_number)
        project = st.text_input("Regelungsvorhaben (Titel)", value=paper.regulatory_project_title)
        number = st.text_input("Regelungsvorhaben (Nummer)", value=paper.regulatory_project_number)
        laws = st.text_area("Betroffene Gesetze", value=paper.affected_laws, height=70)
        saved = st.form_submit_button("Angaben speichern", type="primary", disabled=not editable)
    if saved:
        with user_errors(), database.writing() as session:
            papers.update_paper(
                session=session,
                actor=actor,
                paper_id=id_of(paper),
                expected_lock=paper.lock_version,
                fields=PaperFields(
                    title=title,
                    kind=kind or paper.kind,
                    addressee=addressee,
                    paper_date=paper_date if isinstance(paper_date, date) else None,
                    call_id=call_id,
                    lobbyregister_relevant=relevant,
                    register_number=register,
                    regulatory_project_title=project,
                    regulatory_project_number=number,
                    affected_laws=laws,
                    contact_ids=tuple(contacts),
                ),
            )
        done("Angaben gespeichert.")


def member_review(actor: Actor, paper_id: int) -> None:
    """A member organisation's review of the draft, paragraph by paragraph."""
    with user_errors(), database.reading() as session:
        sheet = reviews.review_sheet(session=session, actor=actor, paper_id=paper_id)
    paper = sheet.paper
    st.title(md(paper.title))
    deadline = f" bis {long_date(paper.review_deadline)}" if paper.review_deadline else ""
    st.caption(f"{labels.PAPER_KIND[paper.kind]} · Mitgliederbeteiligung{deadline}")
    given = [p.mine for p in sheet.paragraphs if p.mine is not None]
    if given:
        latest = max(review.created_at for review in given)
        st.success(
            f"Ihre Rückmeldung vom {date_time(latest)} ist gespeichert."
            + (" Sie können sie bis zum Ende der Beteiligung ändern." if sheet.open else ""),
            icon=":material/check:",
        )
    if not sheet.open:
        st.info("Die Beteiligung ist beendet.")
    st.write(
        "Bitte sagen Sie uns zu jedem Absatz, ob Sie zustimmen, Bedenken haben oder ihn "
        "ablehnen. Bei Bedenken oder Ablehnung können Sie darum bitten, dass Ihre abweichende "
        "Meinung als Mindermeinung im Papier erscheint; mit Ihrem Namen nur, wenn Sie es "
        "ausdrücklich erlauben."
    )
    options = [None, *labels.STANCE]
    entries = []
    with st.form("review"):
        section = None
        for item in sheet.paragraphs:
            if item.section != section:
                section = item.section
                st.subheader(md(section))
            with st.container(border=True):
                if item.is_core_demand:
                    st.markdown(":blue-badge[Kernforderung]")
                st.markdown(md(item.text))
                mine = item.mine
                stance = st.radio(
                    "Ihre Einschätzung",
                    options,
                    horizontal=True,
                    key=f"stance-{item.id}",
                    index=options.index(mine.stance) if mine else 0,
                    format_func=lambda s: "keine Angabe" if s is None else labels.STANCE[s],
                )
                comment = st.text_area(
                    "Kommentar",
                    value=mine.comment if mine else "",
                    key=f"comment-{item.id}",
                    height=68,
                )
                minority = st.checkbox(
                    "Als Mindermeinung aufnehmen lassen",
                    value=mine.minority_opinion_requested if mine else False,
                    key=f"minority-{item.id}",
                )
                consent = st.checkbox(
                    NAME_CONSENT,
                    value=mine.name_consent if mine else False,
                    key=f"name-consent-{item.id}",
                    help="Ohne Ihre Zustimmung erscheint die Mindermeinung ohne Namen.",
                )
                if mine and mine.staff_reply:
                    st.caption(f"Antwort des Referats: {md(mine.staff_reply)}")
                if stance is not None:
                    entries.append(
                        reviews.ReviewInput(
                            item.id,
                            stance,
                            comment,
                            minority_opinion=minority,
                            name_consent=consent,
                        )
                    )
        sent = st.form_submit_button("Rückmeldung senden", type="primary", disabled=not sheet.open)
    if sent:
        with user_errors(), database.writing() as session:
            reviews.submit_review(
                session=session,
                actor=actor,
                paper_id=paper_id,
                version_number=sheet.version.number,
                entries=entries,
            )
        done("Vielen Dank, Ihre Rückmeldung ist gespeichert.")


actor = auth.signed_in()
# Someone who came in through a review link lands on their paper.
if actor.paper_id is not None and not st.query_params.get("papier"):
    paper_id = actor.paper_id
else:
    paper_id = query_id("papier", "Bitte wählen Sie ein Papier aus.")
if not actor.acts_for_association:
    member_review(actor, paper_id)
    st.stop()

with user_errors(), database.reading() as session:
    view = papers.paper_view(session=session, actor=actor, paper_id=paper_id)
header(view)
transitions(actor, view)
sending_section(actor, view)
editable = view.paper.status in papers.EDITABLE and can(actor, Action.PAPER_EDIT)
if view.paper.status == PaperStatus.BOARD_APPROVAL and editable:
    st.info(
        "Der Vorstand prüft diese Fassung. Änderungen am Text machen bereits erteilte "
        "Freigaben ungültig.",
        icon=":material/info:",
    )
sent = view.paper.status in outcomes.SENT
text, history, review, board, documents, details, *rest = st.tabs(
    [
        "Text",
        "Fassungen",
        "Mitgliederbeteiligung",
        "Vorstand",
        "Dokumente",
        "Angaben",
        *(["Wirkung"] if sent else []),
    ]
)
with text:
    paper_editor.editor(actor, view, editable=editable)
with history:
    versions_tab(actor, view)
    paper_exports.synopsis_view(actor, paper_id)
with review:
    review_tab(actor, view)
with board:
    board_tab(actor, view)
with documents:
    paper_exports.exports_tab(actor, view)
with details:
    details_tab(actor, view)
if sent:
    with rest[0]:
        impact_tab(actor, view)
