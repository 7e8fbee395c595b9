"""The one door from the incidents domain to the notifications: announcing, nothing else.

The services call these functions inside the transaction that writes what is announced; the
notifier writes its outbox row in that same transaction, so an announcement is saved exactly
when the update is, and never without it. The notifier is notify.outbox, which notify installs
here when its app is ready (notify.apps): the dependency stays one-way, notify on incidents,
never the reverse. What the notifications know (who would be reached, who was told) is read
from notify.selectors by whoever shows it.

Nothing about an incident the public may not see (an alert's draft, or a discarded one) goes
through: a draft is announced when it is published (incidents.services.drafts).
"""

from typing import Protocol


class Notifier(Protocol):
    def record_update(self, update) -> object: ...

    def record_reminder(self, maintenance) -> object: ...

    def record_postmortem(self, postmortem) -> object: ...

    def record_component_change(self, change) -> object: ...


_notifier: Notifier | None = None


def install(notifier: Notifier) -> None:
    """Hand every announcement from now on to `notifier` (notify.apps, once)."""
    global _notifier
    _notifier = notifier


def announce_update(update) -> None:
    """Announce a published update (incident or maintenance) to its subscribers; nothing for
    an update of a draft."""
    if _notifier is not None and update.incident.is_public:
        _notifier.record_update(update)


def announce_maintenance_reminder(maintenance) -> None:
    """Announce that a maintenance window starts soon (once per window)."""
    if _notifier is not None:
        _notifier.record_reminder(maintenance)


def announce_postmortem_published(postmortem) -> None:
    """Announce a published post-mortem (once per incident; never of a draft)."""
    if _notifier is not None and postmortem.incident.is_public:
        _notifier.record_postmortem(postmortem)


def announce_component_change(change) -> None:
    """Announce a component's status change (Statuspage's component webhook event)."""
    if _notifier is not None:
        _notifier.record_component_change(change)
