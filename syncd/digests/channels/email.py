"""SMTP email: multipart/alternative (text/plain + text/html), STARTTLS or implicit TLS, verified certs."""

from __future__ import annotations

import smtplib
import ssl
import time
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from syncd.digests.channels.base import Delivery
from syncd.digests.escape import one_line
from syncd.digests.model import Digest
from syncd.digests.render import render_html, render_text
from syncd.digests.settings import EmailChannel, SmtpSettings
from syncd.redact import REDACTOR


def build_message(digest: Digest, smtp: SmtpSettings, email: EmailChannel) -> EmailMessage:
    """The email for a digest: plain text first, HTML as the preferred alternative."""
    msg = EmailMessage()
    # one_line: a CR/LF in a company name must not become a header injection.
    msg["Subject"] = one_line(f"{email.subject_prefix} {digest.subject}".strip())
    msg["From"] = smtp.sender
    msg["To"] = ", ".join(email.to)
    msg["Date"] = format_datetime(digest.generated_at)
    msg["Message-ID"] = make_msgid("syncd-digest", domain=smtp.sender.rpartition("@")[2] or None)
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to a robot
    msg.set_content(render_text(digest))
    msg.add_alternative(render_html(digest), subtype="html")
    return msg


def _classify(exc: Exception) -> tuple[bool, str]:
    """(recoverable, message): 4xx answers and dropped connections are worth retrying."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return all(400 <= c < 500 for c in codes), f"recipients refused: {sorted(exc.recipients)} {codes}"
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return 400 <= exc.smtp_code < 500, f"SMTP {exc.smtp_code} {one_line(text)}"
    if isinstance(exc, ssl.SSLError):
        return False, f"TLS failure: {exc}"  # certificate problems do not fix themselves
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return False, f"server does not support it: {exc}"
    if isinstance(exc, smtplib.SMTPServerDisconnected | OSError):
        return True, f"connection problem: {type(exc).__name__}: {exc}"
    return False, f"{type(exc).__name__}: {exc}"


class EmailNotifier:
    """Sends digests through one SMTP relay to one receiver's addresses."""

    channel = "email"

    def __init__(self, smtp: SmtpSettings, email: EmailChannel, *, sleep: Callable[[float], None] = time.sleep,
                 ssl_context: ssl.SSLContext | None = None) -> None:
        self._smtp, self._email, self._sleep = smtp, email, sleep
        # create_default_context verifies the certificate and the host name; never turned off.
        self._ssl = ssl_context or ssl.create_default_context()

    def send(self, digest: Digest) -> Delivery:
        """Deliver, retrying temporary failures with doubling waits."""
        msg = build_message(digest, self._smtp, self._email)
        wait = self._smtp.backoff.total_seconds()
        error = ""
        for attempt in range(1, self._smtp.max_attempts + 1):
            try:
                self._deliver(msg)
            except (smtplib.SMTPException, OSError) as exc:
                recoverable, error = _classify(exc)
                error = REDACTOR.scrub(error)
                if not recoverable:
                    return Delivery(False, False, error, attempt)
                if attempt < self._smtp.max_attempts:
                    self._sleep(wait)
                    wait *= 2
                continue
            return Delivery(True, attempts=attempt)
        return Delivery(False, True, error, self._smtp.max_attempts)

    def _deliver(self, msg: EmailMessage) -> None:
        smtp, timeout = self._smtp, self._smtp.timeout.total_seconds()
        if smtp.security == "tls":
            client: smtplib.SMTP = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=timeout, context=self._ssl)
        else:
            client = smtplib.SMTP(smtp.host, smtp.port, timeout=timeout)
        with client:
            client.ehlo()
            if smtp.security == "starttls":
                client.starttls(context=self._ssl)
                client.ehlo()
            if smtp.username:
                password = smtp.password.get_secret_value() if smtp.password else ""
                client.login(smtp.username, password)
            client.send_message(msg)
