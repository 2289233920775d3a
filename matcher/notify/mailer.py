"""Send emails through the configured SMTP server (smtplib; STARTTLS and login when set)."""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from email.message import EmailMessage

from matcher.notify.settings import MailSettings


def send(settings: MailSettings, messages: list[EmailMessage], sent: Callable[[int], None]) -> None:
    """Send ``messages`` over one connection, calling ``sent(i)`` after each accepted one, so that
    the caller records exactly what went if the server fails half-way (smtplib's error is raised)."""
    settings.require()
    with smtplib.SMTP(settings.smtp_host or "", settings.smtp_port, timeout=settings.smtp_timeout_seconds) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password.get_secret_value() if settings.smtp_password else "")
        for number, message in enumerate(messages):
            smtp.send_message(message)
            sent(number)
