"""Example requests and responses for the API documentation (one page's API component, an
incident on it; the page itself is in page_examples), written as Noroshi answers them."""

from drf_spectacular.utils import OpenApiExample

PAGE_ID = "kctbh9vrtdwd"
COMPONENT_ID = "8kbf7d35c070"
GROUP_ID = "vtnh60py4yd7"
INCIDENT_ID = "p31zjtct2jer"
UPDATE_ID = "x9xd3pcmx2ns"
AT = "2026-12-04T17:35:12.345Z"

COMPONENT = {
    "id": COMPONENT_ID,
    "page_id": PAGE_ID,
    "group_id": GROUP_ID,
    "created_at": "2026-01-05T09:00:00.000Z",
    "updated_at": AT,
    "group": False,
    "name": "API",
    "description": "REST and GraphQL endpoints",
    "position": 1,
    "status": "partial_outage",
    "showcase": True,
    "only_show_if_degraded": False,
    "automation_email": None,
    "start_date": "2026-01-05",
}
GROUP = {
    "id": GROUP_ID,
    "page_id": PAGE_ID,
    "name": "Platform",
    "description": None,
    "components": [COMPONENT_ID],
    "position": 1,
    "created_at": "2026-01-05T09:00:00.000Z",
    "updated_at": AT,
}
UPDATE = {
    "id": UPDATE_ID,
    "status": "identified",
    "body": "A bad deploy; we are rolling it back.",
    "incident_id": INCIDENT_ID,
    "created_at": AT,
    "updated_at": AT,
    "display_at": AT,
    "affected_components": [
        {
            "code": COMPONENT_ID,
            "name": "Platform - API",
            "old_status": "operational",
            "new_status": "partial_outage",
        }
    ],
    "deliver_notifications": True,
    "custom_tweet": None,
    "tweet_id": None,
    "twitter_updated_at": None,
    "wants_twitter_update": False,
}
INCIDENT: dict = {
    "id": INCIDENT_ID,
    "name": "Elevated API errors",
    "status": "identified",
    "impact": "minor",
    "impact_override": None,
    "created_at": AT,
    "updated_at": AT,
    "monitoring_at": None,
    "resolved_at": None,
    "started_at": AT,
    "shortlink": f"https://status.example.com/incidents/{INCIDENT_ID}",
    "page_id": PAGE_ID,
    "incident_updates": [UPDATE],
    "components": [COMPONENT],
    "metadata": {},
    "postmortem_body": None,
    "postmortem_body_last_updated_at": None,
    "postmortem_ignored": False,
    "postmortem_notified_subscribers": False,
    "postmortem_notified_twitter": False,
    "postmortem_published_at": None,
    "scheduled_for": None,
    "scheduled_until": None,
    "scheduled_remind_prior": False,
    "scheduled_reminded_at": None,
    "scheduled_auto_in_progress": False,
    "scheduled_auto_completed": False,
    "auto_transition_to_maintenance_state": False,
    "auto_transition_to_operational_state": False,
    "auto_transition_deliver_notifications_at_start": False,
    "auto_transition_deliver_notifications_at_end": False,
    "reminder_intervals": None,
    "draft": False,
    "draft_state": "published",
}
UPTIME = {
    "id": COMPONENT_ID,
    "name": "API",
    "range_start": "2026-09-06T00:00:00.000Z",
    "range_end": "2026-12-05T00:00:00.000Z",
    "uptime_percentage": 99.9815,
    "major_outage": 0,
    "partial_outage": 2880,
    "warnings": [],
    "related_events": {
        "count": 1,
        "incidents": [{"id": INCIDENT_ID, "name": "Elevated API errors"}],
    },
}


def request(name: str, value: dict, *, summary: str = "") -> OpenApiExample:
    return OpenApiExample(name, value=value, summary=summary or name, request_only=True)


def response(name: str, value, *, status: int = 200) -> OpenApiExample:
    return OpenApiExample(
        name, value=value, summary=name, response_only=True, status_codes=[str(status)]
    )


DECLARE = request(
    "Declare an incident",
    {
        "incident": {
            "name": "Elevated API errors",
            "status": "investigating",
            "body": "We are looking into errors on the API.",
            "components": {COMPONENT_ID: "partial_outage"},
            "deliver_notifications": True,
        }
    },
)
SCHEDULE = request(
    "Schedule a maintenance",
    {
        "incident": {
            "name": "Database upgrade",
            "status": "scheduled",
            "body": "PostgreSQL moves to version 17.",
            "scheduled_for": "2026-12-10T01:00:00Z",
            "scheduled_until": "2026-12-10T03:00:00Z",
            "scheduled_remind_prior": True,
            "scheduled_auto_in_progress": True,
            "scheduled_auto_completed": True,
            "component_ids": [COMPONENT_ID],
        }
    },
)
BACKFILL = request(
    "Backfill a past incident",
    {
        "incident": {
            "name": "Login failures",
            "body": "Logins failed for 20 minutes after a certificate expired.",
            "backfilled": True,
            "backfill_date": "2026-11-20",
        }
    },
)
UPDATE_INCIDENT = request(
    "Post an update",
    {"incident": {"status": "identified", "body": "A bad deploy; we are rolling it back."}},
)
RESOLVE = request(
    "Resolve (components return to operational)",
    {"incident": {"status": "resolved", "body": "Errors are back to normal."}},
)
RENAME = request("Rename", {"incident": {"name": "Elevated API errors in eu-west"}})
SET_STATUS = request("Set a component's status", {"component": {"status": "major_outage"}})
NEW_COMPONENT = request(
    "Create a component",
    {
        "component": {
            "name": "API",
            "description": "REST and GraphQL endpoints",
            "status": "operational",
            "group_id": GROUP_ID,
        }
    },
)
NEW_GROUP = request(
    "Create a component group",
    {
        "description": "Customer-facing",
        "component_group": {"name": "Platform", "components": [COMPONENT_ID]},
    },
)
TEMPLATE: dict = {
    "id": "3",
    "components": [],
    "name": "Resolved",
    "title": "Resolved",
    "body": "This incident has been resolved. Thank you for your patience.",
    "group_id": None,
    "update_status": "resolved",
    "should_tweet": False,
    "should_send_notifications": True,
}
NEW_TEMPLATE = request(
    "Create a template",
    {
        "template": {
            "name": "Resolved",
            "title": "Resolved",
            "body": "This incident has been resolved. Thank you for your patience.",
            "update_status": "resolved",
        }
    },
)
SECTIONS_EXAMPLE = {
    "summary": "Checkout failed for 12 minutes.",
    "customer_impact": "Every checkout failed.",
    "root_cause": "A full disk on the primary database.",
    "contributing_factors": "",
    "detection": "",
    "response_and_recovery": "",
    "went_well": "",
    "went_badly": "",
    "lessons": "Alert on disk space.",
}
POSTMORTEM_BODY = (
    "## Summary\n\nCheckout failed for 12 minutes.\n\n## Customer impact\n\nEvery checkout "
    "failed.\n\n## Root cause\n\nA full disk on the primary database.\n\n## Lessons\n\nAlert "
    "on disk space."
)
POSTMORTEM = {
    "preview_key": None,
    "body": POSTMORTEM_BODY,
    "body_updated_at": AT,
    "body_draft": POSTMORTEM_BODY,
    "body_draft_updated_at": AT,
    "published_at": AT,
    "notify_subscribers": True,
    "notify_twitter": False,
    "custom_tweet": None,
    "created_at": AT,
    "updated_at": AT,
    "status": "published",
    "detection_method": "monitoring",
    "sections": SECTIONS_EXAMPLE,
    "sections_ja": dict.fromkeys(SECTIONS_EXAMPLE, ""),
    "submitted_at": AT,
    "reviewed_at": AT,
    "timeline": [
        {"occurred_at": AT, "text": "**Investigating**: Checkout is failing.", "text_ja": ""}
    ],
}
WRITE_DRAFT = request(
    "Write the draft as one Markdown body",
    {"postmortem": {"body_draft": POSTMORTEM_BODY, "detection_method": "monitoring"}},
)
WRITE_SECTIONS = request(
    "Write sections by name", {"postmortem": {"sections": {"lessons": "Alert on disk space."}}}
)
PUBLISH = request("Publish and announce", {"postmortem": {"notify_subscribers": True}})
NO_BODY = request("No body needed", {})

ACTION = {
    "id": "q2m5f3rk8w1z",
    "incident_id": INCIDENT_ID,
    "kind": "prevent",
    "title": "Alert when a database disk is 80 % full",
    "title_ja": "",
    "description": "",
    "owner": "aiko",
    "due_on": "2026-12-18",
    "priority": "high",
    "state": "open",
    "overdue": False,
    "wont_do_reason": None,
    "tracker_url": "https://tracker.example.com/OPS-412",
    "components": [COMPONENT_ID],
    "public": True,
    "completed_at": None,
    "created_at": AT,
    "updated_at": AT,
}
NEW_ACTION = request(
    "Record an action",
    {
        "recovery_action": {
            "title": "Alert when a database disk is 80 % full",
            "kind": "prevent",
            "owner": "aiko",
            "due_on": "2026-12-18",
            "priority": "high",
            "tracker_url": "https://tracker.example.com/OPS-412",
            "component_ids": [COMPONENT_ID],
            "public": True,
        }
    },
)
EDIT_ACTION = request("Move the due date", {"recovery_action": {"due_on": "2026-12-24"}})
COMPLETE_ACTION = request(
    "Done (at a time)", {"recovery_action": {"completed_at": "2026-12-17T10:00:00Z"}}
)
DECLINE_ACTION = request(
    "Won't do", {"recovery_action": {"reason": "Replaced by the new storage alerts."}}
)

NOTIFICATION = {
    "id": "812",
    "kind": "incident_update",
    "incident_id": INCIDENT_ID,
    "incident_update_id": UPDATE_ID,
    "component_id": None,
    "channels": ["email", "sms", "webhook", "slack"],
    "created_at": AT,
    "fanned_out_at": AT,
    "delivery_count": 1204,
    "deliveries_by_state": {
        "pending": 0,
        "sending": 0,
        "sent": 1198,
        "failed": 4,
        "unknown": 1,
        "skipped": 1,
        "coalesced": 0,
    },
}
DELIVERY = {
    "id": "90412",
    "subscriber_id": "m4k2x9p1q7rz",
    "channel": "email",
    "address": "ai…@example.com",
    "state": "sent",
    "attempts": 1,
    "attempted_at": AT,
    "finished_at": AT,
    "error": None,
}
SWITCH = {
    "paused": True,
    "reason": "A wrong template went out; checking before anything else leaves.",
    "changed_at": AT,
    "changed_by": "aiko",
}
PAUSE = request(
    "Pause sending",
    {
        "sending_switch": {
            "reason": "A wrong template went out; checking before anything else leaves."
        }
    },
)

SUBSCRIBER = {
    "id": "m4k2x9p1q7rz",
    "skip_confirmation_notification": False,
    "mode": "email",
    "email": "aiko@example.com",
    "endpoint": None,
    "phone_number": None,
    "phone_country": None,
    "display_phone_number": None,
    "obfuscated_channel_name": None,
    "workspace_name": None,
    "quarantined_at": None,
    "purge_at": None,
    "components": [COMPONENT_ID],
    "page_access_user_id": None,
    "created_at": AT,
    "state": "active",
    "language": "en",
    "incident_id": None,
    "confirmed_at": AT,
    "unsubscribed_at": None,
}
NEW_SUBSCRIBER = request(
    "Add an e-mail subscriber (asked to confirm)",
    {"subscriber": {"email": "aiko@example.com", "component_ids": [COMPONENT_ID]}},
)
NEW_CONFIRMED = request(
    "Add a webhook, already confirmed",
    {
        "subscriber": {
            "endpoint": "https://hooks.example.com/status",
            "email": "ops@example.com",
            "skip_confirmation_notification": True,
        }
    },
)
BATCH = request("Unsubscribe two", {"subscribers": "m4k2x9p1q7rz,p8w2c6n4x0ta"})
COUNT = {"count": 1250, "email": 1100, "sms": 90, "webhook": 40, "slack": 20}
HISTOGRAM = {
    "email": {
        "active": 1100,
        "unconfirmed": 35,
        "quarantined": 2,
        "unsubscribed": 80,
        "total": 1217,
    },
    "sms": {"active": 90, "unconfirmed": 3, "quarantined": 0, "unsubscribed": 11, "total": 104},
}
EDIT_UPDATE_TEXT = request(
    "Correct a typo in an update",
    {"incident_update": {"body": "A bad deploy; we are rolling it back now."}},
)
EDIT_UPDATE_TEXT_JA = request(
    "Correct the English and the Japanese text",
    {
        "incident_update": {
            "body": "A bad deploy; we are rolling it back now.",
            "body_ja": "不具合のあるデプロイを切り戻しています。",
        }
    },
)
EDITED_UPDATE = UPDATE | {
    "body": "A bad deploy; we are rolling it back now.",
    "updated_at": "2026-12-04T17:41:03.210Z",
}
