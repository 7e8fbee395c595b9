"""An incident's page in the console, in the order on-call works in: quick actions, the
timeline, the update form, then the recovery actions and the details. Quick actions are links
that prefill the form from the team's template (or a standard text) and post nothing by
themselves; a Viewer reads the page with no form and no action.

Forms are filled as a browser fills them (tests/incidents/test_admin.py: form_data)."""

import pytest
from django.utils import timezone

from incidents import services
from incidents.models import Incident, IncidentUpdate
from notify.models import Delivery, Notification, Subscriber
from tests.alert_data import am_alert, make_integration
from tests.factories import UpdateTemplateFactory
from tests.incidents.test_admin import (
    DECLARE_URL,
    change_url,
    form_data,
    form_errors,
    row_counts,
)
from tests.incidents.test_drafts import deliver
from tests.statuspage.page_html import parse

pytestmark = pytest.mark.django_db

FORM = "incident_form"


@pytest.fixture
def incident(components) -> Incident:
    return services.declare_incident(
        name="Search is slow",
        body="Searches take several seconds.",
        component_statuses={components["API"]: "degraded_performance"},
        deliver_notifications=False,
    )


@pytest.fixture
def subscriber(db) -> Subscriber:
    return Subscriber.objects.create(
        channel="email", address="everything@example.com", confirmed_at=timezone.now()
    )


def quick_url(incident, status: str) -> str:
    return f"{change_url(incident)}?status={status}"


def quick_links(html: bytes) -> list[tuple[str, str]]:
    nav = parse(html).find_all("nav", cls="quick-actions")
    if not nav:
        return []
    return [(a.text().strip(), a.attrs["href"]) for a in nav[0].find_all("a")]


def positions(html: str, *markers: str) -> list[int]:
    """Where each marker first appears in the page (each must appear)."""
    found = [html.find(marker) for marker in markers]
    assert -1 not in found, [m for m, at in zip(markers, found, strict=True) if at == -1]
    return found


def test_the_page_puts_the_timeline_then_the_update_form_before_everything_else(
    client, oncall, incident
):
    client.force_login(oncall)

    html = client.get(change_url(incident)).content.decode()

    order = positions(
        html,
        'class="quick-actions"',
        'id="timeline"',
        'id="update-form"',
        'name="update_body"',
        'name="notify"',
        'value="Post update"',
        'id="recovery_actions-group"',
        'name="name"',  # the details: the incident's name
        'name="_save"',
    )
    assert order == sorted(order)
    # The update form's button is the form's first: Enter in one of its fields posts the
    # update, and the engineer stays on the incident's page (_continue).
    form = html[html.index('id="incident_form"') :]
    first_button = form[form.index('<input type="submit"') :].split(">", 1)[0]
    assert (
        first_button == '<input type="submit" class="default" name="_continue" value="Post update"'
    )


def test_declaring_leads_to_the_incident_s_page(client, oncall, components):
    client.force_login(oncall)
    data = form_data(client.get(DECLARE_URL), FORM)
    data |= {"name": "Checkout fails", "body": "Payments are refused."}

    response = client.post(DECLARE_URL, data, follow=True)

    incident = Incident.objects.get()
    assert response.redirect_chain == [(change_url(incident), 302)]
    html = response.content.decode()
    assert positions(html, 'id="timeline"', 'id="update-form"') == sorted(
        positions(html, 'id="timeline"', 'id="update-form"')
    )
    assert "Payments are refused." in html


def test_the_components_the_incident_leaves_alone_start_folded(
    client, oncall, incident, components
):
    client.force_login(oncall)

    document = parse(client.get(change_url(incident)).content)

    # A <details> per folded fieldset (Django's "collapse"): its selects are still sent.
    folded = document.find_all("details")
    assert [details.find("h2").text() for details in folded] == ["Other components"]
    names = [select.attrs["name"] for select in folded[0].find_all("select")]
    assert names == [f"component_{components[name].pk}" for name in ("Web", "Database")]


def test_an_open_incident_offers_the_quick_actions_but_its_own_status(client, oncall, incident):
    client.force_login(oncall)
    path = change_url(incident)

    investigating = quick_links(client.get(path).content)
    services.post_update(incident=incident, status="identified", body="A bad index.")
    identified = quick_links(client.get(path).content)

    assert investigating == [
        ("Identified", "?status=identified#update-form"),
        ("Monitoring", "?status=monitoring#update-form"),
        ("Resolve", "?status=resolved#update-form"),
    ]
    assert identified == [
        ("Monitoring", "?status=monitoring#update-form"),
        ("Resolve", "?status=resolved#update-form"),
    ]


def test_a_quick_action_prefills_the_form_from_the_team_s_template(client, oncall, incident):
    UpdateTemplateFactory(
        name="Fix deployed",
        status="monitoring",
        body="A fix is out; we are watching the error rates.",
        body_ja="修正を適用し、エラー率を監視しています。",
    )
    UpdateTemplateFactory(name="Window", kind="maintenance", status="monitoring", body="No.")
    client.force_login(oncall)
    before = row_counts()

    page = client.get(quick_url(incident, "monitoring"))

    data = form_data(page, FORM)
    assert (data["update_status"], data["update_body"], data["update_body_ja"]) == (
        "monitoring",
        "A fix is out; we are watching the error rates.",
        "修正を適用し、エラー率を監視しています。",
    )
    notice = parse(page.content).find("p", cls="prefill-notice").text()
    assert notice == (
        "Filled from the template “Fix deployed”. Read it, change what needs changing, then "
        "post it."
    )
    assert row_counts() == before  # nothing is posted by the link itself


def test_without_a_template_a_quick_action_prefills_the_standard_text(client, oncall, incident):
    client.force_login(oncall)

    page = client.get(quick_url(incident, "resolved"))

    data = form_data(page, FORM)
    assert (data["update_status"], data["update_body"], data["update_body_ja"]) == (
        "resolved",
        "This incident has been resolved.",
        "この問題は解決しました。",
    )
    assert data["restore_components"] == "on"
    assert data["notify"] == "on"
    notice = parse(page.content).find("p", cls="prefill-notice").text()
    assert notice == (
        "Filled with a standard text. Read it, change what needs changing, then post it."
    )


def test_an_unknown_quick_status_prefills_nothing(client, oncall, incident):
    client.force_login(oncall)

    page = client.get(quick_url(incident, "postmortem"))

    data = form_data(page, FORM)
    assert (data["update_status"], data["update_body"]) == ("investigating", "")
    assert parse(page.content).find_all("p", cls="prefill-notice") == []


def test_resolving_through_the_quick_action_notifies_once(
    client, oncall, incident, subscriber, components, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(oncall)
    page = client.get(quick_url(incident, "resolved"))
    action = parse(page.content).find("form", id=FORM).attrs["action"]
    data = form_data(page, FORM) | {"_continue": "Post update"}

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(action, data)
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(action, data)  # a double click

    assert action == change_url(incident)  # the form posts without the ?status=
    assert first.status_code == 302, form_errors(first)
    assert first.url == change_url(incident)  # back to the incident's page, as it is now
    assert again.status_code == 302
    incident.refresh_from_db()
    assert incident.status == "resolved"
    resolving = IncidentUpdate.objects.get(incident=incident, status="resolved")
    assert (resolving.body, resolving.author) == ("This incident has been resolved.", oncall)
    assert Notification.objects.filter(incident=incident).count() == 1
    assert Delivery.objects.filter(subscriber=subscriber).count() == 1
    assert [m.to for m in mailoutbox] == [["everything@example.com"]]
    components["API"].refresh_from_db()
    assert components["API"].status == "operational"


def test_a_posted_form_is_checked_against_the_incident_not_the_quick_action(
    client, oncall, incident
):
    client.force_login(oncall)
    data = form_data(client.get(quick_url(incident, "identified")), FORM)
    before = row_counts()

    # The engineer empties the prefilled message but keeps the new status: that is refused,
    # not taken for "nothing changed" — even posted to the quick action's address.
    response = client.post(quick_url(incident, "identified"), data | {"update_body": ""})

    assert form_errors(response) == {"update_body": ["This field is required."]}
    assert row_counts() == before
    shown = form_data(response, FORM)
    assert (shown["update_status"], shown["update_body"]) == ("identified", "")
    assert parse(response.content).find_all("p", cls="prefill-notice") == []


def test_a_resolved_incident_has_no_quick_actions_and_its_form_reopens(client, oncall, incident):
    services.resolve_incident(incident=incident, body="Fixed.")
    client.force_login(oncall)

    page = client.get(quick_url(incident, "monitoring"))

    assert quick_links(page.content) == []
    data = form_data(page, FORM)
    assert (data["update_action"], data["update_status"], data["update_body"]) == (
        "reopen",
        "investigating",
        "",
    )
    assert 'value="Reopen and post"' in page.content.decode()


def test_a_viewer_reads_the_page_without_actions_or_form(client, viewer, incident):
    client.force_login(viewer)

    page = client.get(quick_url(incident, "resolved"))

    html = page.content.decode()
    document = parse(page.content)
    assert quick_links(page.content) == []
    assert document.find_all(id="update-form") == []
    assert "update_body" not in html
    assert 'name="_save"' not in html
    assert "Searches take several seconds." in html  # the timeline
    assert html.index('id="timeline"') < html.index("Search is slow</div>")  # the details


def list_time(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def test_the_incident_list_shows_short_times_and_marks_what_the_public_does_not_see(
    client, oncall, incident, components
):
    services.resolve_incident(incident=incident, body="Fixed.")
    incident.refresh_from_db()
    integration, _ = make_integration(rules={("service", "api"): components["API"]})
    draft = deliver(integration, am_alert(service="api"), now=timezone.now()).incident
    client.force_login(oncall)

    table = parse(client.get("/admin/incidents/incident/").content).find("table", id="result_list")

    headers = [th.text() for th in table.find("thead").find_all("th")]
    assert headers == ["", "Name", "Status", "Impact", "Started", "Resolved"]
    rows = [
        [cell.text() for cell in row.children if not isinstance(cell, str)][1:]
        for row in table.find("tbody").find_all("tr")
    ]
    assert rows == [
        [draft.name, "Investigating · Draft", "Major", list_time(draft.started_at), "—"],
        [
            "Search is slow",
            "Resolved",
            "Minor",
            list_time(incident.started_at),
            list_time(incident.resolved_at),
        ],
    ]
