"""The one door from the incidents domain to the notifications.

The services call these functions inside the transaction that writes what is announced; the
notifier (settings.NOROSHI_NOTIFIER, "notify.outbox" by default) writes its outbox row in that
same transaction, so an announcement is saved exactly when the update is, and never without
it. The notifier is named in settings rather than imported, keeping the dependency one-way
(notify depends on incidents, never the reverse) without signals.
"""

from importlib import import_module
from types import ModuleType

from django.conf import settings


def notifier() -> ModuleType | None:
    path = getattr(settings, "NOROSHI_NOTIFIER", "")
    return import_module(path) if path else None


def announce_update(update) -> None:
    """Announce a published update (incident or maintenance) to its subscribers."""
    module = notifier()
    if module is not None:
        module.record_update(update)


def announce_maintenance_reminder(maintenance) -> None:
    """Announce that a maintenance window starts soon (once per window)."""
    module = notifier()
    if module is not None:
        module.record_reminder(maintenance)


def notified_count(incident) -> int | None:
    """How many subscribers the notifier told about the incident (None without a notifier)."""
    module = notifier()
    return None if module is None else module.notified_count(incident)


def announce_postmortem_published(postmortem) -> None:
    """Announce a published post-mortem (once per incident)."""
    module = notifier()
    if module is not None:
        module.record_postmortem(postmortem)


def announce_component_change(change) -> None:
    """Announce a component's status change (Statuspage's component webhook event)."""
    module = notifier()
    if module is not None:
        module.record_component_change(change)


def audience(*, components, incident=None, sms: bool) -> dict[str, int] | None:
    """Subscribers per channel an announcement about `components` would reach now (the preview
    before posting); None without a notifier."""
    module = notifier()
    return (
        None
        if module is None
        else module.audience(components=components, incident=incident, sms=sms)
    )
