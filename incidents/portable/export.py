"""Write the whole page out as one JSON document (format "noroshi-page", version 1).

Reads only, except the one audit row that says the page was exported (it holds every
subscriber's address). Rows are listed in the order they were written (by primary key), and an
import writes them in that order again, so exporting the imported page gives the same document.
"""

from django.db import connection, transaction
from django.db.models import Prefetch
from django.utils import timezone

from incidents import selectors
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
from incidents.portable.document import FORMAT, VERSION, row_of, sections, stamp
from incidents.portable.fields import PLAIN_FIELDS
from incidents.portable.page_logo import logo_row
from incidents.portable.people import People
from incidents.services.audit import record_audit


def public_id_of(obj) -> str | None:
    return obj.public_id if obj is not None else None


def public_ids(objects) -> list[str]:
    return sorted(obj.public_id for obj in objects)


def plain(obj) -> dict:
    return row_of(obj, PLAIN_FIELDS[type(obj)])


class PageWriter:
    """One export: the people it names are collected as the rows are written."""

    def __init__(self) -> None:
        self.people = People()
        # A timeline entry names the status change it was prefilled from by its place in
        # the document's list of status changes (they have no public id).
        self.change_index: dict[int, int] = {}

    def document(self) -> dict:
        body = {
            "page": self.page(),
            "component_groups": [plain(g) for g in ComponentGroup.objects.order_by("pk")],
            "components": self.components(),
            "incidents": self.incidents(),
            "component_status_changes": self.status_changes(),
            "update_templates": [plain(t) for t in UpdateTemplate.objects.order_by("pk")],
            "postmortems": self.postmortems(),
            "recovery_actions": self.recovery_actions(),
            "alert_integrations": self.alert_integrations(),
            "audit_log": self.audit_log(),
        }
        extra = {section.name: section.export() for section in sections()}
        header = {"format": FORMAT, "version": VERSION, "exported_at": stamp(timezone.now())}
        return {**header, **body, **extra, "people": self.people.rows()}

    def page(self) -> dict:
        page = selectors.page_settings()
        return {**plain(page), "logo": logo_row(page)}

    def components(self) -> list[dict]:
        rows = Component.objects.select_related("group").order_by("pk")
        return [{**plain(c), "group": public_id_of(c.group)} for c in rows]

    def incidents(self) -> list[dict]:
        updates = IncidentUpdate.objects.select_related("author").order_by("pk")
        rows = (
            Incident.objects.select_related("created_by")
            .prefetch_related(
                "components",
                Prefetch("updates", queryset=updates),
                "updates__affected_components__component",
            )
            .order_by("pk")
        )
        return [
            {
                **plain(incident),
                "created_by": self.people.name(incident.created_by),
                "components": public_ids(incident.components.all()),
                "updates": [self.update(update) for update in incident.updates.all()],
            }
            for incident in rows
        ]

    def update(self, update: IncidentUpdate) -> dict:
        statuses = sorted(update.affected_components.all(), key=lambda row: row.pk)
        return {
            **plain(update),
            "author": self.people.name(update.author),
            "components": [
                {
                    "component": row.component.public_id,
                    "old_status": row.old_status,
                    "new_status": row.new_status,
                }
                for row in statuses
            ],
        }

    def status_changes(self) -> list[dict]:
        rows = ComponentStatusChange.objects.select_related(
            "component", "incident_update", "actor"
        ).order_by("pk")
        listed = []
        for index, change in enumerate(rows):
            self.change_index[change.pk] = index
            listed.append(
                {
                    **plain(change),
                    "component": change.component.public_id,
                    "incident_update": public_id_of(change.incident_update),
                    "actor": self.people.name(change.actor),
                }
            )
        return listed

    def postmortems(self) -> list[dict]:
        entries = PostMortemTimelineEntry.objects.select_related("incident_update").order_by("pk")
        rows = (
            PostMortem.objects.select_related("incident", "author", "submitted_by", "reviewed_by")
            .prefetch_related(Prefetch("timeline_entries", queryset=entries))
            .order_by("pk")
        )
        return [
            {
                **plain(pm),
                "incident": pm.incident.public_id,
                "author": self.people.name(pm.author),
                "submitted_by": self.people.name(pm.submitted_by),
                "reviewed_by": self.people.name(pm.reviewed_by),
                "timeline": [self.timeline_entry(entry) for entry in pm.timeline_entries.all()],
            }
            for pm in rows
        ]

    def timeline_entry(self, entry: PostMortemTimelineEntry) -> dict:
        change = self.change_index.get(entry.status_change_id) if entry.status_change_id else None
        return {
            **plain(entry),
            "incident_update": public_id_of(entry.incident_update),
            "status_change": change,
        }

    def recovery_actions(self) -> list[dict]:
        rows = (
            RecoveryAction.objects.select_related("incident", "owner", "created_by")
            .prefetch_related("components")
            .order_by("pk")
        )
        return [
            {
                **plain(action),
                "incident": action.incident.public_id,
                "owner": self.people.name(action.owner),
                "created_by": self.people.name(action.created_by),
                "components": public_ids(action.components.all()),
            }
            for action in rows
        ]

    def alert_integrations(self) -> list[dict]:
        rows = (
            AlertIntegration.objects.select_related("created_by")
            .prefetch_related("rules__component")
            .order_by("pk")
        )
        return [
            {
                **plain(integration),
                "created_by": self.people.name(integration.created_by),
                "rules": [
                    {"label": r.label, "value": r.value, "component": r.component.public_id}
                    for r in sorted(integration.rules.all(), key=lambda rule: rule.pk)
                ],
            }
            for integration in rows
        ]

    def audit_log(self) -> list[dict]:
        rows = AuditEntry.objects.select_related("actor").order_by("pk")
        return [{**plain(entry), "actor": self.people.name(entry.actor)} for entry in rows]


def export_page(*, actor=None) -> dict:
    """The whole page as a portable document (see docs/operations.md, "Moving house"):
    settings, components and groups with their status history, incidents and maintenance
    with every update, templates, post-mortems, recovery actions, alert integrations, the
    audit log and what other apps add (notify: subscribers with their consent records).

    Read in one transaction, so the document is one moment of the page; the export is
    audited in it (the document holds every subscriber's address).
    """
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            # One snapshot for every query of the export (read committed would let a write
            # that commits between two of them show in one list and not another).
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        document = PageWriter().document()
        counts = ", ".join(
            f"{len(rows)} {name}" for name, rows in document.items() if isinstance(rows, list)
        )
        record_audit(actor=actor, action="export_page", target=PageSettings, summary=counts)
    return document
