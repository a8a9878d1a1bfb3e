"""Plain-text e-mail through the association's SMTP server (settings), with German reasons
when it fails; used for invitations, reviews and password links alike."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

from positions.core import cleaning
from positions.core.clock import utcnow
from positions.core.errors import PositionenError
from positions.core.settings import Smtp

SMTP_TIMEOUT_SECONDS = 15


class MailFailed(PositionenError):
    """The mail server could not be reached or refused the message."""


def deliver(smtp: Smtp, *, to: str, subject: str, body: str) -> None:
    """Hand one plain-text message to the SMTP server; `MailFailed` with a German reason."""
    message = EmailMessage()
    message["From"] = formataddr((None, smtp.sender)) if smtp.sender else smtp.user
    message["To"] = to
    message["Subject"] = cleaning.clean_line(subject)  # a line break would abort the message
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid(domain=smtp.sender.partition("@")[2] or None)
    message.set_content(body)
    where = f"{smtp.host}:{smtp.port}"
    try:
        # smtplib's own default context checks neither certificate nor host name; the
        # default context does both, so the password never goes to an impostor.
        tls = ssl.create_default_context()
        implicit_tls = smtp.port == 465
        server = (
            smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=SMTP_TIMEOUT_SECONDS, context=tls)
            if implicit_tls
            else smtplib.SMTP(smtp.host, smtp.port, timeout=SMTP_TIMEOUT_SECONDS)
        )
        with server:
            if smtp.starttls and not implicit_tls:
                server.starttls(context=tls)
            if smtp.user:
                server.login(smtp.user, smtp.password)
            server.send_message(message)
    except smtplib.SMTPAuthenticationError:
        raise MailFailed(
            f"Der Mailserver {where} hat die Anmeldung abgelehnt "
            "(Benutzername oder Passwort falsch)."
        ) from None
    except smtplib.SMTPNotSupportedError:
        raise MailFailed(
            f"Der Mailserver {where} unterstützt STARTTLS oder die Anmeldung "
            "nicht; bitte prüfen Sie die Einstellungen."
        ) from None
    except smtplib.SMTPRecipientsRefused:
        raise MailFailed(f"Der Mailserver hat die Empfängeradresse {to} abgelehnt.") from None
    except smtplib.SMTPException as error:
        raise MailFailed(f"Der Mailserver {where} hat den Versand abgelehnt: {error}") from None
    except ssl.SSLCertVerificationError as error:
        raise MailFailed(
            f"Das Zertifikat des Mailservers {where} ist nicht vertrauenswürdig "
            f"({error.verify_message}); es wurde nichts gesendet."
        ) from None
    except (TimeoutError, OSError):
        raise MailFailed(f"Der Mailserver {where} ist nicht erreichbar.") from None
