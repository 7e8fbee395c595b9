"""Heartbeat rows of processes that stopped beating long ago are deleted by the sweep (beat's
periodic maintenance), except one still named by a delivery left `sending`."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents import services
from notify import liveness, lost_work
from notify import services as notify_services
from notify.choices import ProcessRole
from notify.delivery.claims import claim_group
from notify.models import Delivery, Notification, ProcessHeartbeat, SendingSwitch
from tests.notify.fan_out import fan_out

pytestmark = pytest.mark.django_db


def process(name: str, *, beaten_ago: timedelta, stopped: bool) -> ProcessHeartbeat:
    row = ProcessHeartbeat.objects.create(
        role=ProcessRole.WORKER, name=name, hostname="here", pid=len(name)
    )
    beat_at = timezone.now() - beaten_ago
    ProcessHeartbeat.objects.filter(pk=row.pk).update(
        beat_at=beat_at, started_at=beat_at, stopped_at=beat_at if stopped else None
    )
    return row


def test_the_sweep_forgets_processes_silent_for_a_day_but_not_a_claimant_still_sending(
    outage, subscriber_factory
):
    day = liveness.FORGET_AFTER
    running = process("running", beaten_ago=timedelta(seconds=1), stopped=False)
    stopped_today = process("stopped-today", beaten_ago=day - timedelta(hours=1), stopped=True)
    process("stopped-long-ago", beaten_ago=day + timedelta(hours=1), stopped=True)
    process("died-long-ago", beaten_ago=day + timedelta(hours=1), stopped=False)
    claimant = process("claimant-long-ago", beaten_ago=day + timedelta(hours=1), stopped=False)
    notify_services.pause_sending(reason="a delivery left sending")
    subscriber_factory("s@example.com")
    services.post_update(incident=outage, status="identified", body="A bad deploy.")
    fan_out(Notification.objects.get().pk)
    SendingSwitch.objects.filter(id=1).update(paused=False)
    sending = Delivery.objects.get()
    assert claim_group([sending.pk], claimant=claimant.pk) == {sending.pk}

    result = lost_work.find_lost_work()

    assert result.forgotten_processes == 2
    kept = set(ProcessHeartbeat.objects.values_list("pk", flat=True))
    assert kept == {running.pk, stopped_today.pk, claimant.pk}
    assert Delivery.objects.get().state == "sending"
    assert Delivery.objects.get().claimed_by_id == claimant.pk
    assert lost_work.find_lost_work().forgotten_processes == 0  # nothing more to forget
