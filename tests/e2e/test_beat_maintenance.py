"""Beat, a real worker and the database together: a due maintenance starts and ends by itself."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from incidents import services
from incidents.choices import ComponentStatus, MaintenanceStatus, StatusChangeSource
from incidents.models import Component, Incident

pytestmark = pytest.mark.e2e

POLL_TIMEOUT = 60


def wait_for_state(worker, maintenance: Incident, component: Component, expected: tuple) -> None:
    deadline = time.monotonic() + POLL_TIMEOUT
    seen = None
    while time.monotonic() < deadline:
        worker.ensure_alive()
        maintenance.refresh_from_db()
        component.refresh_from_db()
        seen = (maintenance.status, component.status)
        if seen == expected:
            return
        time.sleep(0.2)
    pytest.fail(f"Waited {POLL_TIMEOUT} s for {expected}; still {seen}")


def test_beat_starts_and_completes_a_due_maintenance(beat_worker):
    component = services.create_component(name="Primary database")
    now = timezone.now()
    maintenance = services.schedule_maintenance(
        name="Database minor version upgrade",
        body="We will upgrade the primary database.",
        scheduled_for=now - timedelta(seconds=1),
        scheduled_until=now + timedelta(seconds=8),
        components=[component],
        auto_start=True,
        auto_complete=True,
    )

    wait_for_state(
        beat_worker,
        maintenance,
        component,
        (MaintenanceStatus.IN_PROGRESS, ComponentStatus.UNDER_MAINTENANCE),
    )
    wait_for_state(
        beat_worker,
        maintenance,
        component,
        (MaintenanceStatus.COMPLETED, ComponentStatus.OPERATIONAL),
    )

    updates = maintenance.updates.order_by("display_at", "id")
    assert [u.status for u in updates] == [
        MaintenanceStatus.SCHEDULED,
        MaintenanceStatus.IN_PROGRESS,
        MaintenanceStatus.COMPLETED,
    ]
    history = component.status_changes.order_by("created_at", "id")
    assert [(c.old_status, c.new_status, c.source) for c in history] == [
        ("", ComponentStatus.OPERATIONAL, StatusChangeSource.CREATED),
        (
            ComponentStatus.OPERATIONAL,
            ComponentStatus.UNDER_MAINTENANCE,
            StatusChangeSource.MAINTENANCE,
        ),
        (
            ComponentStatus.UNDER_MAINTENANCE,
            ComponentStatus.OPERATIONAL,
            StatusChangeSource.MAINTENANCE,
        ),
    ]
    assert maintenance.resolved_at >= maintenance.scheduled_until
    assert "incidents.tasks.run_due_maintenance" in beat_worker.log()
