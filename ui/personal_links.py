"""Personal links and their e-mails as staff see them on a call's and a paper's page: one
compact row per contact (where the link stands, the last e-mail, its text to copy when it
was handed over, a mailto link), sending or handing over queued e-mails, and revoking links.

Without a mail server the texts with their links exist only in this browser session (the
database keeps no link), so they are kept in the session state until staff sent them."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from db.models import MailStatus, id_of
from positions.core import labels, settings
from positions.core.formatting import counted, date_time
from positions.core.permissions import Actor
from positions.forums import invitations, mail
from positions.forums.invitations import LinkRow
from positions.forums.mail import ManualMail, Recipient
from ui import database
from ui.widgets import done, md, user_errors

_HANDED_OVER = "handed_over_mails"
COLUMNS = (4, 2, 4, 3)
HEADINGS = ("Ansprechperson", "Link", "Letzte E-Mail", "")
NO_MAIL_SERVER = (
    "Es ist kein Mailserver eingerichtet: Positionen erstellt die Texte mit den persönlichen "
    "Links, Sie verschicken sie aus Ihrem E-Mail-Programm."
)


def _handed_over(scope: str) -> dict[int, ManualMail]:
    """The texts handed over in this session for `scope` ("aufruf-12"), by contact."""
    kept: dict[str, dict[int, ManualMail]] = st.session_state.setdefault(_HANDED_OVER, {})
    return kept.setdefault(scope, {})


def compact_list(recipients: list[Recipient], *, scope: str, now: datetime) -> None:
    """One row per contact, instead of every e-mail's text."""
    if not recipients:
        st.caption("Noch niemand, an den E-Mails gehen.")
        return
    texts = {r.contact_id: _text_for(r, _handed_over(scope), now) for r in recipients}
    waiting = any(texts.values())
    with st.expander(
        f"{counted(len(recipients), 'Ansprechperson', 'Ansprechpersonen')}: Links und E-Mails",
        expanded=waiting,
        icon=":material/contact_mail:",
    ):
        header = st.columns(COLUMNS, vertical_alignment="bottom")
        for column, title in zip(header, HEADINGS, strict=True):
            column.caption(title)
        for recipient in recipients:
            _row(recipient, texts[recipient.contact_id], scope=scope, now=now)
    if waiting:
        st.warning(
            "Die Texte mit den persönlichen Links gibt es nur in dieser Sitzung: Positionen "
            "speichert die Links selbst nicht. Bitte verschicken Sie die E-Mails, bevor Sie "
            "sich abmelden.",
            icon=":material/info:",
        )


def _text_for(
    recipient: Recipient, texts: dict[int, ManualMail], now: datetime
) -> ManualMail | None:
    """The handed-over text, while the link in it is the contact's working one."""
    text = texts.get(recipient.contact_id)
    link = recipient.link
    if text is None or link is None or link.id != text.invitation_id:
        return None
    return text if invitations.usable(link, now) else None


def _row(recipient: Recipient, text: ManualMail | None, *, scope: str, now: datetime) -> None:
    who, link, message, actions = st.columns(COLUMNS, vertical_alignment="center")
    who.markdown(f"**{md(recipient.contact)}** · {md(recipient.organisation)}")
    who.caption(md(recipient.email))
    if recipient.link is None:
        link.markdown("kein Link")
    else:
        state = labels.LINK_STATE[invitations.link_state(recipient.link, now)]
        used = recipient.link.last_used_at
        link.markdown(state)
        if used:
            link.caption(f"zuletzt {date_time(used)}")
    sent = recipient.message
    if sent is None:
        message.markdown("–")
    else:
        message.markdown(f"{labels.MAIL_KIND[sent.kind]}: {labels.MAIL_STATUS[sent.status]}")
        failed = sent.error if sent.status == MailStatus.FAILED else ""
        message.caption(md(failed or date_time(sent.sent_at or sent.created_at)))
    with actions, st.container(horizontal=True, wrap=False, gap="small"):
        if text is not None:
            with st.popover(
                "Text", icon=":material/content_copy:", key=f"text-{scope}-{recipient.contact_id}"
            ):
                st.caption(f"An {md(text.to)} · Betreff")
                st.code(text.subject, language=None, wrap_lines=True)
                st.caption("Text mit persönlichem Link")
                st.code(text.body, language=None, wrap_lines=True)
        st.link_button(
            "E-Mail",
            text.mailto if text is not None else mail.mailto(recipient.email),
            icon=":material/forward_to_inbox:",
            key=f"mailto-{scope}-{recipient.contact_id}",
        )


def deliver(
    actor: Actor,
    message_ids: list[int],
    smtp: settings.Smtp | None,
    base_url: str,
    *,
    scope: str,
) -> None:
    """Send through the mail server, or keep each text with its link for the list above."""
    if not message_ids:
        return
    if smtp is None:
        texts = _handed_over(scope)
        for message_id in message_ids:
            with user_errors(), database.writing() as session:
                manual = mail.for_manual_sending(
                    session=session, actor=actor, message_id=message_id, base_url=base_url
                )
            texts[manual.contact_id] = manual
        done(
            f"{counted(len(message_ids), 'Text', 'Texte')} mit persönlichem Link bereitgestellt: "
            "in der Liste unter „Text“ zum Kopieren."
        )
    failed = 0
    with st.status("E-Mails werden verschickt …") as progress:
        for message_id in message_ids:
            with user_errors(), database.writing() as session:
                message = mail.send(
                    session=session,
                    actor=actor,
                    message_id=message_id,
                    smtp=smtp,
                    base_url=base_url,
                )
                failed += message.status == MailStatus.FAILED
                if message.status == MailStatus.FAILED:
                    st.markdown(f"{md(message.recipient)}: {md(message.error or '')}")
        progress.update(
            label=f"{len(message_ids) - failed} von {len(message_ids)} E-Mails verschickt",
            state="error" if failed else "complete",
        )
    if not failed:
        done("E-Mails verschickt.")


def retry(
    actor: Actor,
    recipients: list[Recipient],
    smtp: settings.Smtp | None,
    base_url: str,
    *,
    scope: str,
) -> None:
    """A button for the last e-mails that did not go out (failed, or never sent)."""
    waiting = [
        id_of(r.message)
        for r in recipients
        if r.message is not None and r.message.status not in mail.DONE
    ]
    if waiting and st.button(
        f"{counted(len(waiting), 'nicht versendete E-Mail', 'nicht versendete E-Mails')} "
        "erneut versuchen",
        icon=":material/refresh:",
        key=f"retry-{scope}",
    ):
        deliver(actor, waiting, smtp, base_url, scope=scope)


def revoke_control(actor: Actor, links: list[LinkRow], *, now: datetime, after: str = "") -> None:
    """Revoke working links (e.g. one went to the wrong address)."""
    working = {
        id_of(row.invitation): row for row in links if invitations.usable(row.invitation, now)
    }
    if not working:
        return
    chosen = st.multiselect(
        "Links zurückziehen (z. B. an die falsche Adresse gegangen)",
        list(working),
        format_func=lambda i: (
            f"{working[i].contact} ({working[i].organisation}), erstellt "
            f"{date_time(working[i].invitation.created_at)}"
        ),
        placeholder="Links wählen",
    )
    if chosen and st.button("Zurückziehen", icon=":material/link_off:"):
        with user_errors(), database.writing() as session:
            for invitation_id in chosen:
                invitations.revoke_invitation(
                    session=session, actor=actor, invitation_id=invitation_id
                )
        done(f"{counted(len(chosen), 'Link', 'Links')} zurückgezogen.{after}")
