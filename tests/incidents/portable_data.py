"""A small page document of every kind of row, written by hand as export_page writes it (format
"noroshi-page", version 1): the import's tests read it, and exporting it back must give it
again."""

import base64
import copy

T0 = "2026-03-01T09:00:00.000000Z"
T1 = "2026-03-01T09:12:30.250000Z"
T2 = "2026-03-01T10:40:00.000000Z"
T3 = "2026-03-02T08:00:00.000000Z"
T4 = "2026-03-03T12:00:00.500000Z"
LATER = "2026-04-10T01:00:00.000000Z"
LATER_END = "2026-04-10T03:00:00.000000Z"

# A logo as the sanitiser stores it (an export holds only such).
LOGO = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
    b'<circle r="4" cx="5" cy="5" fill="#0550ae"></circle></svg>'
)

SECTIONS = (
    "summary", "customer_impact", "root_cause", "contributing_factors", "detection",
    "response_and_recovery", "went_well", "went_badly", "lessons",
)  # fmt: skip


def postmortem() -> dict:
    texts = {}
    for section in SECTIONS:
        texts[section] = f"{section.replace('_', ' ').capitalize()}."
        texts[f"{section}_ja"] = ""
    texts["summary_ja"] = "API の障害でした。"
    return {
        "public_id": "pm0000000001",
        "status": "published",
        **texts,
        "detection_method": "monitoring",
        "impact_started_at": "2026-03-01T08:55:00.000000Z",
        "detected_at": None,
        "notify_subscribers": False,
        "submitted_at": T3,
        "reviewed_at": T4,
        "published_at": T4,
        "created_at": T3,
        "updated_at": T4,
        "incident": "inc000000001",
        "author": "aiko",
        "submitted_by": "aiko",
        "reviewed_by": "kenji",
        "timeline": [
            {
                "occurred_at": T0,
                "text": "Alert fired.",
                "text_ja": "アラートが発報しました。",
                "created_at": T3,
                "updated_at": T3,
                "incident_update": "upd000000001",
                "status_change": 2,
            },
            {
                "occurred_at": T2,
                "text": "Fixed.",
                "text_ja": "",
                "created_at": T3,
                "updated_at": T3,
                "incident_update": None,
                "status_change": None,
            },
        ],
    }


def incidents() -> list[dict]:
    common = {
        "backfilled": False, "monitoring_at": None, "auto_start": True, "auto_complete": True,
        "set_components_under_maintenance": True, "reminded_at": None,
        "silence_reminded_for": None, "draft_state": "published", "published_at": None,
    }  # fmt: skip
    outage = {
        **common,
        "public_id": "inc000000001", "kind": "incident", "name": "Elevated API errors",
        "name_ja": "API のエラー増加", "status": "postmortem", "impact": "major",
        "impact_override": "", "started_at": T0, "resolved_at": T2, "scheduled_for": None,
        "scheduled_until": None, "remind_minutes_before": None, "created_at": T0,
        "updated_at": T4, "created_by": "aiko", "components": ["cmp000000001"],
        "updates": [
            {
                "public_id": "upd000000001", "status": "investigating",
                "body": "We are investigating errors.", "body_ja": "調査しています。",
                "display_at": T0, "deliver_notifications": True, "created_at": T0,
                "updated_at": T1, "edited_at": T1, "author": "aiko",
                "components": [
                    {"component": "cmp000000001", "old_status": "operational",
                     "new_status": "major_outage"},
                ],
            },
            {
                "public_id": "upd000000002", "status": "resolved", "body": "Fixed.",
                "body_ja": "", "display_at": T2, "deliver_notifications": False,
                "created_at": T2, "updated_at": T2, "edited_at": None, "author": None,
                "components": [
                    {"component": "cmp000000001", "old_status": "major_outage",
                     "new_status": "operational"},
                ],
            },
        ],
    }  # fmt: skip
    maintenance = {
        **common,
        "public_id": "mnt000000001", "kind": "maintenance", "name": "Database upgrade",
        "name_ja": "", "status": "scheduled", "impact": "none", "impact_override": "",
        "started_at": LATER, "resolved_at": None, "scheduled_for": LATER,
        "scheduled_until": LATER_END, "remind_minutes_before": 60, "created_at": T3,
        "updated_at": T3, "created_by": None, "components": ["cmp000000001", "cmp000000002"],
        "updates": [
            {
                "public_id": "upd000000003", "status": "scheduled", "body": "We will upgrade.",
                "body_ja": "", "display_at": T3, "deliver_notifications": True,
                "created_at": T3, "updated_at": T3, "edited_at": None, "author": None,
                "components": [],
            },
        ],
    }  # fmt: skip
    return [outage, maintenance]


def status_changes() -> list[dict]:
    def change(component, old, new, source, update, at):
        return {
            "old_status": old, "new_status": new, "source": source, "created_at": at,
            "component": component, "incident_update": update, "actor": None,
        }  # fmt: skip

    return [
        change("cmp000000001", "", "operational", "created", None, "2026-01-01T00:00:00.000000Z"),
        change("cmp000000002", "", "operational", "created", None, "2026-01-01T00:00:00.000000Z"),
        change("cmp000000001", "operational", "major_outage", "incident_update", "upd000000001",
               T0),
        change("cmp000000001", "major_outage", "operational", "incident_update", "upd000000002",
               T2),
    ]  # fmt: skip


def subscribers() -> list[dict]:
    base = {
        "suspended_at": None, "suspended_reason": "", "consecutive_failures": 0,
        "confirmation_code_hash": "", "confirmation_sent_at": None, "confirmation_attempts": 0,
        "incident": None, "components": [],
    }  # fmt: skip
    return [
        {
            **base, "public_id": "sub000000001", "channel": "email",
            "address": "hana@example.com", "language": "ja", "confirmed_at": T1,
            "unsubscribed_at": None, "consent_at": T0, "consent_ip": "192.0.2.7",
            "consent_source": "page", "secret": "s" * 43, "created_at": T0, "updated_at": T1,
            "components": ["cmp000000001", "cmp000000002"],
        },
        {
            **base, "public_id": "sub000000002", "channel": "webhook",
            "address": "https://hooks.example.com/noroshi", "language": "en",
            "confirmed_at": T0, "unsubscribed_at": T3, "consent_at": T0, "consent_ip": None,
            "consent_source": "api", "secret": "w" * 43, "created_at": T0, "updated_at": T3,
        },
        {
            **base, "public_id": "sub000000003", "channel": "sms", "address": "+819012345678",
            "language": "ja", "confirmed_at": None, "unsubscribed_at": None, "consent_at": T2,
            "consent_ip": "198.51.100.4", "consent_source": "page",
            "confirmation_code_hash": "pbkdf2_sha256$1$salt$hash", "confirmation_sent_at": T2,
            "confirmation_attempts": 1, "secret": "m" * 43, "created_at": T2,
            "updated_at": T2, "incident": "inc000000001",
        },
    ]  # fmt: skip


def page_document() -> dict:
    """A fresh copy of the document (tests change theirs)."""
    return copy.deepcopy(
        {
            "format": "noroshi-page",
            "version": 1,
            "exported_at": T4,
            "page": {
                "public_id": "page00000001", "name": "Hoshizora Cloud", "name_ja": "ホシゾラ",
                "url": "https://status.example.com", "time_zone": "Asia/Tokyo",
                "support_email": "support@example.com", "support_url": "",
                "update_reminder_minutes": 45,
                "team_slack_webhook_url": "https://hooks.slack.com/services/T0/B0/secret",
                "brand_colour": "#6f42c1", "brand_colour_dark": "",
                "header_links": [
                    {"label": "Home", "label_ja": "ホーム", "url": "https://example.com"},
                ],
                "footer_links": [
                    {"label": "Privacy", "label_ja": "", "url": "https://example.com/privacy"},
                ],
                "created_at": "2026-01-01T00:00:00.000000Z", "updated_at": T0,
                "logo": {
                    "content_type": "image/svg+xml",
                    "base64": base64.b64encode(LOGO).decode("ascii"),
                },
            },
            "component_groups": [
                {
                    "public_id": "grp000000001", "name": "Platform", "name_ja": "基盤",
                    "description": "", "description_ja": "", "position": 1,
                    "created_at": "2026-01-01T00:00:00.000000Z",
                    "updated_at": "2026-01-01T00:00:00.000000Z",
                },
            ],
            "components": [
                {
                    "public_id": "cmp000000001", "name": "API", "name_ja": "API",
                    "description": "The REST API.", "description_ja": "REST API です。",
                    "position": 1, "status": "operational", "showcase": True,
                    "only_show_if_degraded": False, "start_date": "2026-01-01",
                    "created_at": "2026-01-01T00:00:00.000000Z", "updated_at": T2,
                    "archived_at": None, "group": "grp000000001",
                },
                {
                    "public_id": "cmp000000002", "name": "Legacy dashboard", "name_ja": "",
                    "description": "", "description_ja": "", "position": 2,
                    "status": "operational", "showcase": False, "only_show_if_degraded": False,
                    "start_date": None, "created_at": "2026-01-01T00:00:00.000000Z",
                    "updated_at": T3, "archived_at": T3, "group": None,
                },
            ],
            "incidents": incidents(),
            "component_status_changes": status_changes(),
            "update_templates": [
                {
                    "name": "Investigating", "kind": "incident", "status": "investigating",
                    "title": "Elevated errors", "title_ja": "エラーの増加",
                    "body": "We are looking into it.", "body_ja": "調査中です。",
                },
            ],
            "postmortems": [postmortem()],
            "recovery_actions": [
                {
                    "public_id": "act000000001", "kind": "prevent", "title": "Canary deploys",
                    "title_ja": "カナリアリリース", "description": "", "due_on": "2026-04-01",
                    "priority": "high", "state": "done", "wont_do_reason": "",
                    "tracker_url": "https://tracker.example.com/42", "public": True,
                    "completed_at": T4, "last_chased_on": "2026-03-02", "created_at": T3,
                    "updated_at": T4, "incident": "inc000000001", "owner": "kenji",
                    "created_by": "aiko", "components": ["cmp000000001"],
                },
            ],
            "alert_integrations": [
                {
                    "name": "Prometheus", "kind": "alertmanager", "token_prefix": "abcd1234",
                    "token_digest": "0" * 64, "component_status": "major_outage",
                    "auto_publish_minutes": None, "enabled": True, "created_at": T0,
                    "updated_at": T0, "created_by": "aiko",
                    "rules": [{"label": "service", "value": "api", "component": "cmp000000001"}],
                },
            ],
            "audit_log": [
                {
                    "actor_name": "aiko", "action": "declare", "object_type": "incident",
                    "object_id": "inc000000001", "object_repr": "Elevated API errors",
                    "summary": "Elevated API errors", "changes": {}, "source": "console",
                    "address": "192.0.2.10", "created_at": T0, "actor": "aiko",
                },
                {
                    "actor_name": "former-member", "action": "edit", "object_type": "component",
                    "object_id": "cmp000000002", "object_repr": "Database",
                    "summary": "name", "changes": {"name": ["DB", "Database"]},
                    "source": "api key nrs_ab12", "address": None, "created_at": T1,
                    "actor": None,
                },
            ],
            "subscribers": subscribers(),
            "people": [
                {"username": "aiko", "first_name": "Aiko", "last_name": "Sato",
                 "email": "aiko@example.com"},
                {"username": "kenji", "first_name": "Kenji", "last_name": "",
                 "email": "kenji@example.com"},
            ],
        }
    )  # fmt: skip
