"""The webhook channel against a real HTTPS receiver: Statuspage's payloads with their exact
keys, a signature the receiver can check, one Idempotency-Key per delivery whatever the
retries, each answer classified, the verification message, and component events."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from incidents import selectors
from incidents import services as incident_services
from incidents.choices import StatusChangeSource
from incidents.models import Component, PageSettings, PostMortem
from notify import delivery, outbox, services
from notify.channels.webhook import signature
from notify.models import Delivery, Notification, Subscriber
from notify.signing import unsubscribe_url
from tests.notify.fan_out import fan_out
from tests.notify.recovery import POSTED_AT
from tests.notify.test_netguard import NOT_ASCII
from tests.statuspage.test_api_v2_openapi import DOCUMENT_URI, openapi_document
from tests.webhook_receiver import DROP, status

pytestmark = pytest.mark.django_db

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}(Z|[+-]\d\d:\d\d)$")
API_INCIDENT_KEYS = {
    "id", "name", "status", "impact", "created_at", "updated_at", "monitoring_at",
    "resolved_at", "started_at", "shortlink", "page_id", "incident_updates", "components",
}  # fmt: skip
WEBHOOK_EXTRA_KEYS = {
    "backfilled", "impact_override", "postmortem_body", "postmortem_published_at",
    "scheduled_for", "scheduled_until", "scheduled_remind_prior", "scheduled_auto_in_progress",
    "scheduled_auto_completed",
}  # fmt: skip
META_KEYS = {"unsubscribe", "documentation", "generated_at"}
PAGE_KEYS = {"id", "status_indicator", "status_description"}


def schema_errors(instance: dict, schema: str) -> list[str]:
    """What the API v2 OpenAPI schema `schema` finds wrong with `instance`."""
    resource = Resource.from_contents(openapi_document(), default_specification=DRAFT202012)
    validator = Draft202012Validator(
        {"$ref": f"{DOCUMENT_URI}#/components/schemas/{schema}"},
        registry=Registry().with_resource(DOCUMENT_URI, resource),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(instance)]


def deliver(notification: Notification) -> dict[str, int]:
    fan_out(notification.pk)
    return delivery.deliver_batch(
        list(notification.deliveries.order_by("id").values_list("id", flat=True))
    )


def without_generated_at(request) -> dict:
    event = request.json()
    del event["meta"]["generated_at"]
    return event


def make_due(notification: Notification) -> None:
    """The backoff has passed (its length is delivery.py's business)."""
    notification.deliveries.filter(state="pending").update(next_attempt_at=timezone.now())


def test_an_incident_event_has_statuspage_keys_and_shapes(outage, hook, webhook_receiver, settings):
    subscriber = hook("/hooks/a")
    update = incident_services.post_update(
        incident=outage, status="identified", body="A bad **deploy**."
    )
    assert deliver(Notification.objects.get(update=update)) == {"sent": 1}

    [request] = webhook_receiver.received("/hooks/a")
    event = request.json()
    assert list(event) == ["meta", "page", "incident"]
    assert set(event["meta"]) == META_KEYS
    assert event["meta"]["unsubscribe"] == unsubscribe_url(subscriber)
    assert event["meta"]["documentation"] == settings.NOROSHI_WEBHOOK_DOCUMENTATION_URL
    assert TIMESTAMP.match(event["meta"]["generated_at"])
    assert event["page"] == {
        "id": PageSettings.objects.get().public_id,
        "status_indicator": "major",
        "status_description": "Partial System Outage",
    }
    incident = event["incident"]
    assert set(incident) == API_INCIDENT_KEYS | WEBHOOK_EXTRA_KEYS
    assert schema_errors({k: incident[k] for k in API_INCIDENT_KEYS}, "Incident") == []
    assert [u["body"] for u in incident["incident_updates"]] == [
        "A bad **deploy**.",
        "Investigating.",
    ]
    assert {k: incident[k] for k in WEBHOOK_EXTRA_KEYS} == {
        "backfilled": False,
        "impact_override": None,
        "postmortem_body": None,
        "postmortem_published_at": None,
        "scheduled_for": None,
        "scheduled_until": None,
        "scheduled_remind_prior": False,
        "scheduled_auto_in_progress": False,
        "scheduled_auto_completed": False,
    }


def test_a_maintenance_event_carries_its_window(components, hook, webhook_receiver):
    hook("/hooks/a")
    start = timezone.now() + timedelta(days=1)
    maintenance = incident_services.schedule_maintenance(
        name="Database upgrade",
        body="We will upgrade the database.",
        scheduled_for=start,
        scheduled_until=start + timedelta(hours=2),
        components=[components["Database"]],
        remind_minutes_before=60,
        auto_complete=False,
    )
    assert deliver(Notification.objects.get(incident=maintenance)) == {"sent": 1}

    incident = webhook_receiver.received("/hooks/a")[0].json()["incident"]
    assert set(incident) == API_INCIDENT_KEYS | WEBHOOK_EXTRA_KEYS
    api_keys = API_INCIDENT_KEYS | {"scheduled_for", "scheduled_until"}
    assert schema_errors({k: incident[k] for k in api_keys}, "ScheduledMaintenance") == []
    assert (incident["impact"], incident["status"]) == ("maintenance", "scheduled")
    assert (
        incident["scheduled_remind_prior"],
        incident["scheduled_auto_in_progress"],
        incident["scheduled_auto_completed"],
    ) == (True, True, False)


def test_a_post_mortem_event_carries_its_summary(outage, hook, webhook_receiver):
    hook("/hooks/a")
    now = timezone.now()
    postmortem = PostMortem.objects.create(
        incident=outage,
        status="published",
        summary="A bad deploy broke the API.",
        reviewed_at=now,
        published_at=now,
    )
    assert deliver(outbox.record_postmortem(postmortem)) == {"sent": 1}

    incident = webhook_receiver.received("/hooks/a")[0].json()["incident"]
    assert incident["postmortem_body"] == "A bad deploy broke the API."
    assert TIMESTAMP.match(incident["postmortem_published_at"])


def test_a_japanese_subscriber_gets_the_japanese_text(components, hook, webhook_receiver):
    hook("/hooks/ja", language="ja")
    incident = incident_services.declare_incident(
        name="API errors", name_ja="APIエラー", body="Investigating.", body_ja="調査中です。"
    )
    assert deliver(Notification.objects.get(incident=incident)) == {"sent": 1}
    event = webhook_receiver.received("/hooks/ja")[0].json()["incident"]
    assert (event["name"], event["incident_updates"][0]["body"]) == ("APIエラー", "調査中です。")


@pytest.mark.parametrize(
    ("language", "names"),
    [
        ("en", ["Platform - Queue", "API", "Web"]),
        ("ja", ["プラットフォーム - キュー", "API", "ウェブ"]),
    ],
)
def test_an_update_carries_its_components_and_time_in_statuspages_keys(
    recovery, hook, webhook_receiver, language, names
):
    hook("/hooks/a", language=language)
    assert deliver(Notification.objects.get(update=recovery)) == {"sent": 1}
    event = webhook_receiver.received("/hooks/a")[0].json()
    assert list(event) == ["meta", "page", "incident"]
    assert set(event["incident"]) == API_INCIDENT_KEYS | WEBHOOK_EXTRA_KEYS
    assert schema_errors({k: event["incident"][k] for k in API_INCIDENT_KEYS}, "Incident") == []
    newest, declared = event["incident"]["incident_updates"]
    assert (newest["status"], newest["display_at"], declared["display_at"]) == (
        "monitoring",
        "2026-12-05T17:35:00.000+09:00",
        "2026-12-05T17:05:00.000+09:00",
    )
    queue, api, web = (Component.objects.get(name=n).public_id for n in ("Queue", "API", "Web"))
    assert [list(row) for row in newest["affected_components"]] == [
        ["code", "name", "old_status", "new_status"]
    ] * 3
    assert [tuple(row.values()) for row in newest["affected_components"]] == [
        (queue, names[0], "major_outage", "major_outage"),
        (api, names[1], "partial_outage", "operational"),
        (web, names[2], "operational", "degraded_performance"),
    ]


def test_an_update_that_set_no_component_carries_none(outage, hook, webhook_receiver):
    hook("/hooks/a")
    update = incident_services.post_update(incident=outage, status="identified", body="Found.")
    assert deliver(Notification.objects.get(update=update)) == {"sent": 1}
    newest = webhook_receiver.received("/hooks/a")[0].json()["incident"]["incident_updates"][0]
    assert newest["affected_components"] is None


def test_the_unsubscribe_link_is_each_subscribers_own_and_nothing_else_changes(
    outage, hook, webhook_receiver
):
    first, second = hook("/hooks/a"), hook("/hooks/b")
    update = incident_services.post_update(
        incident=outage, status="identified", body="Literally {unsubscribe_url} here."
    )
    assert deliver(Notification.objects.get(update=update)) == {"sent": 2}
    for subscriber, path in ((first, "/hooks/a"), (second, "/hooks/b")):
        event = webhook_receiver.received(path)[0].json()
        assert event["meta"]["unsubscribe"] == unsubscribe_url(subscriber)
        assert (
            event["incident"]["incident_updates"][0]["body"] == "Literally {unsubscribe_url} here."
        )


def test_every_request_is_signed_and_carries_the_delivery_key(outage, hook, webhook_receiver):
    subscriber = hook("/hooks/a")
    update = incident_services.post_update(incident=outage, status="identified", body="Found it.")
    notification = Notification.objects.get(update=update)
    deliver(notification)

    [request] = webhook_receiver.received("/hooks/a")
    assert request.signature_ok is True
    timestamp = request.headers["x-noroshi-timestamp"]
    assert request.headers["x-noroshi-signature"] == signature(
        subscriber.secret, timestamp, request.body
    )
    assert request.headers["content-type"] == "application/json"
    assert request.headers["user-agent"] == "Noroshi-Webhook/1"
    assert request.headers["idempotency-key"] == f"noroshi-{notification.pk}-{subscriber.pk}"
    assert abs(int(timestamp) - timezone.now().timestamp()) < 600


def test_a_retry_carries_the_same_idempotency_key(outage, hook, webhook_receiver):
    hook("/hooks/a")
    webhook_receiver.plan("/hooks/a", status(503, b"busy"))
    update = incident_services.post_update(incident=outage, status="identified", body="Found it.")
    notification = Notification.objects.get(update=update)
    assert deliver(notification) == {"retry": 1}
    assert Delivery.objects.get().error == "HTTP 503: busy"
    make_due(notification)
    assert deliver(notification) == {"sent": 1}

    first, second = webhook_receiver.received("/hooks/a")
    assert first.headers["idempotency-key"] == second.headers["idempotency-key"]
    assert without_generated_at(first) == without_generated_at(second)
    assert (first.signature_ok, second.signature_ok) == (True, True)


def test_an_answer_lost_after_the_body_is_retried_under_the_same_key(
    outage, hook, webhook_receiver
):
    hook("/hooks/a")
    webhook_receiver.plan("/hooks/a", DROP)
    update = incident_services.post_update(incident=outage, status="identified", body="Found it.")
    notification = Notification.objects.get(update=update)
    assert deliver(notification) == {"retry": 1}  # UnknownOutcome: webhooks try again
    make_due(notification)
    assert deliver(notification) == {"sent": 1}

    assert len(webhook_receiver.received("/hooks/a")) == 2
    assert len(webhook_receiver.events("/hooks/a")) == 1  # a de-duplicating receiver: once
    assert Delivery.objects.get().state == "sent"


def test_a_component_change_sends_one_component_event_per_webhook_subscriber(
    components, hook, webhook_receiver, subscriber_factory
):
    hook("/hooks/a")
    hook("/hooks/b", components=[components["API"]])
    hook("/hooks/web-only", components=[components["Web"]])
    hook("/hooks/unconfirmed", confirmed=False)
    Subscriber.objects.create(
        channel="slack",
        address=webhook_receiver.url("/services/T1/B1/x"),
        confirmed_at=timezone.now(),
    )
    subscriber_factory("ann@example.com")
    change = incident_services.set_component_status(
        component=components["API"], status="partial_outage", source=StatusChangeSource.ADMIN
    )
    notification = Notification.objects.get(component_change=change)
    assert deliver(notification) == {"sent": 2}
    assert webhook_receiver.per_path() == {"/hooks/a": 1, "/hooks/b": 1}

    event = webhook_receiver.received("/hooks/a")[0].json()
    api = components["API"]
    api.refresh_from_db()
    assert list(event) == ["meta", "page", "component", "component_update"]
    assert set(event["meta"]) == META_KEYS and set(event["page"]) == PAGE_KEYS
    assert event["component"] == {
        "id": api.public_id,
        "name": "API",
        "status": "partial_outage",
        "created_at": event["component"]["created_at"],
        "updated_at": event["component"]["updated_at"],
        "position": api.position,
        "description": None,
        "showcase": True,
        "page_id": PageSettings.objects.get().public_id,
        "group_id": None,
    }
    update = event["component_update"]
    assert list(update) == [
        "id", "component_id", "old_status", "new_status", "created_at", "component_type",
    ]  # fmt: skip
    assert re.fullmatch(r"[a-z0-9]{12}", update["id"])
    assert (update["component_id"], update["old_status"], update["new_status"]) == (
        api.public_id,
        "operational",
        "partial_outage",
    )
    assert update["component_type"] == "Component"
    assert all(TIMESTAMP.match(update[k]) for k in ("created_at",))
    assert event["page"]["status_indicator"] == selectors.page_status().indicator
    # The same change, the same id, on every attempt and to every subscriber.
    assert webhook_receiver.received("/hooks/b")[0].json()["component_update"]["id"] == update["id"]


def test_a_component_event_says_when_the_change_happened_in_the_pages_zone(
    components, hook, webhook_receiver
):
    hook("/hooks/a")
    incident_services.edit_page_settings(time_zone="Asia/Tokyo")
    with time_machine.travel(POSTED_AT, tick=False):
        change = incident_services.set_component_status(
            component=components["API"], status="major_outage", source=StatusChangeSource.ADMIN
        )
    with time_machine.travel(POSTED_AT + timedelta(minutes=10), tick=False):
        incident_services.set_component_status(
            component=components["API"], status="operational", source=StatusChangeSource.ADMIN
        )
    assert deliver(Notification.objects.get(component_change=change)) == {"sent": 1}
    event = webhook_receiver.received("/hooks/a")[0].json()
    # The component as this change left it, at this change's time (not the later one's).
    assert (event["component"]["status"], event["component"]["updated_at"]) == (
        "major_outage",
        "2026-12-05T17:35:00.000+09:00",
    )
    assert event["component_update"]["created_at"] == "2026-12-05T17:35:00.000+09:00"


def test_subscribing_sends_a_signed_verification_and_the_link_confirms(
    client, webhook_receiver, django_capture_on_commit_callbacks
):
    url = webhook_receiver.url("/hooks/new")
    with django_capture_on_commit_callbacks(execute=True):
        subscriber = services.subscribe(channel="webhook", address=url)
    [request] = webhook_receiver.received("/hooks/new")
    event = request.json()
    assert list(event) == ["meta", "verification"]
    assert set(event["meta"]) == META_KEYS
    assert set(event["verification"]) == {"confirm_url", "signing_secret"}
    secret = event["verification"]["signing_secret"]
    assert secret == subscriber.secret
    timestamp = request.headers["x-noroshi-timestamp"]
    assert request.headers["x-noroshi-signature"] == signature(secret, timestamp, request.body)
    assert request.headers["idempotency-key"].startswith(f"noroshi-confirm-{subscriber.public_id}-")

    path = event["verification"]["confirm_url"].removeprefix("http://127.0.0.1:8000")
    assert client.get(path).status_code == 200
    assert Subscriber.objects.get().confirmed_at is None  # opening the page confirms nothing
    assert client.post(path).status_code == 200
    assert Subscriber.objects.get().confirmed_at is not None


@pytest.mark.parametrize(
    ("address", "message"),
    [
        (
            "http://example.com/hook",
            "“http://example.com/hook” is not an https URL: only https is allowed.",
        ),
        ("https://10.0.0.5/hook", "10.0.0.5 is a private address."),
        (
            "https://[::ffff:192.168.0.1]/x",
            "::ffff:192.168.0.1 is a private address (IPv4 192.168.0.1 inside IPv6).",
        ),
        ("https://bob:pw@example.com/hook", "The URL must not contain a user name or password."),
        ("https://example.com/" + "x" * 481, "The URL is longer than 500 characters."),
        ("not a url", NOT_ASCII),
    ],
)
def test_bad_webhook_addresses_are_refused_and_nothing_is_written(
    webhook_receiver, address, message
):
    with pytest.raises(ValidationError) as error:
        services.subscribe(channel="webhook", address=address)
    assert error.value.message_dict == {"address": [message]}
    assert Subscriber.objects.count() == 0
    assert webhook_receiver.received() == []
