"""The console's figures of the notifications come through incidents.notification_figures,
which notify fills at start-up; without it (a bare incidents app) they are empty, not errors."""

import pytest

from incidents import notification_figures
from notify import selectors

pytestmark = pytest.mark.django_db


def test_notify_fills_the_port_with_its_selectors():
    assert notification_figures._figures is selectors


def test_without_notify_every_figure_is_empty(outage, monkeypatch):
    monkeypatch.setattr(notification_figures, "_figures", None)

    assert notification_figures.notified_count(outage) == 0
    assert notification_figures.audience_preview(components=[], incident=outage, sms=True) == {}
    assert notification_figures.sending_switch() is None
    assert notification_figures.watched_delivery_counts() == {}
