"""The audit log in the console (read-only, filtered, exported as CSV by an Owner, the export
itself audited, no cell a spreadsheet formula), the other exports audited too, and the writes
from outside the console: the public subscription pages and Twilio's STOP and START."""

import csv
import io

import pytest
from django.utils import timezone

from incidents import services
from incidents.models import AuditEntry, Incident
from notify.models import Subscriber
from notify.signing import link_path
from tests.factories import UserFactory
from tests.notify.subscription_pages import form_for
from tests.notify.test_sms_webhooks import text_in

pytestmark = pytest.mark.django_db

LOG = "/admin/incidents/auditentry/"
EXPORT = f"{LOG}export/"


@pytest.fixture
def trail(db):
    """Three rows of two actors; one name and one value a formula, as an attacker writes them."""
    ann, ben = UserFactory(username="ann"), UserFactory(username="ben")
    search = services.create_component(name="Search", actor=ann)
    services.create_component(name="=cmd|' /C calc'!A0", actor=ben)
    services.edit_component(component=search, actor=ann, description="@SUM(1+1)")
    return ann, ben


def exported(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_the_log_is_read_only_for_everyone(admin_client, trail):
    entry = AuditEntry.objects.filter(action="create").first()

    assert admin_client.get(f"{LOG}add/").status_code == 403
    page = admin_client.get(f"{LOG}{entry.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert admin_client.post(f"{LOG}{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_the_log_is_filtered_by_actor_action_object_type_and_source(admin_client, trail):
    by_ann = admin_client.get(LOG, {"actor_name": "ann", "action": "edit"})
    by_type = admin_client.get(LOG, {"object_type": "component", "source": "command"})

    assert [e.summary for e in by_ann.context["cl"].result_list] == ["description"]
    assert {e.action for e in by_type.context["cl"].result_list} == {"create", "edit"}
    searched = admin_client.get(LOG, {"q": "Search"}).context["cl"].result_list
    assert [e.object_repr for e in searched] == ["Search", "Search"]


def test_an_owner_exports_the_filtered_log_and_the_export_is_audited(client, owner, trail):
    client.force_login(owner)
    client.defaults["REMOTE_ADDR"] = "192.0.2.30"

    listing = client.get(LOG, {"object_type": "component"}).content.decode()
    rows = exported(client.get(EXPORT, {"object_type": "component"}))

    assert f'href="{EXPORT}?object_type=component"' in listing
    assert [(r["actor"], r["action"], r["object"]) for r in rows] == [
        ("ann", "edit", "Search"),
        ("ben", "create", "'=cmd|' /C calc'!A0"),  # a formula no more
        ("ann", "create", "Search"),
    ]
    assert rows[0]["changes"] == "description:  → @SUM(1+1)"
    assert rows[0]["source"] == "command"
    export = AuditEntry.objects.get(action="export")
    assert (export.actor_name, export.object_type, export.source, export.address) == (
        "owner",
        "auditentry",
        "console",
        "192.0.2.30",
    )
    assert export.summary == "3 audit entries as CSV; filters: object_type=component"


def test_no_exported_cell_starts_a_formula(client, owner, trail):
    client.force_login(owner)

    rows = exported(client.get(EXPORT, {"actor_name": "ben"}))

    cells = [cell for row in rows for cell in row.values()]
    assert cells and not [c for c in cells if c[:1] in ("=", "+", "-", "@")]


@pytest.mark.parametrize("role", ["viewer", "oncall"])
def test_only_an_owner_may_export_the_log(client, role, request, trail):
    client.force_login(request.getfixturevalue(role))

    assert client.get(LOG).status_code == 200
    assert EXPORT not in client.get(LOG).content.decode()
    assert client.get(EXPORT).status_code == 403
    assert not AuditEntry.objects.filter(action="export").exists()


def test_exporting_incidents_is_audited(client, oncall, outage):
    client.force_login(oncall)

    answer = client.post(
        "/admin/incidents/incident/", {"action": "export_json", "_selected_action": [outage.pk]}
    )

    assert answer.status_code == 200
    export = AuditEntry.objects.get(action="export")
    assert (export.actor_name, export.object_type) == ("oncall", "incident")
    assert export.summary == f"1 as JSON: {outage.public_id}"


def test_exporting_subscribers_is_audited(admin_client, components):
    ann = Subscriber.objects.create(channel="email", address="ann@example.com")

    answer = admin_client.post(
        "/admin/notify/subscriber/", {"action": "export_csv", "_selected_action": [ann.pk]}
    )

    assert answer.status_code == 200
    export = AuditEntry.objects.get(action="export")
    assert (export.actor_name, export.object_type, export.summary) == (
        "admin",
        "subscriber",
        "1 subscribers as CSV",
    )


def test_the_export_command_is_audited(outage, tmp_path):
    from django.core.management import call_command

    call_command("export_incident", outage.public_id, "--output", str(tmp_path / "out.md"))

    export = AuditEntry.objects.get(action="export")
    assert (export.object_type, export.object_id, export.source) == (
        "incident",
        outage.public_id,
        "command",
    )


# --- Writes from outside the console -----------------------------------------------------------


def test_a_sign_up_and_an_unsubscribe_on_the_public_pages_are_audited(client, components):
    client.post("/subscribe", form_for(address="ann@example.com"), REMOTE_ADDR="198.51.100.3")
    subscriber = Subscriber.objects.get()
    client.post(link_path(subscriber, "unsubscribe"), REMOTE_ADDR="198.51.100.4")

    rows = AuditEntry.objects.filter(object_type="subscriber").order_by("id")
    assert list(rows.values_list("action", "actor_name", "source", "address", "object_repr")) == [
        ("subscribe", "", "web", "198.51.100.3", "E-mail an…@example.com"),
        ("unsubscribe", "", "web", "198.51.100.4", "E-mail an…@example.com"),
    ]


@pytest.fixture
def twilio(settings):
    from tests.fake_twilio import FakeTwilio

    with FakeTwilio() as fake:
        settings.TWILIO_ACCOUNT_SID = fake.account_sid
        settings.TWILIO_AUTH_TOKEN = fake.auth_token
        settings.TWILIO_FROM_NUMBER = "+15005550006"
        settings.NOROSHI_TWILIO_API_URL = fake.url
        yield fake


def test_sms_stop_and_start_are_audited_as_twilio(client, twilio, components):
    number = "+819012345678"
    Subscriber.objects.create(channel="sms", address=number, confirmed_at=timezone.now())

    text_in(twilio, number, "STOP", client)
    text_in(twilio, number, "START", client)

    rows = AuditEntry.objects.filter(object_type="subscriber").order_by("id")
    assert list(rows.values_list("action", "summary", "source", "actor_name")) == [
        ("unsubscribe", "sms STOP", "twilio", ""),
        ("resume", "sms START", "twilio", ""),
    ]
    assert number not in str(list(rows.values()))


def test_a_console_step_that_names_no_member_is_still_the_members(admin_client, components):
    ann = Subscriber.objects.create(channel="email", address="ann@example.com")

    admin_client.post(
        "/admin/notify/subscriber/",
        {"action": "unsubscribe_selected", "_selected_action": [ann.pk]},
    )

    entry = AuditEntry.objects.get(action="unsubscribe")
    assert (entry.actor_name, entry.source) == ("admin", "console")
    assert Incident.objects.count() == 0
