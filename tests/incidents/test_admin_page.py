"""Page settings, update templates and the audit log in the console."""

import pytest

from incidents.models import AuditEntry, PageSettings, UpdateTemplate
from tests.incidents.test_admin import form_data, form_errors

pytestmark = pytest.mark.django_db

SETTINGS_URL = "/admin/incidents/pagesettings/"
TEMPLATES_URL = "/admin/incidents/updatetemplate/"


def test_the_settings_list_redirects_to_the_single_row(admin_client):
    response = admin_client.get(SETTINGS_URL)

    assert response.status_code == 302
    assert response["Location"] == f"{SETTINGS_URL}1/change/"
    assert admin_client.get(f"{SETTINGS_URL}add/").status_code == 403
    assert admin_client.get(f"{SETTINGS_URL}1/delete/").status_code == 403


def test_editing_the_settings_goes_through_the_service(admin_client):
    url = f"{SETTINGS_URL}1/change/"
    data = form_data(admin_client.get(url), "pagesettings_form")
    data |= {"name": "Acme status", "time_zone": "Asia/Tokyo", "url": "status.example.com"}

    response = admin_client.post(url, data)

    assert response.status_code == 302, form_errors(response)
    page = PageSettings.objects.get()
    assert (page.name, page.time_zone, page.url) == (
        "Acme status",
        "Asia/Tokyo",
        "https://status.example.com",
    )
    audit = AuditEntry.objects.exclude(object_type="user").get()  # not the sign-in's
    assert (audit.action, audit.object_type, audit.summary) == (
        "edit",
        "pagesettings",
        "name, url, time_zone",
    )


def test_an_oncall_user_may_read_the_settings_but_not_change_them(client, oncall):
    client.force_login(oncall)
    assert client.get(f"{SETTINGS_URL}1/change/").status_code == 200
    response = client.post(f"{SETTINGS_URL}1/change/", {"name": "Hijacked"})
    assert response.status_code == 403
    assert PageSettings.objects.get().name == "Noroshi"


def test_templates_are_saved_and_deleted_through_the_services(client, oncall):
    client.force_login(oncall)
    data = form_data(client.get(f"{TEMPLATES_URL}add/"), "updatetemplate_form")
    data |= {
        "name": "Investigating errors",
        "status": "investigating",
        "title": "Elevated error rates",
        "body": "We are investigating elevated error rates.",
    }

    response = client.post(f"{TEMPLATES_URL}add/", data)

    assert response.status_code == 302, form_errors(response)
    template = UpdateTemplate.objects.get()
    assert (template.kind, template.title) == ("incident", "Elevated error rates")

    again = form_data(client.get(f"{TEMPLATES_URL}add/"), "updatetemplate_form")  # a new form
    again |= {key: value for key, value in data.items() if key != "_submission_key"}
    duplicate = client.post(f"{TEMPLATES_URL}add/", again)
    assert form_errors(duplicate) == {"name": ["Update template with this Name already exists."]}
    assert UpdateTemplate.objects.count() == 1

    response = client.post(f"{TEMPLATES_URL}{template.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert UpdateTemplate.objects.count() == 0
    written = AuditEntry.objects.exclude(object_type="user").order_by("id")
    assert list(written.values_list("action", "actor")) == [
        ("save", oncall.pk),
        ("delete", oncall.pk),
    ]


def test_the_audit_log_is_read_only(admin_client):
    admin_client.post(
        f"{SETTINGS_URL}1/change/",
        form_data(admin_client.get(f"{SETTINGS_URL}1/change/"), "pagesettings_form")
        | {"name": "Acme"},
    )
    entry = AuditEntry.objects.get(action="edit")
    listing = admin_client.get("/admin/incidents/auditentry/?action=edit")
    assert list(listing.context["cl"].result_list) == [entry]
    assert admin_client.get("/admin/incidents/auditentry/add/").status_code == 403
    page = admin_client.get(f"/admin/incidents/auditentry/{entry.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
