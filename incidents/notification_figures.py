"""What the console and the incident export show of the notifications (who an update would
reach, who was told, the kill switch, deliveries waiting): read through this port, which notify
fills with its selectors when its app is ready (notify.apps), as it fills
incidents.announcements with its outbox. The dependency stays one-way: notify on incidents.

Before notify is installed (a bare incidents app), every figure is empty rather than an error:
the console still works, it just shows no notifications."""

from typing import Protocol


class Figures(Protocol):
    def audience_preview(self, *, components, incident, sms: bool) -> dict[str, int]: ...

    def notified_count(self, incident) -> int: ...

    def sending_switch_with_changer(self) -> object: ...

    def watched_delivery_counts(self) -> dict: ...


_figures: Figures | None = None


def install(figures: Figures) -> None:
    """Read every figure from now on from `figures` (notify.apps, once)."""
    global _figures
    _figures = figures


def audience_preview(*, components, incident, sms: bool) -> dict[str, int]:
    """How many subscribers an announcement about these components would reach now, by
    channel (the console's preview before posting)."""
    if _figures is None:
        return {}
    return _figures.audience_preview(components=components, incident=incident, sms=sms)


def notified_count(incident) -> int:
    """Distinct subscribers told anything about the incident."""
    return 0 if _figures is None else _figures.notified_count(incident)


def sending_switch():
    """The kill switch with the member who threw it last (None without notify)."""
    return None if _figures is None else _figures.sending_switch_with_changer()


def watched_delivery_counts() -> dict:
    """Deliveries pending, unknown and failed ({} without notify)."""
    return {} if _figures is None else _figures.watched_delivery_counts()
