"""Subscribers in the console: CSV import (dry run, all or nothing, opt-outs respected) and
export, each subscriber's delivery log, counts by channel and state, retrying by hand."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from incidents import services as incident_services
from incidents.models import AuditEntry
from notify import subscriber_csv
from notify.models import Delivery, Notification, Subscriber
from tests.notify.fan_out import fan_out

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/notify/subscriber/import/"


def upload(client, text: str, *, dry_run: bool, confirmed: bool = False):
    data = {"file": SimpleUploadedFile("subscribers.csv", text.encode(), "text/csv")}
    if dry_run:
        data["dry_run"] = "on"
    if confirmed:
        data["confirmed"] = "on"
    return client.post(IMPORT_URL, data)


GOOD = """channel,address,language,components
email,Ann@Example.COM,en,API
email,ben@example.com,ja,
"""


def test_a_dry_run_reports_and_writes_nothing(client, oncall, components, mailoutbox):
    client.force_login(oncall)

    response = upload(client, GOOD, dry_run=True)

    page = response.content.decode()
    assert "Dry run: nothing was written" in page
    assert "2 subscribers would be added." in page
    assert Subscriber.objects.count() == 0
    assert mailoutbox == []


def test_an_import_adds_them_and_asks_each_to_confirm(
    client, oncall, components, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(oncall)

    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, GOOD, dry_run=False)

    assert "2 subscribers added." in response.content.decode()
    ann = Subscriber.objects.get(address="ann@example.com")
    assert [c.name for c in ann.components.all()] == ["API"]
    assert ann.confirmed_at is None and ann.consent_source == "import-unconfirmed"
    assert Subscriber.objects.get(address="ben@example.com").language == "ja"
    assert sorted(m.to[0] for m in mailoutbox) == ["ann@example.com", "ben@example.com"]
    assert AuditEntry.objects.filter(action="import_subscribers").count() == 1


def test_subscribers_who_confirmed_elsewhere_are_imported_confirmed(
    client, oncall, components, mailoutbox
):
    client.force_login(oncall)

    upload(client, GOOD, dry_run=False, confirmed=True)

    assert Subscriber.objects.filter(confirmed_at__isnull=False).count() == 2
    assert set(Subscriber.objects.values_list("consent_source", flat=True)) == {"import"}
    assert mailoutbox == []


def test_one_bad_line_imports_nothing_and_says_which(client, oncall, components, mailoutbox):
    client.force_login(oncall)
    text = GOOD + "email,not-an-address,en,\nemail,cy@example.com,fr,\nemail,ben@example.com,en,\n"
    text += "email,di@example.com,en,Nonexistent\n"

    response = upload(client, text, dry_run=False)

    page = response.content.decode()
    assert "Nothing was imported" in page
    assert "“not-an-address” is not an e-mail address." in page
    assert "“fr” is not a language of this page (en or ja)." in page
    assert "The same address as line 3." in page
    assert "There is no component “Nonexistent”." in page
    assert Subscriber.objects.count() == 0
    assert mailoutbox == []


def test_an_import_never_brings_back_an_unsubscribed_address(client, oncall, components):
    gone = Subscriber.objects.create(
        channel="email", address="ben@example.com", unsubscribed_at=timezone.now()
    )
    client.force_login(oncall)

    page = upload(client, GOOD, dry_run=False, confirmed=True).content.decode()

    assert "Unsubscribed earlier: not added again." in page
    gone.refresh_from_db()
    assert gone.unsubscribed_at is not None and gone.confirmed_at is None
    assert Subscriber.objects.count() == 2


def test_a_file_without_the_columns_is_refused(client, oncall):
    client.force_login(oncall)

    page = upload(client, "email;address\nx;y\n", dry_run=False).content.decode()

    assert "The header must name the columns channel, address, language, components" in page


def test_a_viewer_cannot_import(client, viewer):
    client.force_login(viewer)

    assert upload(client, GOOD, dry_run=False).status_code == 403
    assert Subscriber.objects.count() == 0


def test_the_export_lists_the_selected_subscribers(admin_client, subscriber_factory, components):
    ann = subscriber_factory("ann@example.com", components=[components["API"]])

    response = admin_client.post(
        "/admin/notify/subscriber/", {"action": "export_csv", "_selected_action": [ann.pk]}
    )

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert rows[0][:6] == ["public_id", "channel", "address", "language", "components", "state"]
    assert rows[1][:6] == [ann.public_id, "email", "ann@example.com", "en",
                           components["API"].public_id, "confirmed"]  # fmt: skip


def test_a_subscriber_page_shows_its_delivery_log(
    admin_client, outage, subscriber_factory, mailoutbox, django_capture_on_commit_callbacks
):
    ann = subscriber_factory("ann@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        incident_services.post_update(incident=outage, status="identified", body="Found.")

    page = admin_client.get(f"/admin/notify/subscriber/{ann.pk}/change/").content.decode()

    assert "delivery log" in page.lower()
    assert "Sent" in page


def test_failed_deliveries_are_retried_by_hand(
    admin_client, outage, subscriber_factory, mailoutbox, django_capture_on_commit_callbacks
):
    subscriber_factory("ann@example.com")
    subscriber_factory("ben@example.com")
    incident_services.post_update(
        incident=outage, status="identified", body="Found.", deliver_notifications=False
    )
    notification = Notification.objects.create(
        kind="incident_update", incident=outage, update=outage.updates.first(), channels=["email"]
    )
    fan_out(notification.pk)
    first, second = Delivery.objects.order_by("id")
    Delivery.objects.filter(pk=first.pk).update(state="failed", error="550 no such user")
    Delivery.objects.filter(pk=second.pk).update(state="sent")

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            "/admin/notify/delivery/",
            {"action": "retry", "_selected_action": [first.pk, second.pk]},
        )

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == "sent"  # queued again and sent (tasks run in-process here)
    assert second.state == "sent" and second.attempts == 0  # a sent one is never sent again
    assert [m.to for m in mailoutbox] == [[first.subscriber.address]]
    page = admin_client.get(f"/admin/notify/notification/{notification.pk}/change/")
    assert "deliveries by channel and state" in page.content.decode().lower()
    assert "<th>email</th><td>2</td>" in page.content.decode()


def test_the_export_cannot_carry_a_spreadsheet_formula(
    admin_client, subscriber_factory, components
):
    """An address a visitor typed (`=cmd|…@example.test`) is a formula to a spreadsheet: the
    export makes every such cell text with a leading apostrophe, and an import of that file
    reads the address back unchanged."""
    evil = subscriber_factory("=cmd|'/Ccalc'!A0@example.test")

    response = admin_client.post(
        "/admin/notify/subscriber/", {"action": "export_csv", "_selected_action": [evil.pk]}
    )

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][2] == "'" + evil.address
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in rows[1])
    back = subscriber_csv.read_rows(response.content.decode())[0][0]
    assert back["address"] == evil.address


def test_the_subscriber_list_says_why_a_channel_is_not_offered(admin_client):
    """The public page names no configuration; the console does (no Twilio in the tests)."""
    page = admin_client.get("/admin/notify/subscriber/").content.decode()

    assert "Not offered on the public page" in page
    assert "SMS is off: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER." in page


def test_a_line_longer_than_the_header_is_read_by_its_named_cells(client, oncall, components):
    client.force_login(oncall)

    page = upload(client, "channel,address\nemail,extra@example.com,surplus\n", dry_run=True)

    assert "1 subscriber would be added." in page.content.decode()
