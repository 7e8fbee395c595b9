"""The on-call console: declaring, updating, resolving and reopening incidents in the admin.

Forms are filled the way a browser fills them: the page is fetched, what its form would
submit untouched is read from the HTML, a few fields are changed, and that is posted.
"""

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from incidents import selectors, services
from incidents.models import (
    AuditEntry,
    ComponentStatusChange,
    Incident,
    IncidentUpdate,
    IncidentUpdateComponent,
)
from tests.factories import UpdateTemplateFactory

pytestmark = pytest.mark.django_db

INCIDENTS_URL = "/admin/incidents/incident/"
DECLARE_URL = f"{INCIDENTS_URL}add/"
RESOLVED_MESSAGE = "This incident is resolved; reopen it to post another update."


class BrowserForm(HTMLParser):
    """What a browser submits from one untouched form of a page (no button pressed)."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.data: dict[str, list[str]] = {}
        self.select: dict | None = None
        self.textarea: list | None = None

    def add(self, name: str | None, value: str) -> None:
        if name:
            self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        elif not self.inside or "disabled" in attrs:
            return
        elif tag == "input":
            self.handle_input(attrs)
        elif tag == "select":
            self.select = {"name": attrs.get("name"), "multiple": "multiple" in attrs}
            self.select |= {"first": None, "selected": []}
        elif tag == "option" and self.select is not None:
            value = attrs.get("value", "")
            self.select["first"] = self.select["first"] if self.select["first"] else [value]
            if "selected" in attrs:
                self.select["selected"].append(value)
        elif tag == "textarea":
            self.textarea = [attrs.get("name"), ""]

    def handle_input(self, attrs: dict) -> None:
        kind = attrs.get("type", "text")
        if kind in {"submit", "button", "image", "reset", "file"}:
            return
        if kind in {"checkbox", "radio"}:
            if "checked" in attrs:
                self.add(attrs.get("name"), attrs.get("value") or "on")
            return
        self.add(attrs.get("name"), attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select is not None:
            chosen = self.select["selected"]
            if not chosen and not self.select["multiple"]:
                chosen = self.select["first"] or []
            for value in chosen:
                self.add(self.select["name"], value)
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            # A browser drops the newline that follows <textarea>.
            self.add(self.textarea[0], self.textarea[1].removeprefix("\n"))
            self.textarea = None

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data


def form_data(response, form_id: str) -> dict:
    """The data the page's form would submit untouched (lists for repeated names)."""
    assert response.status_code == 200, response.status_code
    parser = BrowserForm(form_id)
    parser.feed(response.content.decode())
    assert parser.data, f"no form #{form_id} on the page"
    return {name: values[0] if len(values) == 1 else values for name, values in parser.data.items()}


def component_field(component) -> str:
    return f"component_{component.pk}"


def change_url(incident) -> str:
    return f"{INCIDENTS_URL}{incident.pk}/change/"


def row_counts() -> dict[str, int]:
    models = (Incident, IncidentUpdate, IncidentUpdateComponent, ComponentStatusChange, AuditEntry)
    return {model.__name__: model.objects.count() for model in models}


def form_errors(response) -> dict:
    return response.context["adminform"].form.errors


@pytest.fixture
def oncall_client(client, oncall):
    client.force_login(oncall)
    return client


def declare_through_admin(client, components) -> Incident:
    data = form_data(client.get(DECLARE_URL), "incident_form")
    data |= {
        "name": "API and web are down",
        "body": "We are investigating errors on the API and the web app.",
        component_field(components["API"]): "major_outage",
        component_field(components["Web"]): "major_outage",
    }
    response = client.post(DECLARE_URL, data)
    assert response.status_code == 302, form_errors(response)
    return Incident.objects.get()


def test_declaring_through_the_admin_sets_the_components_and_the_page_status(
    oncall_client, oncall, components
):
    assert ComponentStatusChange.objects.count() == 3  # one "created" row per component

    incident = declare_through_admin(oncall_client, components)

    assert Incident.objects.count() == 1
    assert IncidentUpdate.objects.count() == 1
    update = IncidentUpdate.objects.get()
    assert (update.status, update.deliver_notifications, update.author) == (
        "investigating",
        True,
        oncall,
    )
    changes = ComponentStatusChange.objects.exclude(source="created").order_by("component__name")
    assert [
        (c.component.name, c.old_status, c.new_status, c.source, c.incident_update_id)
        for c in changes
    ] == [
        ("API", "operational", "major_outage", "incident_update", update.pk),
        ("Web", "operational", "major_outage", "incident_update", update.pk),
    ]
    for component in components.values():
        component.refresh_from_db()
    assert {c.name: c.status for c in components.values()} == {
        "API": "major_outage",
        "Web": "major_outage",
        "Database": "operational",
    }
    assert (incident.status, incident.impact, incident.backfilled) == (
        "investigating",
        "major",
        False,
    )
    assert selectors.page_status().indicator == "major"


def test_resolving_through_the_admin_returns_the_components_to_operational(
    oncall_client, components
):
    incident = declare_through_admin(oncall_client, components)
    data = form_data(oncall_client.get(change_url(incident)), "incident_form")
    assert data["restore_components"] == "on"  # on by default
    data |= {"update_status": "resolved", "update_body": "Fixed: a bad deploy was rolled back."}

    response = oncall_client.post(change_url(incident), data)

    assert response.status_code == 302, form_errors(response)
    for component in components.values():
        component.refresh_from_db()
    assert {c.name: c.status for c in components.values()} == {
        "API": "operational",
        "Web": "operational",
        "Database": "operational",
    }
    resolving = IncidentUpdate.objects.get(status="resolved")
    restores = ComponentStatusChange.objects.filter(incident_update=resolving)
    assert sorted((c.component.name, c.old_status, c.new_status) for c in restores) == [
        ("API", "major_outage", "operational"),
        ("Web", "major_outage", "operational"),
    ]
    assert ComponentStatusChange.objects.count() == 3 + 2 + 2
    assert selectors.page_status().indicator == "none"
    incident.refresh_from_db()
    assert incident.status == "resolved"
    assert incident.resolved_at == resolving.display_at


def test_posting_to_a_resolved_incident_is_rejected_and_reopening_works(oncall_client, components):
    incident = declare_through_admin(oncall_client, components)
    stale = form_data(oncall_client.get(change_url(incident)), "incident_form")
    services.resolve_incident(incident=incident, body="Fixed.")
    before = row_counts()

    stale |= {"update_status": "monitoring", "update_body": "Still watching the API."}
    response = oncall_client.post(change_url(incident), stale)

    assert response.status_code == 200
    assert form_errors(response) == {"__all__": [RESOLVED_MESSAGE]}
    assert RESOLVED_MESSAGE in response.content.decode()
    assert row_counts() == before
    incident.refresh_from_db()
    assert incident.status == "resolved"

    page = oncall_client.get(change_url(incident))
    assert "Reopen the incident" in page.content.decode()
    data = form_data(page, "incident_form")
    assert "restore_components" not in data
    assert data["update_action"] == "reopen"
    data |= {"update_status": "identified", "update_body": "Errors are back on the API."}
    response = oncall_client.post(change_url(incident), data)

    assert response.status_code == 302, form_errors(response)
    incident.refresh_from_db()
    assert (incident.status, incident.resolved_at) == ("identified", None)
    assert IncidentUpdate.objects.count() == before["IncidentUpdate"] + 1
    assert IncidentUpdate.objects.first().body == "Errors are back on the API."


def test_a_rejected_declare_shows_the_error_and_writes_nothing(oncall_client, components):
    data = form_data(oncall_client.get(DECLARE_URL), "incident_form")
    data |= {"name": "API down", "body": "  ", component_field(components["API"]): "major_outage"}
    before = row_counts()

    response = oncall_client.post(DECLARE_URL, data)

    assert response.status_code == 200
    assert form_errors(response) == {"body": ["This field is required."]}
    assert "Please correct the error below." in response.content.decode()
    assert row_counts() == before
    assert before["Incident"] == before["IncidentUpdate"] == 0
    components["API"].refresh_from_db()
    assert components["API"].status == "operational"


def test_a_declare_in_the_future_is_rejected_on_the_started_at_field(oncall_client, components):
    data = form_data(oncall_client.get(DECLARE_URL), "incident_form")
    tomorrow = timezone.localtime() + timedelta(days=1)
    data |= {
        "name": "API down",
        "body": "Errors.",
        "started_at_0": tomorrow.strftime("%Y-%m-%d"),
        "started_at_1": tomorrow.strftime("%H:%M:%S"),
    }
    before = row_counts()

    response = oncall_client.post(DECLARE_URL, data)

    assert form_errors(response) == {"started_at": ["The time can't be in the future."]}
    assert row_counts() == before


def test_a_backfilled_declare_records_history_without_touching_current_statuses(
    oncall_client, components
):
    data = form_data(oncall_client.get(DECLARE_URL), "incident_form")
    yesterday = timezone.localtime() - timedelta(days=1)
    data |= {
        "name": "Database failover",
        "status": "resolved",
        "body": "The primary failed over for 20 minutes.",
        "started_at_0": yesterday.strftime("%Y-%m-%d"),
        "started_at_1": yesterday.strftime("%H:%M:%S"),
        component_field(components["Database"]): "major_outage",
    }

    response = oncall_client.post(DECLARE_URL, data)

    assert response.status_code == 302, form_errors(response)
    incident = Incident.objects.get()
    assert (incident.backfilled, incident.status) == (True, "resolved")
    assert incident.started_at == yesterday.replace(microsecond=0)
    change = ComponentStatusChange.objects.get(source="backfill")
    assert (change.new_status, change.created_at) == ("major_outage", incident.started_at)
    assert IncidentUpdate.objects.get().deliver_notifications is False
    components["Database"].refresh_from_db()
    assert components["Database"].status == "operational"


def test_the_template_picker_carries_its_templates_and_fills_blanks_without_javascript(
    oncall_client, components
):
    template = UpdateTemplateFactory(
        name="API errors", title="Elevated API errors", body="We are looking into API errors."
    )
    UpdateTemplateFactory(name="Window", kind="maintenance", body="Planned work.")
    page = oncall_client.get(DECLARE_URL)
    html = page.content.decode()
    assert '<script id="id_template_templates" type="application/json">' in html
    assert "We are looking into API errors." in html
    assert "Planned work." not in html  # maintenance templates are not offered here
    assert "incidents/update_template_picker.js" in html

    data = form_data(page, "incident_form") | {"template": str(template.pk)}
    response = oncall_client.post(DECLARE_URL, data)

    assert response.status_code == 302, form_errors(response)
    incident = Incident.objects.get()
    assert incident.name == "Elevated API errors"
    assert incident.updates.get().body == "We are looking into API errors."


def test_a_status_change_without_a_message_is_rejected_on_the_message_field(
    oncall_client, components
):
    incident = declare_through_admin(oncall_client, components)
    data = form_data(oncall_client.get(change_url(incident)), "incident_form")
    data |= {"update_status": "monitoring"}
    before = row_counts()

    response = oncall_client.post(change_url(incident), data)

    assert form_errors(response) == {"update_body": ["This field is required."]}
    assert row_counts() == before


def test_renaming_alone_posts_no_update(oncall_client, oncall, components):
    incident = declare_through_admin(oncall_client, components)
    data = form_data(oncall_client.get(change_url(incident)), "incident_form")
    data |= {"name": "API outage", "impact_override": "critical"}

    response = oncall_client.post(change_url(incident), data)

    assert response.status_code == 302, form_errors(response)
    incident.refresh_from_db()
    assert (incident.name, incident.impact) == ("API outage", "critical")
    assert IncidentUpdate.objects.count() == 1
    edit = AuditEntry.objects.filter(action="edit").get()
    assert (edit.actor, edit.summary) == (oncall, "name, impact_override")


def test_an_update_shows_the_affected_components_first_and_changes_only_what_was_changed(
    oncall_client, components
):
    incident = declare_through_admin(oncall_client, components)
    page = oncall_client.get(change_url(incident))
    fieldsets = [fs.name for fs in page.context["adminform"]]
    assert fieldsets == [
        "Post an update",
        "Affected components",
        "Other components",
        None,  # notify
        "Details",
        "State",
    ]
    data = form_data(page, "incident_form")
    assert data[component_field(components["API"])] == "major_outage"
    assert data[component_field(components["Database"])] == ""
    # Another update moves the API on while this form is open: the untouched select keeps it.
    services.post_update(
        incident=incident,
        status="identified",
        body="Web is back.",
        component_statuses={components["API"]: "partial_outage"},
    )
    data |= {
        "update_status": "monitoring",
        "update_body": "A fix is out for the web app.",
        component_field(components["Web"]): "operational",
        component_field(components["Database"]): "degraded_performance",
    }

    response = oncall_client.post(change_url(incident), data)

    assert response.status_code == 302, form_errors(response)
    update = IncidentUpdate.objects.get(status="monitoring")
    assert sorted(
        (row.component.name, row.old_status, row.new_status)
        for row in update.affected_components.all()
    ) == [
        ("Database", "operational", "degraded_performance"),
        ("Web", "major_outage", "operational"),
    ]
    for component in components.values():
        component.refresh_from_db()
    assert {c.name: c.status for c in components.values()} == {
        "API": "partial_outage",
        "Web": "operational",
        "Database": "degraded_performance",
    }


def test_the_change_page_shows_the_timeline_newest_first(oncall_client, oncall, components):
    incident = declare_through_admin(oncall_client, components)
    services.post_update(
        incident=incident,
        status="identified",
        body="A bad deploy.",
        deliver_notifications=False,
        author=oncall,
    )

    response = oncall_client.get(change_url(incident))

    assert [u.body for u in response.context["timeline"]] == [
        "A bad deploy.",
        "We are investigating errors on the API and the web app.",
    ]
    html = response.content.decode()
    assert html.index("A bad deploy.") < html.index("We are investigating errors")
    assert "API: Operational → Major outage" in html
