"""Alerts in the console: an Owner (or a superuser) makes an integration and sees its address
once (and a new one when the token is replaced), On-call may look but not change, a Viewer not
even look; a draft's page has Publish and Discard for On-call (a second click does nothing
more), drafts are listed with a filter and on the home, and hidden from a Viewer; the home's
public status leaves drafts out."""

import pytest

from incidents import selectors, services
from incidents.models import AlertIntegration, AlertRule, AuditEntry, Incident
from notify.models import Notification
from tests.alert_data import alertmanager_body, am_alert, make_integration, post_alerts
from tests.incidents.test_admin import change_url, form_data

pytestmark = pytest.mark.django_db

INTEGRATIONS = "/admin/incidents/alertintegration/"


@pytest.fixture
def draft(client, components) -> Incident:
    _, token = make_integration(rules={("service", "api"): components["API"]})
    post_alerts(client, token, alertmanager_body(am_alert(service="api", summary="API is slow")))
    client.logout()
    return Incident.objects.get()


def integration_form(client, **fields) -> dict:
    data = form_data(client.get(f"{INTEGRATIONS}add/"), "alertintegration_form")
    return data | fields


def address_on(page) -> str:
    html = page.content.decode()
    start = html.index('<code class="alert-address">') + len('<code class="alert-address">')
    return html[start : html.index("</code>", start)]


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def test_an_owner_makes_an_integration_and_sees_its_address_once(owner_client, components):
    data = integration_form(
        owner_client,
        name="Prometheus",
        kind="alertmanager",
        component_status="partial_outage",
        auto_publish_minutes="10",
    )

    shown = owner_client.post(f"{INTEGRATIONS}add/", data)

    assert shown.status_code == 200
    assert "no-store" in shown["Cache-Control"]
    address = address_on(shown)
    assert address.startswith("http://testserver/api/v1/integrations/alertmanager/")
    token = address.rsplit("/", 1)[1]
    integration = AlertIntegration.objects.get()
    assert selectors.integration_for_token(token, kind="alertmanager") == integration
    assert (integration.component_status, integration.auto_publish_minutes) == (
        "partial_outage",
        10,
    )
    assert "webhook_configs:" in shown.content.decode()
    change = f"{INTEGRATIONS}{integration.pk}/change/"
    page = owner_client.get(change)
    assert token not in page.content.decode()
    assert f"/api/v1/integrations/alertmanager/{token[:12]}…" in page.content.decode()
    assert token not in "".join(AuditEntry.objects.values_list("summary", flat=True))

    data = form_data(page, "alertintegration_form") | {
        "rules-0-label": "service",
        "rules-0-value": "api",
        "rules-0-component": str(components["API"].pk),
    }
    assert owner_client.post(change, data).status_code == 302
    assert [str(rule) for rule in AlertRule.objects.all()] == ["service=api → API"]


def test_operational_is_no_status_for_firing_components(admin_client):
    data = integration_form(admin_client, name="Prometheus", component_status="operational")

    response = admin_client.post(f"{INTEGRATIONS}add/", data)

    assert response.status_code == 200
    assert "operational is not one of the available choices" in response.content.decode()
    assert AlertIntegration.objects.count() == 0


def test_replacing_the_token_shows_a_new_address_and_retires_the_old(admin_client):
    integration, old = make_integration()
    url = f"{INTEGRATIONS}{integration.pk}/token/"

    assert admin_client.get(url).status_code == 405
    shown = admin_client.post(url)

    new = address_on(shown).rsplit("/", 1)[1]
    assert new != old
    assert selectors.integration_for_token(old, kind="alertmanager") is None
    assert selectors.integration_for_token(new, kind="alertmanager") == integration
    assert AuditEntry.objects.filter(action="replace_token").count() == 1


def test_on_call_may_look_but_not_change_and_a_viewer_not_look(client, oncall, viewer):
    integration, token = make_integration()
    change = f"{INTEGRATIONS}{integration.pk}/change/"
    client.force_login(oncall)

    assert client.get(INTEGRATIONS).status_code == 200
    page = client.get(change)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert "Replace the token" not in page.content.decode()
    assert client.get(f"{INTEGRATIONS}add/").status_code == 403
    assert client.post(f"{INTEGRATIONS}{integration.pk}/token/").status_code == 403
    assert client.post(change, {"name": "Renamed", "enabled": ""}).status_code == 403
    assert selectors.integration_for_token(token, kind="alertmanager") == integration

    client.force_login(viewer)
    assert client.get(INTEGRATIONS).status_code == 403
    assert client.get(change).status_code == 403


def test_an_integration_is_never_deleted(admin_client):
    integration, _ = make_integration()
    response = admin_client.post(f"{INTEGRATIONS}{integration.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert AlertIntegration.objects.count() == 1


def test_on_call_publishes_a_draft_from_its_page_once(client, oncall, draft):
    client.force_login(oncall)
    page = client.get(change_url(draft)).content.decode()
    assert "A draft opened by an alert: the public does not see it" in page
    assert f'action="/admin/incidents/incident/{draft.pk}/publish/"' in page
    assert "Alerts received" in page and "service=api" in page

    first = client.post(f"/admin/incidents/incident/{draft.pk}/publish/", follow=True)
    second = client.post(f"/admin/incidents/incident/{draft.pk}/publish/", follow=True)

    assert "Published: the public sees it, and its subscribers are being told." in (
        first.content.decode()
    )
    assert "It was public already: nothing was announced again." in second.content.decode()
    assert Notification.objects.filter(incident=draft).count() == 1
    assert "/publish/" not in client.get(change_url(draft)).content.decode()


def test_on_call_discards_a_draft_from_its_page(client, oncall, draft):
    client.force_login(oncall)

    response = client.post(f"/admin/incidents/incident/{draft.pk}/discard/", follow=True)

    draft.refresh_from_db()
    assert draft.draft_state == "discarded"
    html = response.content.decode()
    assert "Discarded: it is kept here, and never public." in html
    assert "A discarded draft: kept here, never public." in html
    assert client.get(f"/admin/incidents/incident/{draft.pk}/discard/").status_code == 405


def test_drafts_are_listed_with_a_filter_and_hidden_from_a_viewer(client, oncall, viewer, draft):
    public = services.declare_incident(name="Web down", body="Investigating.")
    client.force_login(oncall)
    listed = client.get("/admin/incidents/incident/?draft_state__exact=draft").content.decode()
    assert "API is slow" in listed and "Web down" not in listed

    client.force_login(viewer)
    listed = client.get("/admin/incidents/incident/").content.decode()
    assert "Web down" in listed and "API is slow" not in listed
    assert client.get(change_url(draft)).status_code == 302  # "does not exist": to the index
    assert client.post(f"/admin/incidents/incident/{draft.pk}/publish/").status_code == 404
    draft.refresh_from_db()
    assert draft.draft_state == "draft"
    assert public.is_public


def test_the_home_lists_drafts_for_on_call_and_leaves_them_out_of_the_public_status(
    client, oncall, viewer, draft
):
    services.edit_incident(incident=draft, impact_override="critical")
    client.force_login(oncall)

    home = client.get("/admin/")

    html = home.content.decode()
    assert home.context["page_status"].indicator == "major"  # API's outage, not the draft
    assert "1 alert draft to publish or discard" in html
    assert [i.pk for i in home.context["drafts"]] == [draft.pk]
    assert home.context["open_incidents"] == []

    client.force_login(viewer)
    assert "alert draft" not in client.get("/admin/").content.decode()
