"""Which fields of each model travel in a page document as they are (times, texts, flags,
numbers, choices). References to other rows (public ids, user names, positions in a list) are
written and read by incidents/portable/export.py and load.py beside these."""

from incidents.models import (
    AlertIntegration,
    AuditEntry,
    Component,
    ComponentGroup,
    ComponentStatusChange,
    Incident,
    IncidentUpdate,
    PageSettings,
    PostMortem,
    PostMortemTimelineEntry,
    RecoveryAction,
    UpdateTemplate,
)
from incidents.models.postmortems import SECTIONS

PLAIN_FIELDS: dict[type, tuple[str, ...]] = {
    PageSettings: (
        "public_id", "name", "name_ja", "url", "time_zone", "support_email", "support_url",
        "update_reminder_minutes", "team_slack_webhook_url", "brand_colour",
        "brand_colour_dark", "header_links", "footer_links", "created_at", "updated_at",
    ),
    ComponentGroup: (
        "public_id", "name", "name_ja", "description", "description_ja", "position",
        "created_at", "updated_at",
    ),
    Component: (
        "public_id", "name", "name_ja", "description", "description_ja", "position", "status",
        "showcase", "only_show_if_degraded", "start_date", "created_at", "updated_at",
        "archived_at",
    ),
    ComponentStatusChange: ("old_status", "new_status", "source", "created_at"),
    Incident: (
        "public_id", "kind", "name", "name_ja", "status", "impact", "impact_override",
        "backfilled", "started_at", "monitoring_at", "resolved_at", "scheduled_for",
        "scheduled_until", "auto_start", "auto_complete", "set_components_under_maintenance",
        "remind_minutes_before", "reminded_at", "silence_reminded_for", "draft_state",
        "published_at", "created_at", "updated_at",
    ),
    IncidentUpdate: (
        "public_id", "status", "body", "body_ja", "display_at", "deliver_notifications",
        "created_at", "updated_at", "edited_at",
    ),
    UpdateTemplate: ("name", "kind", "status", "title", "title_ja", "body", "body_ja"),
    PostMortem: (
        "public_id", "status",
        *(name for section in SECTIONS for name in (section, f"{section}_ja")),
        "detection_method", "impact_started_at", "detected_at", "notify_subscribers",
        "submitted_at", "reviewed_at", "published_at", "created_at", "updated_at",
    ),
    PostMortemTimelineEntry: ("occurred_at", "text", "text_ja", "created_at", "updated_at"),
    RecoveryAction: (
        "public_id", "kind", "title", "title_ja", "description", "due_on", "priority", "state",
        "wont_do_reason", "tracker_url", "public", "completed_at", "last_chased_on",
        "created_at", "updated_at",
    ),
    # The token's prefix and digest (never the token): monitoring keeps posting to the same
    # address after the move.
    AlertIntegration: (
        "name", "kind", "token_prefix", "token_digest", "component_status",
        "auto_publish_minutes", "enabled", "created_at", "updated_at",
    ),
    AuditEntry: (
        "actor_name", "action", "object_type", "object_id", "object_repr", "summary", "changes",
        "source", "address", "created_at",
    ),
}  # fmt: skip

# Fields the format gained after its first documents were written (version 1 still): a document
# without them is read with the model's default (reminders every 30 minutes, no team webhook,
# no reminder sent yet, no brand colour or links). The page's logo, written beside these
# (incidents/portable/page_logo.py), may be absent too: no logo.
ADDED_FIELDS: dict[type, tuple[str, ...]] = {
    PageSettings: (
        "update_reminder_minutes",
        "team_slack_webhook_url",
        "brand_colour",
        "brand_colour_dark",
        "header_links",
        "footer_links",
    ),
    Incident: ("silence_reminded_for",),
    AuditEntry: ("object_repr", "changes", "source", "address"),
}
