"""What beat runs, and how often: settings.CELERY_BEAT_SCHEDULE. Each entry expires in the
queue after a few of its periods, so that a backlog never runs stale copies of it."""

from celery.schedules import crontab


def beat_schedule(
    *, maintenance_seconds: float, reconcile_seconds: float, sweep_seconds: float
) -> dict:
    return {
        "run-due-maintenance": {
            "task": "incidents.tasks.run_due_maintenance",
            "schedule": maintenance_seconds,
            "options": {"expires": maintenance_seconds * 4},
        },
        # Daily at 09:00 UTC (CELERY_TIMEZONE); a second run the same day sends nothing.
        "chase-overdue-actions": {
            "task": "notify.tasks.chase_overdue_actions",
            "schedule": crontab(hour=9, minute=0),
            "options": {"expires": 6 * 3600},
        },
        # Open incidents without a public update for the page's reminder minutes: a minute late
        # at most, and each interval reminded of once however often this runs.
        "update-reminders": {
            "task": "notify.tasks.remind_silent_incidents",
            "schedule": 60.0,
            "options": {"expires": 240},
        },
        "maintenance-reminders": {
            "task": "incidents.tasks.send_maintenance_reminders",
            "schedule": maintenance_seconds,
            "options": {"expires": maintenance_seconds * 4},
        },
        # Alerts' drafts still firing after their integration's minutes become public.
        "publish-due-drafts": {
            "task": "incidents.tasks.publish_due_drafts",
            "schedule": maintenance_seconds,
            "options": {"expires": maintenance_seconds * 4},
        },
        # Moves the page stamp past a change whose mark was lost while the cache was down.
        "reconcile-page-stamp": {
            "task": "incidents.tasks.reconcile_page_stamp",
            "schedule": reconcile_seconds,
            "options": {"expires": reconcile_seconds * 4},
        },
        # Keys that make a console form (or an API write) happen once, kept a day.
        "forget-idempotency-keys": {
            "task": "incidents.tasks.forget_idempotency_keys",
            "schedule": crontab(minute=17),
            "options": {"expires": 3600},
        },
        "notify-sweep": {
            "task": "notify.tasks.sweep",
            "schedule": sweep_seconds,
            "options": {"expires": 30},
        },
    }


def static_export_schedule(*, seconds: float) -> dict:
    """The entry that keeps a static export current (NOROSHI_STATIC_EXPORT_DIR set): a check
    every `seconds`, which exports only when the page changed (statuspage.static_export)."""
    return {
        "export-static-page": {
            "task": "statuspage.tasks.export_static_page_when_changed",
            "schedule": seconds,
            "options": {"expires": seconds * 2},
        },
    }
