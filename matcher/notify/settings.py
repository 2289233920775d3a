"""Mail settings (PEERMATCH_SMTP_*, PEERMATCH_MAIL_*, PEERMATCH_LINK_*), validated once; without
a host, a sender, a link secret and the public address of the links, nothing is sent."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from matcher.errors import PeermatchError


class MailNotConfiguredError(PeermatchError):
    """A reminder or an invitation was asked for but the mail settings are incomplete (names them)."""


class MailSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PEERMATCH_", env_file=None, extra="ignore")

    smtp_host: str | None = Field(None, description="SMTP server; unset: nothing is ever sent.")
    smtp_port: int = Field(587, ge=1, le=65535)
    smtp_user: str | None = Field(None, description="Login, if the server asks for one.")
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = Field(True, description="Upgrade the connection with STARTTLS (off only for a local relay).")
    smtp_timeout_seconds: float = Field(20.0, gt=0, le=300)
    mail_from: str | None = Field(None, description="The sender, e.g. 'Secretariat <secretariat@example.org>'.")
    public_url: str | None = Field(None, description="Where the console is reached, for the links in emails (https://...).")
    link_secret: SecretStr | None = Field(None, description="Signs the answer links; at least 32 characters.", min_length=32)
    link_days: int = Field(14, ge=1, le=365, description="Days an answer link stays valid (two weeks: a secretariat's usual reply window).")
    reminder_days: int = Field(7, ge=1, le=365, description="Days between two reminders of the same unanswered proposal.")

    def missing(self) -> list[str]:
        """The settings still needed before anything can be sent (their environment names)."""
        needed = {"smtp_host": self.smtp_host, "mail_from": self.mail_from, "link_secret": self.link_secret, "public_url": self.public_url}
        return [f"PEERMATCH_{name.upper()}" for name, value in needed.items() if not value]

    def require(self) -> None:
        missing = self.missing()
        if missing:
            raise MailNotConfiguredError(f"mail is not configured, nothing was sent: set {', '.join(missing)}")
