"""Bring a page over from Atlassian Statuspage, from its public /api/v2 JSON
(incidents/portable/statuspage_files.py reads it): components and groups with their statuses and
positions, incidents and maintenance with every update, the components each update changed,
and the status history those changes make.

Statuspage's ids become the public ids (they have the same shape), so the incidents keep their
ids and an import finds what an earlier one wrote: importing the same files again writes
nothing; importing newer files adds what is new (components, incidents, updates) and brings
the statuses up to date. Nothing is announced. One transaction, one audit row when anything
was written.
"""

from collections import Counter, defaultdict
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction

from incidents.changes import page_changed_on_commit
from incidents.choices import (
    IMPACT_OF_COMPONENT_STATUS,
    IMPACT_SEVERITY,
    Impact,
    IncidentKind,
    IncidentStatus,
    StatusChangeSource,
)
from incidents.models import (
    Component,
    ComponentGroup,
    ComponentStatusChange,
    Incident,
    IncidentUpdate,
    IncidentUpdateComponent,
    PageSettings,
    validate_time_zone,
)
from incidents.portable.document import PortableError
from incidents.portable.statuspage_files import SpComponent, SpIncident, SpPage, SpUpdate
from incidents.services.audit import record_audit


def peak_impact(updates: list[SpUpdate]) -> str:
    impacts = [IMPACT_OF_COMPONENT_STATUS[new] for u in updates for _, _, new in u.affected]
    return max(impacts, key=IMPACT_SEVERITY.__getitem__, default=Impact.NONE)


class StatuspageImport:
    """One import: the rows found or written for each Statuspage id, and what was added."""

    def __init__(self, page: SpPage) -> None:
        self.page = page
        self.groups: dict[str, ComponentGroup] = {}
        self.components: dict[str, Component] = {}
        self.new_components: set[str] = set()
        # Per component id: (time, old, new, update) of every change a new update made.
        self.changes: dict[str, list[tuple[datetime, str, str, IncidentUpdate]]] = defaultdict(list)
        self.counts: Counter = Counter()

    def run(self) -> Counter:
        self.adopt_page_settings()
        known = dict(self.page.components)
        for incident in self.page.incidents.values():
            for component in incident.components:
                known.setdefault(component.id, component)
        for component in known.values():
            if component.is_group:
                self.ensure_group(component)
        for component in known.values():
            if not component.is_group:
                self.ensure_component(component)
        # Oldest first, so that the rows (and their primary keys) follow the page's history.
        for incident in sorted(self.page.incidents.values(), key=lambda i: i.created_at):
            self.ensure_incident(incident)
        for component_id, row in self.components.items():
            self.write_history(row, known[component_id])
        return +self.counts

    def adopt_page_settings(self) -> None:
        """A fresh page takes the Statuspage page's id (/api/v2 keeps answering with it), name
        and time zone; a page that has components or incidents keeps its own."""
        if Component.objects.exists() or Incident.objects.exists() or not self.page.id:
            return
        changes = {"public_id": self.page.id, "name": self.page.name[:100]}
        try:
            validate_time_zone(self.page.time_zone)
            changes["time_zone"] = self.page.time_zone
        except ValidationError:
            pass  # an unknown zone leaves the page's own
        PageSettings.objects.update_or_create(id=1, defaults=changes)
        self.counts["page settings"] += 1

    def ensure_group(self, sp: SpComponent) -> None:
        group = ComponentGroup.objects.filter(public_id=sp.id).first()
        if group is None:
            refuse_taken(ComponentGroup.objects.filter(name=sp.name), f"A group “{sp.name}”")
            group = ComponentGroup.objects.create(
                public_id=sp.id,
                name=sp.name,
                description=sp.description,
                position=sp.position,
                created_at=sp.created_at,
                updated_at=sp.updated_at,
            )
            self.counts["groups"] += 1
        self.groups[sp.id] = group

    def ensure_component(self, sp: SpComponent) -> None:
        component = Component.objects.filter(public_id=sp.id).first()
        if component is None:
            group = self.groups.get(sp.group_id) if sp.group_id else None
            same_name = Component.objects.filter(group=group, name=sp.name, archived_at=None)
            refuse_taken(same_name, f"A component “{sp.name}”")
            component = Component.objects.create(
                public_id=sp.id,
                group=group,
                name=sp.name,
                description=sp.description,
                position=sp.position,
                status=sp.status,
                showcase=sp.showcase,
                only_show_if_degraded=sp.only_show_if_degraded,
                start_date=sp.start_date,
                created_at=sp.created_at,
                updated_at=sp.updated_at,
            )
            self.new_components.add(sp.id)
            self.counts["components"] += 1
        self.components[sp.id] = component

    def ensure_incident(self, sp: SpIncident) -> None:
        incident = Incident.objects.filter(public_id=sp.id).first()
        known = set(
            IncidentUpdate.objects.filter(incident=incident).values_list("public_id", flat=True)
        )
        new_updates = [u for u in sp.updates if u.id not in known]
        if incident is not None and not new_updates:
            return
        fields = incident_fields(sp, peak_impact(sp.updates))
        if incident is None:
            incident = Incident.objects.create(public_id=sp.id, **fields)
            self.counts["maintenances" if sp.is_maintenance else "incidents"] += 1
        else:
            for name, value in fields.items():
                setattr(incident, name, value)
            incident.save(update_fields=list(fields))
        ids = {c.id for c in sp.components} | {
            code for u in sp.updates for code, _, _ in u.affected
        }
        incident.components.add(*[self.components[i] for i in sorted(ids) if i in self.components])
        for update in sorted(new_updates, key=lambda u: (u.display_at, u.created_at)):
            self.write_update(incident, update)

    def write_update(self, incident: Incident, sp: SpUpdate) -> None:
        update = IncidentUpdate.objects.create(
            public_id=sp.id,
            incident=incident,
            status=sp.status,
            body=sp.body,
            display_at=sp.display_at,
            deliver_notifications=sp.deliver_notifications,
            created_at=sp.created_at,
            updated_at=sp.updated_at,
        )
        rows, seen = [], set()
        for code, old, new in sp.affected:
            if code not in self.components:
                # Named by its id alone, nowhere described: there is no component to make.
                self.counts["statuses of unknown components left out"] += 1
                continue
            if code in seen:
                continue
            seen.add(code)
            rows.append(
                IncidentUpdateComponent(
                    update=update, component=self.components[code], old_status=old, new_status=new
                )
            )
            if old != new:
                self.changes[code].append((sp.display_at, old, new, update))
        IncidentUpdateComponent.objects.bulk_create(rows)
        self.counts["updates"] += 1

    def write_history(self, component: Component, sp: SpComponent) -> None:
        """The status history the new updates tell of `component`: for a new component, its
        first status (the one the earliest change started from); each change at its update's
        time; and a last row to the status the files give it now, if the changes end elsewhere."""
        source = StatusChangeSource.INCIDENT_UPDATE
        changes = sorted(self.changes.get(sp.id, []), key=lambda change: change[0])
        rows = []
        if sp.id in self.new_components:
            first = changes[0][1] if changes else sp.status
            rows.append(
                self.history_row(component, "", first, StatusChangeSource.CREATED, sp.created_at)
            )
        for at, old, new, update in changes:
            maintenance = update.incident.kind == IncidentKind.MAINTENANCE
            kind = StatusChangeSource.MAINTENANCE if maintenance else source
            rows.append(self.history_row(component, old, new, kind, at, update))
        last = rows[-1].new_status if rows else component.status
        if last != sp.status:
            at = max(sp.updated_at, changes[-1][0]) if changes else sp.updated_at
            rows.append(
                self.history_row(component, last, sp.status, StatusChangeSource.BACKFILL, at)
            )
        ComponentStatusChange.objects.bulk_create(rows)
        if component.status != sp.status:
            component.status, component.updated_at = sp.status, sp.updated_at
            component.save(update_fields=["status", "updated_at"])
        self.counts["status changes"] += len(rows)

    @staticmethod
    def history_row(component, old, new, source, at, update=None) -> ComponentStatusChange:
        return ComponentStatusChange(
            component=component,
            old_status=old,
            new_status=new,
            source=source,
            incident_update=update,
            created_at=at,
        )


def refuse_taken(rows, what: str) -> None:
    taken = rows.first()
    if taken is not None:
        raise PortableError(
            f"{what} is on this page already (id {taken.public_id}), not imported from this "
            "Statuspage page: rename one of them and import again."
        )


def incident_fields(sp: SpIncident, peak: str) -> dict:
    """An incident's (or maintenance's) fields as the files give them now. Statuspage's
    "postmortem" status is written "resolved": its post-mortem text is not in the public JSON,
    and on Noroshi that status means a published post-mortem."""
    status = sp.status
    if status == IncidentStatus.POSTMORTEM:
        status = IncidentStatus.RESOLVED
    impact = peak if sp.is_maintenance else sp.impact
    return {
        "kind": IncidentKind.MAINTENANCE if sp.is_maintenance else IncidentKind.INCIDENT,
        "name": sp.name[:200],
        "status": status,
        "impact": impact,
        "impact_override": "" if impact == peak else impact,
        "started_at": sp.scheduled_for if sp.is_maintenance else sp.started_at,
        "monitoring_at": sp.monitoring_at,
        "resolved_at": sp.resolved_at,
        "scheduled_for": sp.scheduled_for,
        "scheduled_until": sp.scheduled_until,
        "created_at": sp.created_at,
        "updated_at": sp.updated_at,
    }


def import_statuspage(page: SpPage, *, actor=None) -> Counter:
    """Write what `page` holds that this page does not have yet; return what was added (empty:
    nothing was). One transaction: a conflict (a group or component of the same name that
    another import did not write) raises PortableError and writes nothing. Nothing is
    announced; the public page is rebuilt once committed; one audit row when anything was
    added."""
    try:
        with transaction.atomic():
            page_changed_on_commit()
            counts = StatuspageImport(page).run()
            if counts:
                summary = ", ".join(f"{n} {what}" for what, n in counts.items())
                record_audit(
                    actor=actor,
                    action="import_statuspage",
                    target=Incident,
                    summary=f"from Statuspage page {page.id}: {summary}",
                )
    except (DataError, IntegrityError) as error:
        raise PortableError(f"The files do not fit this database: {error}") from error
    return counts
