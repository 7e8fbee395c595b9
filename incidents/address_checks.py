"""The check the team's Slack incoming-webhook URL (a page setting) gets before it is saved: the
one subscribers' Slack URLs get, with notify's SSRF guard (notify.addresses), which notify
installs here when its app is ready (notify.apps), as it fills incidents.announcements. The
dependency stays one-way: notify on incidents.

Before notify is installed (a bare incidents app) no URL passes: a target nobody checked is
never stored to be posted to later."""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

SlackUrlCheck = Callable[[str], str]

_slack_url_check: SlackUrlCheck | None = None


def install(slack_url_check: SlackUrlCheck) -> None:
    """Check Slack URLs from now on with `slack_url_check`, which returns the URL in its stored
    form or raises ValidationError (notify.apps, once)."""
    global _slack_url_check
    _slack_url_check = slack_url_check


def checked_slack_webhook_url(url: str, *, field: str) -> str:
    """`url` in its stored form when it is a Slack incoming-webhook URL Noroshi may post to;
    ValidationError({field: …}) otherwise."""
    if _slack_url_check is None:
        raise ValidationError(
            {field: _("Slack is not available: notifications are not installed.")}
        )
    try:
        return _slack_url_check(url)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from error
