"""Read a page document back into an empty page (the import's side of export.py).

Rows are written as they were, with their public ids, times and states: nothing is announced,
nothing is stamped with the present, and no service that would start work (a notification, a
reminder, a status change of its own) is called. The caller holds the transaction.
"""

from collections import Counter

from django.core.exceptions import ValidationError

from incidents.address_checks import checked_slack_webhook_url
from incidents.models import (
    AlertIntegration,
    AlertRule,
    AuditEntry,
    Component,
    ComponentGroup,
    ComponentStatusChange,
    Incident,
    IncidentUpdate,
    IncidentUpdateComponent,
    PageSettings,
    PostMortem,
    PostMortemTimelineEntry,
    RecoveryAction,
    UpdateTemplate,
)
from incidents.portable.document import Fields
from incidents.portable.fields import ADDED_FIELDS, PLAIN_FIELDS
from incidents.portable.page_logo import logo_values
from incidents.portable.people import People


def values(model: type, fields: Fields) -> dict:
    """The plain fields of one row; a field added to the format after a document was written
    (ADDED_FIELDS) may be absent from it, and takes the model's default."""
    added = ADDED_FIELDS.get(model, ())
    names = tuple(name for name in PLAIN_FIELDS[model] if name not in added or name in fields.row)
    return fields.values_for(model, names)


def link_many(relation, pairs: list[tuple[int, int]], left: str, right: str) -> None:
    """Write the rows of a many-to-many `relation` (its through model) at once."""
    through = relation.through
    through.objects.bulk_create([through(**{left: a, right: b}) for a, b in pairs])


class PageReader:
    """One import: what each public id (and each person's user name) became in this database."""

    def __init__(self, top: Fields) -> None:
        self.top = top
        self.people = People()
        self.groups: dict[str, ComponentGroup] = {}
        self.components: dict[str, Component] = {}
        self.incidents: dict[str, Incident] = {}
        self.updates: dict[str, IncidentUpdate] = {}
        self.changes: list[ComponentStatusChange] = []
        self.counts: Counter = Counter()

    def load(self) -> Counter:
        self.people.load(self.top.rows("people"))
        self.load_page()
        self.load_groups()
        self.load_components()
        self.load_incidents()
        self.load_status_changes()
        self.load_templates()
        self.load_postmortems()
        self.load_recovery_actions()
        self.load_alert_integrations()
        self.load_audit_log()
        self.counts["people_added"] = self.people.added
        return self.counts

    def found(self, table: dict, fields: Fields, key: str, *, null: bool = False):
        """The row a public id under `key` names, among those this import wrote."""
        public_id = fields.text_or_none(key) if null else fields.text(key)
        if public_id is None:
            return None
        if public_id not in table:
            raise fields.fail(key, f"“{public_id}” is not in the document.")
        return table[public_id]

    def load_page(self) -> None:
        """Replace the page settings with the document's, checked as the console checks them
        (a brand colour's contrast, the links' addresses, the logo: page_logo)."""
        fields = Fields(self.top.raw("page"), "document.page")
        page = PageSettings(id=1, **values(PageSettings, fields), **logo_values(fields))
        try:
            page.full_clean(validate_unique=False, validate_constraints=False)
            if page.team_slack_webhook_url:  # posted to by the reminders: notify's SSRF guard
                checked_slack_webhook_url(
                    page.team_slack_webhook_url, field="team_slack_webhook_url"
                )
        except ValidationError as error:
            name, messages = next(iter(error.message_dict.items()))
            raise fields.fail(name, " ".join(messages)) from None
        stored = {f.name: getattr(page, f.name) for f in PageSettings._meta.concrete_fields}
        PageSettings.objects.update_or_create(id=1, defaults=stored)

    def load_groups(self) -> None:
        rows = [
            ComponentGroup(**values(ComponentGroup, f)) for f in self.top.rows("component_groups")
        ]
        self.groups = {g.public_id: g for g in ComponentGroup.objects.bulk_create(rows)}
        self.counts["component_groups"] = len(rows)

    def load_components(self) -> None:
        rows = [
            Component(**values(Component, f), group=self.found(self.groups, f, "group", null=True))
            for f in self.top.rows("components")
        ]
        self.components = {c.public_id: c for c in Component.objects.bulk_create(rows)}
        self.counts["components"] = len(rows)

    def load_incidents(self) -> None:
        listed = self.top.rows("incidents")
        incidents = Incident.objects.bulk_create(
            [
                Incident(**values(Incident, f), created_by=self.people.user(f, "created_by"))
                for f in listed
            ]
        )
        self.incidents = {incident.public_id: incident for incident in incidents}
        link_many(
            Incident.components,
            self.component_pairs(incidents, listed),
            "incident_id",
            "component_id",
        )
        self.counts["incidents"] = len(incidents)
        self.load_updates(incidents, listed)

    def component_pairs(self, owners, listed: list[Fields]) -> list[tuple[int, int]]:
        """(owner, component) primary keys for each row's list of component public ids."""
        return [
            (owner.pk, self.component_named(f, public_id).pk)
            for owner, f in zip(owners, listed, strict=True)
            for public_id in f.texts("components")
        ]

    def component_named(self, fields: Fields, public_id: str) -> Component:
        if public_id not in self.components:
            raise fields.fail("components", f"“{public_id}” is not in the document.")
        return self.components[public_id]

    def load_updates(self, incidents: list[Incident], listed: list[Fields]) -> None:
        pending: list[tuple[IncidentUpdate, Fields]] = []
        for incident, fields in zip(incidents, listed, strict=True):
            for f in fields.rows("updates"):
                update = IncidentUpdate(
                    **values(IncidentUpdate, f),
                    incident=incident,
                    author=self.people.user(f, "author"),
                )
                pending.append((update, f))
        made = IncidentUpdate.objects.bulk_create([update for update, _ in pending])
        self.updates = {update.public_id: update for update in made}
        IncidentUpdateComponent.objects.bulk_create(
            [
                IncidentUpdateComponent(
                    update=update,
                    component=self.found(self.components, row, "component"),
                    old_status=row.value_for(IncidentUpdateComponent, "old_status"),
                    new_status=row.value_for(IncidentUpdateComponent, "new_status"),
                )
                for update, f in pending
                for row in f.rows("components")
            ]
        )
        self.counts["incident_updates"] = len(made)

    def load_status_changes(self) -> None:
        rows = [
            ComponentStatusChange(
                **values(ComponentStatusChange, f),
                component=self.found(self.components, f, "component"),
                incident_update=self.found(self.updates, f, "incident_update", null=True),
                actor=self.people.user(f, "actor"),
            )
            for f in self.top.rows("component_status_changes")
        ]
        self.changes = ComponentStatusChange.objects.bulk_create(rows)
        self.counts["component_status_changes"] = len(rows)

    def load_templates(self) -> None:
        rows = [
            UpdateTemplate(**values(UpdateTemplate, f)) for f in self.top.rows("update_templates")
        ]
        UpdateTemplate.objects.bulk_create(rows)
        self.counts["update_templates"] = len(rows)

    def load_postmortems(self) -> None:
        listed = self.top.rows("postmortems")
        postmortems = PostMortem.objects.bulk_create(
            [
                PostMortem(
                    **values(PostMortem, f),
                    incident=self.found(self.incidents, f, "incident"),
                    author=self.people.user(f, "author"),
                    submitted_by=self.people.user(f, "submitted_by"),
                    reviewed_by=self.people.user(f, "reviewed_by"),
                )
                for f in listed
            ]
        )
        PostMortemTimelineEntry.objects.bulk_create(
            [
                PostMortemTimelineEntry(
                    **values(PostMortemTimelineEntry, entry),
                    postmortem=postmortem,
                    incident_update=self.found(self.updates, entry, "incident_update", null=True),
                    status_change=self.change_at(entry),
                )
                for postmortem, f in zip(postmortems, listed, strict=True)
                for entry in f.rows("timeline")
            ]
        )
        self.counts["postmortems"] = len(postmortems)

    def change_at(self, entry: Fields) -> ComponentStatusChange | None:
        index = entry.number_or_none("status_change")
        if index is None:
            return None
        if index >= len(self.changes):
            raise entry.fail("status_change", f"there is no status change number {index}.")
        return self.changes[index]

    def load_recovery_actions(self) -> None:
        listed = self.top.rows("recovery_actions")
        actions = RecoveryAction.objects.bulk_create(
            [
                RecoveryAction(
                    **values(RecoveryAction, f),
                    incident=self.found(self.incidents, f, "incident"),
                    owner=self.people.user(f, "owner"),
                    created_by=self.people.user(f, "created_by"),
                )
                for f in listed
            ]
        )
        link_many(
            RecoveryAction.components,
            self.component_pairs(actions, listed),
            "recoveryaction_id",
            "component_id",
        )
        self.counts["recovery_actions"] = len(actions)

    def load_alert_integrations(self) -> None:
        listed = self.top.rows("alert_integrations")
        integrations = AlertIntegration.objects.bulk_create(
            [
                AlertIntegration(
                    **values(AlertIntegration, f), created_by=self.people.user(f, "created_by")
                )
                for f in listed
            ]
        )
        AlertRule.objects.bulk_create(
            [
                AlertRule(
                    integration=integration,
                    label=rule.text("label"),
                    value=rule.text("value"),
                    component=self.found(self.components, rule, "component"),
                )
                for integration, f in zip(integrations, listed, strict=True)
                for rule in f.rows("rules")
            ]
        )
        self.counts["alert_integrations"] = len(integrations)

    def load_audit_log(self) -> None:
        rows = [
            AuditEntry(**values(AuditEntry, f), actor=self.people.user(f, "actor"))
            for f in self.top.rows("audit_log")
        ]
        AuditEntry.objects.bulk_create(rows)
        self.counts["audit_log"] = len(rows)
