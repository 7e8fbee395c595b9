"""The reminder e-mail to the owner of an overdue recovery action (notify.chase sends it)."""

from datetime import date

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from incidents import selectors
from incidents.models import RecoveryAction
from notify.channels.mime import EmailContent, PreparedEmail


def reminder(action: RecoveryAction, today: date) -> PreparedEmail:
    """The reminder of an action due before `today`, in its owner's language: what is late,
    since when, and the console link to act on it (text only, no unsubscribing: it stops when
    the action is finished)."""
    owner = action.owner
    assert owner is not None and action.due_on is not None  # only those are chased
    language = selectors.member_language(owner)
    link = settings.SITE_URL + reverse("admin:incidents_recoveryaction_change", args=[action.pk])
    days = (today - action.due_on).days
    title = selectors.localized(action, "title", language)
    with translation.override(language):
        ago = ngettext("%(days)d day ago", "%(days)d days ago", days) % {"days": days}
        tracker = (
            _("Tracker: %(url)s\n") % {"url": action.tracker_url} if action.tracker_url else ""
        )
        text = _(
            "Hello %(name)s,\n\n"
            "This recovery action of the incident “%(incident)s” was due on %(due)s (%(ago)s) "
            "and is still %(state)s:\n\n"
            "  %(title)s\n"
            "  %(kind)s · priority %(priority)s\n\n"
            "%(tracker)s"
            "Update it, mark it done, or say why it won't be done:\n%(link)s\n\n"
            "You get at most one reminder a day for each overdue action.\n"
        ) % {
            "name": owner.get_full_name() or owner.get_username(),
            "incident": selectors.localized(action.incident, "name", language),
            "due": f"{action.due_on:%Y-%m-%d}",
            "ago": ago,
            "state": str(action.get_state_display()).lower(),
            "title": title,
            "kind": action.get_kind_display(),
            "priority": str(action.get_priority_display()).lower(),
            "tracker": tracker,
            "link": link,
        }
        subject = _("Overdue recovery action: %(title)s") % {"title": title}
    return PreparedEmail(EmailContent(subject, text, html=""), offer_unsubscribe=False)
