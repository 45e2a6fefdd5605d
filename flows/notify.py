"""Alerts, through Apprise (which Prefect already brings): a Slack-compatible webhook (a JSON
body with `text`) and email over SMTP, both from the settings. An alert that cannot be sent is
logged, never raised: it must not hide what it was about."""

from __future__ import annotations

import logging
from urllib.parse import quote, urlsplit, urlunsplit

import apprise

from beejan.core.settings import Settings

log = logging.getLogger(__name__)


def alert_targets(settings: Settings) -> list[str]:
    """The Apprise URLs the settings name (none when no target is configured)."""
    targets = []
    if settings.alert_webhook_url is not None:
        targets.append(_slack_compatible(settings.alert_webhook_url.get_secret_value()))
    if settings.alert_email_to and settings.smtp_host:
        login = ""
        if settings.smtp_user:
            password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
            login = f"{quote(settings.smtp_user, safe='')}:{quote(password, safe='')}@"
        scheme = "mailtos" if settings.smtp_security == "ssl" else "mailto"
        mode = {"starttls": "starttls", "ssl": "ssl", "none": "insecure"}[settings.smtp_security]
        targets.append(
            f"{scheme}://{login}{settings.smtp_host}:{settings.smtp_port}"
            f"?smtp={settings.smtp_host}&mode={mode}"
            f"&from={quote(settings.alert_email_from)}&to={quote(settings.alert_email_to)}"
        )
    return targets


def _slack_compatible(url: str) -> str:
    """An http(s) webhook as Apprise's JSON target whose body is `{"text": ...}` (Slack's
    incoming webhooks, Mattermost, Teams workflows and most chat tools read that)."""
    parts = urlsplit(url)
    scheme = {"http": "json", "https": "jsons"}.get(parts.scheme, parts.scheme)
    mapping = ":message=text&:title=&:type=&:version=&:attachments="
    query = f"{parts.query}&{mapping}" if parts.query else mapping
    return urlunsplit((scheme, parts.netloc, parts.path, query, parts.fragment))


def send_alert(settings: Settings, title: str, body: str) -> bool:
    """Send to every configured target; True when each of them took it."""
    targets = alert_targets(settings)
    log.warning("ALERT %s: %s", title, body)
    if not targets:
        return True
    notifier = apprise.Apprise()
    for target in targets:
        notifier.add(target)
    sent = bool(notifier.notify(title=title, body=f"{title}\n{body}"))
    if not sent:
        log.error("an alert could not be sent to every target: %s", title)
    return sent
