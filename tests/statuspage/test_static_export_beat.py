"""Beat keeps a static export current (NOROSHI_STATIC_EXPORT_DIR): its task exports after the
page changed, and otherwise only once the export has grown old."""

import os

import pytest

from incidents import services
from statuspage.beat_schedule import static_export_schedule
from statuspage.celery import app
from statuspage.tasks import export_static_page_when_changed

pytestmark = pytest.mark.django_db

TASK = "statuspage.tasks.export_static_page_when_changed"


@pytest.fixture
def export_dir(settings, tmp_path):
    settings.NOROSHI_STATIC_EXPORT_DIR = str(tmp_path / "site")
    settings.NOROSHI_STATIC_EXPORT_REFRESH_SECONDS = 3600
    return tmp_path / "site"


def run_task() -> bool:
    return export_static_page_when_changed.delay().get()


def test_the_task_exports_only_after_a_change(
    export_dir, components, django_capture_on_commit_callbacks
):
    assert run_task() is True
    first = os.readlink(export_dir)
    assert run_task() is False
    assert os.readlink(export_dir) == first

    with django_capture_on_commit_callbacks(execute=True):
        services.declare_incident(
            name="Search is slow",
            body="Looking into it.",
            component_statuses={components["API"]: "degraded_performance"},
            deliver_notifications=False,
        )
    assert run_task() is True
    assert os.readlink(export_dir) != first
    assert "Search is slow" in (export_dir / "index.html").read_text()
    assert run_task() is False


def test_an_old_export_is_redone_without_a_change(export_dir, components, settings):
    assert run_task() is True
    first = os.readlink(export_dir)
    settings.NOROSHI_STATIC_EXPORT_REFRESH_SECONDS = 0
    assert run_task() is True
    assert os.readlink(export_dir) != first


def test_without_a_folder_the_task_does_nothing(settings, components, tmp_path):
    settings.NOROSHI_STATIC_EXPORT_DIR = ""
    assert run_task() is False
    assert list(tmp_path.iterdir()) == []


def test_beat_checks_every_configured_period():
    assert TASK in app.tasks
    assert static_export_schedule(seconds=30) == {
        "export-static-page": {"task": TASK, "schedule": 30, "options": {"expires": 60}}
    }
