"""Subscribers through the management API: Statuspage's paths, filters, objects and batch forms;
every write through notify's services (double opt-in with one message owed, or confirmed on an
operator's word and nothing sent), audited; a Viewer reads addresses masked and writes
nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.models import AuditEntry
from notify.models import Subscriber
from tests.notify import test_signup_redis_down as redis_faults

pytestmark = pytest.mark.django_db
# The sign-up counters' Redis behind a proxy the test can cut (a fixture of the sign-up tests).
limits_proxy = redis_faults.redis_proxy

CONFIRM = "Confirm your subscription to Noroshi status updates"
NOTICE = "Your subscription to Noroshi status updates"
SUBSCRIBER_KEYS = [
    "id",
    "skip_confirmation_notification",
    "mode",
    "email",
    "endpoint",
    "phone_number",
    "phone_country",
    "display_phone_number",
    "obfuscated_channel_name",
    "workspace_name",
    "quarantined_at",
    "purge_at",
    "components",
    "page_access_user_id",
    "created_at",
    # Noroshi's own
    "state",
    "language",
    "incident_id",
    "confirmed_at",
    "unsubscribed_at",
]
HOOK = "https://hooks.example.com/noroshi/s3cret-token"
SLACK = "https://hooks.slack.com/services/T0001/B0001/XXXXXXXXXXXX"


@pytest.fixture
def sms_on(settings):
    """SMS usable (its numbers are checked; nothing is texted by the tests that use this)."""
    settings.TWILIO_ACCOUNT_SID = "AC" + "0" * 32
    settings.TWILIO_AUTH_TOKEN = "token"
    settings.TWILIO_FROM_NUMBER = "+15005550006"
    settings.NOROSHI_SMS_COUNTRY_CODES = "1,44,81"


@pytest.fixture
def people(components):
    """One subscriber in each state and on each channel, created a minute apart (ann first)."""
    now = timezone.now()

    def make(minutes: int, channel: str, address: str, **fields) -> Subscriber:
        return Subscriber.objects.create(
            channel=channel,
            address=address,
            created_at=now - timedelta(minutes=60 - minutes),
            **fields,
        )

    confirmed = {"confirmed_at": now}
    made = {
        "ann": make(1, "email", "ann@example.com", **confirmed),
        "ben": make(2, "email", "ben@example.com"),
        "cy": make(3, "email", "cy@example.com", suspended_at=now, **confirmed),
        "dee": make(4, "email", "dee@example.com", unsubscribed_at=now, **confirmed),
        "eve": make(5, "sms", "+819012345678", language="ja", **confirmed),
        "hook": make(6, "webhook", HOOK, **confirmed),
        "slack": make(7, "slack", SLACK, **confirmed),
    }
    made["ann"].components.set([components["API"]])
    return made


def ids(response) -> list[str]:
    return [row["id"] for row in response.json()]


def at(people, *names) -> list[str]:
    return [people[name].public_id for name in names]


def audited():
    """The audit rows of subscribers (components' own are written by the fixtures)."""
    return AuditEntry.objects.filter(object_type="subscriber")


def nothing_written(count: int) -> None:
    assert Subscriber.objects.count() == count
    assert not audited().exists()


# --- Reading ------------------------------------------------------------------------------------


def test_lists_the_active_subscribers_in_statuspage_s_shape(api, base, people, components):
    response = api.get(f"{base}/subscribers")

    assert response.status_code == 200
    assert ids(response) == at(people, "eve", "ann", "hook", "slack")  # by address
    eve, ann, hook, slack = response.json()
    assert list(ann) == SUBSCRIBER_KEYS
    assert ann | {"created_at": None, "confirmed_at": None} == {
        "id": people["ann"].public_id,
        "skip_confirmation_notification": False,
        "mode": "email",
        "email": "ann@example.com",
        "endpoint": None,
        "phone_number": None,
        "phone_country": None,
        "display_phone_number": None,
        "obfuscated_channel_name": None,
        "workspace_name": None,
        "quarantined_at": None,
        "purge_at": None,
        "components": [components["API"].public_id],
        "page_access_user_id": None,
        "created_at": None,
        "state": "active",
        "language": "en",
        "incident_id": None,
        "confirmed_at": None,
        "unsubscribed_at": None,
    }
    assert (eve["phone_number"], eve["phone_country"], eve["display_phone_number"]) == (
        "090-1234-5678",
        "JP",
        "+81 90-1234-5678",
    )
    assert (hook["endpoint"], hook["obfuscated_channel_name"]) == (HOOK, "hooks.example.com")
    assert (slack["endpoint"], slack["obfuscated_channel_name"]) == (SLACK, "hooks.slack.com")
    assert ann["created_at"].endswith("Z") and ann["created_at"][:4].isdigit()


def test_a_list_reads_a_fixed_number_of_queries(api, base, people, django_assert_num_queries):
    api.get(f"{base}/subscribers")  # the key's first use is noted (once a minute)
    # The key and its user, the role's permissions (2), the page's id, the rows, their
    # components, the page context; however many subscribers there are.
    with django_assert_num_queries(7):
        assert len(api.get(f"{base}/subscribers?state=all").json()) == 7


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("state=all", ["eve", "ann", "ben", "cy", "dee", "hook", "slack"]),
        ("state=unconfirmed", ["ben"]),
        ("state=quarantined", ["cy"]),
        ("state=unsubscribed", ["dee"]),
        ("type=email", ["ann"]),
        ("type=email&state=all", ["ann", "ben", "cy", "dee"]),
        ("type=sms", ["eve"]),
        ("type=webhook", ["hook"]),
        ("type=slack", ["slack"]),
        ("type=integration_partner&state=all", []),
        ("q=EXAMPLE.COM&state=all", ["ann", "ben", "cy", "dee", "hook"]),
        ("q=9012&state=all", ["eve"]),
        # Slack subscribers are never searched: their address is a credential.
        ("q=hooks.slack.com&state=all", []),
        ("state=all&sort_field=created_at", ["ann", "ben", "cy", "dee", "eve", "hook", "slack"]),
        (
            "state=all&sort_field=created_at&sort_direction=desc",
            ["slack", "hook", "eve", "dee", "cy", "ben", "ann"],
        ),
        ("state=all&sort_field=quarantined_at&type=email", ["cy", "ann", "ben", "dee"]),
        ("q=ben@example.com&sort_field=relevance&state=all", ["ben"]),
        ("q=e&sort_field=relevance&state=all&type=email", ["ann", "ben", "cy", "dee"]),
    ],
)
def test_filters_and_orders_as_statuspage_s_parameters_ask(api, base, people, query, expected):
    response = api.get(f"{base}/subscribers?{query}")

    assert response.status_code == 200
    assert ids(response) == at(people, *expected)


def test_relevance_puts_the_whole_address_then_its_beginning_first(api, base, people):
    Subscriber.objects.create(channel="email", address="ann@example.org")
    Subscriber.objects.create(channel="email", address="joann@example.com")

    response = api.get(f"{base}/subscribers?q=ann@example.org&sort_field=relevance&state=all")
    assert [row["email"] for row in response.json()] == ["ann@example.org"]
    response = api.get(f"{base}/subscribers?q=ann&sort_field=relevance&state=all")
    assert [row["email"] for row in response.json()] == [
        "ann@example.com",
        "ann@example.org",
        "joann@example.com",
    ]


def test_pages_count_from_zero_as_on_statuspage_with_link_headers(api, base, people):
    url = f"{base}/subscribers?state=all&sort_field=created_at&limit=3"
    first, second, last = (api.get(f"{url}&page={n}") for n in (0, 1, 2))

    assert [ids(first), ids(second), ids(last)] == [
        at(people, "ann", "ben", "cy"),
        at(people, "dee", "eve", "hook"),
        at(people, "slack"),
    ]
    assert ids(api.get(url)) == ids(first)
    link = "<http://testserver/api/v1/pages/{}/subscribers?state=all&sort_field=created_at&limit=3&page={}>"
    page_id = base.rsplit("/", 1)[1]
    assert first["Link"] == (
        f'{link.format(page_id, 0)}; rel="first", {link.format(page_id, 1)}; rel="next"'
    )
    assert last["Link"] == (
        f'{link.format(page_id, 0)}; rel="first", {link.format(page_id, 1)}; rel="prev"'
    )


def test_at_most_100_subscribers_a_page(api, base):
    Subscriber.objects.bulk_create(
        Subscriber(channel="email", address=f"s{n:03}@example.com", confirmed_at=timezone.now())
        for n in range(101)
    )

    assert len(api.get(f"{base}/subscribers?limit=500").json()) == 100
    assert len(api.get(f"{base}/subscribers?page=1").json()) == 1


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("type=fax", "type", "“fax” is not one of email, sms, webhook, slack, "
                             "integration_partner."),
        ("state=gone", "state", "“gone” is not one of active, unconfirmed, quarantined, "
                                "unsubscribed, all."),
        ("sort_field=relevance", "sort_field", "“relevance” sorts the results of a search: send "
                                               "q as well."),
        ("sort_direction=up", "sort_direction", "“up” is not one of asc, desc."),
        ("limit=0", "limit", "Give a whole number from 1 to 1000000, not “0”."),
        ("page=-1", "page", "Give a whole number from 0 to 1000000, not “-1”."),
    ],
)  # fmt: skip
def test_a_bad_parameter_is_named_with_what_is_expected(api, base, people, query, field, message):
    response = api.get(f"{base}/subscribers?{query}")

    assert response.status_code == 400
    assert response.json() == {"error": f"{field}: {message}", "fields": {field: message}}


def test_reads_one_subscriber_and_404_for_another_id(api, base, people):
    response = api.get(f"{base}/subscribers/{people['cy'].public_id}")

    assert response.status_code == 200
    assert response.json()["state"] == "quarantined"
    assert response.json()["quarantined_at"] is not None
    missing = api.get(f"{base}/subscribers/nosuchsub123")
    assert missing.status_code == 404
    assert missing.json() == {"error": "There is no subscriber “nosuchsub123” of this page."}


def test_counts_by_type_and_state(api, base, people):
    assert api.get(f"{base}/subscribers/count").json() == {
        "count": 4,
        "email": 1,
        "sms": 1,
        "webhook": 1,
        "slack": 1,
        "integration_partner": 0,
    }
    assert api.get(f"{base}/subscribers/count?type=email&state=all").json() == {
        "count": 4,
        "email": 4,
        "sms": 0,
        "webhook": 0,
        "slack": 0,
        "integration_partner": 0,
    }
    assert api.get(f"{base}/subscribers/count?type=integration_partner").json()["count"] == 0
    assert api.get(f"{base}/subscribers/count?state=quarantined").json()["count"] == 1
    assert api.get(f"{base}/subscribers/count?type=fax").status_code == 400


def test_the_histogram_counts_each_type_in_each_state(api, base, people):
    response = api.get(f"{base}/subscribers/histogram_by_state")

    assert response.status_code == 200

    def states(active=0, unconfirmed=0, quarantined=0, unsubscribed=0):
        total = active + unconfirmed + quarantined + unsubscribed
        return {
            "active": active,
            "unconfirmed": unconfirmed,
            "quarantined": quarantined,
            "unsubscribed": unsubscribed,
            "total": total,
        }

    assert response.json() == {
        "email": states(active=1, unconfirmed=1, quarantined=1, unsubscribed=1),
        "sms": states(active=1),
        "webhook": states(active=1),
        "slack": states(active=1),
        "integration_partner": states(),
    }


def test_lists_the_unsubscribed_newest_first(api, base, people):
    Subscriber.objects.create(
        channel="email", address="fay@example.com", unsubscribed_at=timezone.now()
    )

    response = api.get(f"{base}/subscribers/unsubscribed?per_page=1")

    assert [row["email"] for row in response.json()] == ["fay@example.com"]
    assert 'rel="next"' in response["Link"]
    assert ids(api.get(f"{base}/subscribers/unsubscribed?per_page=1&page=2")) == at(people, "dee")


# --- What a Viewer sees -------------------------------------------------------------------------


def test_a_viewer_reads_addresses_masked_and_urls_never(viewer_api, base, people):
    response = viewer_api.get(f"{base}/subscribers?state=all&sort_field=created_at")

    assert response.status_code == 200
    shown = [
        tuple(row[key] for key in ("mode", "email", "phone_number", "display_phone_number"))
        + tuple(row[key] for key in ("endpoint", "obfuscated_channel_name"))
        for row in response.json()
    ]
    assert shown == [
        ("email", "a***@example.com", None, None, None, None),
        ("email", "b***@example.com", None, None, None, None),
        ("email", "c***@example.com", None, None, None, None),
        ("email", "d***@example.com", None, None, None, None),
        ("sms", None, "*** **** 5678", "+81 ** **** 5678", None, None),
        ("webhook", None, None, None, None, "hooks.example.com"),
        ("slack", None, None, None, None, "hooks.slack.com"),
    ]
    body = response.content.decode()
    for secret in ("ann@", "9012345678", "s3cret", "XXXXXXXXXXXX", "1234-5678"):
        assert secret not in body


def test_a_viewer_finds_an_address_only_by_all_of_it(viewer_api, base, people):
    def found(q: str) -> list[str]:
        return ids(viewer_api.get(f"{base}/subscribers?state=all&q={q}"))

    assert found("ann@example.com") == at(people, "ann")
    assert found("ANN@example.com") == at(people, "ann")
    assert found("ann") == []
    assert found("example.com") == []
    assert found("%2B819012345678") == at(people, "eve")
    assert found("5678") == []


def test_a_viewer_reads_one_subscriber_masked(viewer_api, base, people):
    response = viewer_api.get(f"{base}/subscribers/{people['hook'].public_id}")

    assert response.status_code == 200
    assert (response.json()["endpoint"], response.json()["obfuscated_channel_name"]) == (
        None,
        "hooks.example.com",
    )


def test_a_viewer_may_not_write_anything(viewer_api, base, people, mailoutbox):
    ben = people["ben"].public_id
    writes = [
        viewer_api.post(
            f"{base}/subscribers", {"subscriber": {"email": "new@example.com"}}, format="json"
        ),
        viewer_api.delete(f"{base}/subscribers/{ben}"),
        viewer_api.post(f"{base}/subscribers/{ben}/resend_confirmation"),
        viewer_api.post(f"{base}/subscribers/unsubscribe", {"subscribers": ben}, format="json"),
        viewer_api.post(f"{base}/subscribers/reactivate", {"subscribers": "all"}, format="json"),
    ]

    assert [w.status_code for w in writes] == [403] * 5
    assert writes[0].json() == {
        "error": "Your role may not do this (it needs the notify.change_subscriber permission)."
    }
    nothing_written(7)
    assert Subscriber.objects.get(public_id=ben).unsubscribed_at is None
    assert mailoutbox == []


def test_anonymous_requests_are_refused(client, base, people):
    assert client.get(f"{base}/subscribers").status_code in (401, 403)


# --- Creating -----------------------------------------------------------------------------------


def test_a_new_subscriber_is_asked_to_confirm(
    api, base, components, mailoutbox, django_capture_on_commit_callbacks
):
    api_component = components["API"].public_id
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"{base}/subscribers",
            {"subscriber": {"email": "Ann@Example.com", "component_ids": [api_component]}},
            format="json",
        )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["email"], body["state"], body["components"]) == (
        "ann@example.com",
        "unconfirmed",
        [api_component],
    )
    assert body["skip_confirmation_notification"] is False
    ann = Subscriber.objects.get()
    assert (ann.consent_source, ann.confirmed_at, ann.consent_ip) == (
        "api-unconfirmed",
        None,
        "127.0.0.1",
    )
    assert [(m.to, m.subject) for m in mailoutbox] == [(["ann@example.com"], CONFIRM)]


def test_a_form_encoded_subscriber_as_statuspage_clients_send_it(
    api, base, components, mailoutbox, django_capture_on_commit_callbacks
):
    api_id, web_id = components["API"].public_id, components["Web"].public_id
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"{base}/subscribers",
            f"subscriber[email]=ann@example.com&subscriber[component_ids][]={api_id}"
            f"&subscriber[component_ids][]={web_id}&subscriber[language]=ja",
            content_type="application/x-www-form-urlencoded",
        )

    assert response.status_code == 201, response.json()
    ann = Subscriber.objects.get()
    assert sorted(c.public_id for c in ann.components.all()) == sorted([api_id, web_id])
    assert ann.language == "ja"
    assert len(mailoutbox) == 1


def test_the_nulls_a_generated_client_sends_for_what_it_leaves_out_are_ignored(api, base):
    unset = dict.fromkeys(
        [
            "endpoint",
            "phone_number",
            "phone_country",
            "component_ids",
            "skip_confirmation_notification",
            "page_access_user",
            "language",
        ]
    )

    response = api.post(
        f"{base}/subscribers",
        {"subscriber": {"email": "ann@example.com", **unset}},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert (response.json()["state"], response.json()["language"]) == ("unconfirmed", "en")


def test_a_retried_create_makes_one_subscriber_and_owes_one_message(
    api, base, components, mailoutbox, django_capture_on_commit_callbacks
):
    body = {"subscriber": {"email": "ann@example.com"}}
    with django_capture_on_commit_callbacks(execute=True):
        first = api.post(f"{base}/subscribers", body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
        again = api.post(f"{base}/subscribers", body, format="json", HTTP_IDEMPOTENCY_KEY="k1")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Subscriber.objects.count() == 1
    assert [m.subject for m in mailoutbox] == [CONFIRM]


def test_an_address_with_a_subscription_keeps_it_and_is_told(
    api, base, people, components, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"{base}/subscribers",
            {"subscriber": {"email": "ann@example.com", "language": "ja"}},
            format="json",
        )

    assert response.status_code == 200
    assert response.json()["id"] == people["ann"].public_id
    ann = Subscriber.objects.get(pk=people["ann"].pk)
    assert (ann.language, ann.consent_source) == ("en", "page")
    assert [c.name for c in ann.components.all()] == ["API"]
    assert [(m.to, m.subject) for m in mailoutbox] == [(["ann@example.com"], NOTICE)]
    assert Subscriber.objects.count() == 7


def test_skipping_the_confirmation_records_the_operator_s_word_and_sends_nothing(
    api, base, oncall, components, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api.post(
            f"{base}/subscribers",
            {"subscriber": {"email": "ann@example.com", "skip_confirmation_notification": True}},
            format="json",
        )

    assert response.status_code == 201, response.json()
    assert response.json()["skip_confirmation_notification"] is True
    assert response.json()["state"] == "active"
    ann = Subscriber.objects.get()
    assert ann.is_active and ann.consent_source == "api" and ann.confirmation_due_at is None
    audit = audited().get()
    assert (audit.action, audit.actor, audit.object_id, audit.summary) == (
        "subscribe_confirmed",
        oncall,
        ann.public_id,
        "email an…@example.com",
    )
    assert callbacks == [] and mailoutbox == []


def test_skipping_the_confirmation_leaves_an_address_with_a_subscription_alone(
    api, base, people, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"{base}/subscribers",
            {"subscriber": {"email": "dee@example.com", "skip_confirmation_notification": True}},
            format="json",
        )

    message = (
        f"This address has a subscription already ({people['dee'].public_id}): it is kept as "
        "it is, and nothing was sent."
    )
    assert response.status_code == 400
    assert response.json() == {
        "error": f"subscriber.email: {message}",
        "fields": {"subscriber.email": message},
    }
    assert Subscriber.objects.get(pk=people["dee"].pk).unsubscribed_at is not None
    nothing_written(7)
    assert mailoutbox == []


def test_an_sms_subscriber_from_statuspage_s_number_and_country(api, base, sms_on):
    response = api.post(
        f"{base}/subscribers",
        {
            "subscriber": {
                "phone_number": "090-1234-5678",
                "phone_country": "jp",
                "skip_confirmation_notification": True,
            }
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["mode"], body["phone_number"], body["phone_country"]) == (
        "sms",
        "090-1234-5678",
        "JP",
    )
    assert body["display_phone_number"] == "+81 90-1234-5678"
    assert Subscriber.objects.get().address == "+819012345678"


def test_a_webhook_subscriber_s_email_beside_its_endpoint_is_ignored(api, base):
    response = api.post(
        f"{base}/subscribers",
        {
            "subscriber": {
                "endpoint": HOOK,
                "email": "ops@example.com",
                "skip_confirmation_notification": True,
            }
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert (response.json()["mode"], response.json()["endpoint"], response.json()["email"]) == (
        "webhook",
        HOOK,
        None,
    )
    assert Subscriber.objects.get().channel == "webhook"


def test_a_slack_subscriber_by_noroshi_s_own_field(api, base):
    response = api.post(
        f"{base}/subscribers",
        {"subscriber": {"slack_webhook_url": SLACK, "skip_confirmation_notification": True}},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["mode"] == "slack"
    assert Subscriber.objects.get().address == SLACK


def test_a_webhook_asked_to_confirm_is_owed_its_verification(api, base):
    response = api.post(f"{base}/subscribers", {"subscriber": {"endpoint": HOOK}}, format="json")

    assert response.status_code == 201
    hook = Subscriber.objects.get()
    assert (hook.channel, hook.confirmed_at) == ("webhook", None)
    assert hook.confirmation_due_at is not None


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({}, "subscriber", "Send an email, a phone_number with its phone_country, a webhook "
                           "endpoint or a slack_webhook_url."),
        ({"email": "not-an-address"}, "subscriber.email",
         "“not-an-address” is not an e-mail address."),
        ({"email": "a@example.com", "phone_number": "+819012345678"}, "subscriber.email",
         "Send one way to reach the subscriber: phone_number or email."),
        ({"phone_number": "090-1234-5678"}, "subscriber.phone_country",
         "Give the two-letter country the phone_number is dialled in (e.g. JP), or write the "
         "number with + and its country code."),
        ({"phone_number": "090-1234-5678", "phone_country": "XX"}, "subscriber.phone_country",
         "“XX” is not a two-letter country code (e.g. JP)."),
        ({"phone_number": "03-1234-5678", "phone_country": "JP"}, "subscriber.phone_number",
         "“+81312345678” is a landline or service number: SMS needs a mobile number."),
        ({"endpoint": "http://hooks.example.com/x"}, "subscriber.endpoint",
         "“http://hooks.example.com/x” is not an https URL: only https is allowed."),
        ({"slack_webhook_url": HOOK}, "subscriber.slack_webhook_url",
         f"“{HOOK}” is not a Slack incoming-webhook URL (https://hooks.slack.com/services/…)."),
        ({"email": "a@example.com", "component_ids": ["nosuchcomp12"]},
         "subscriber.component_ids", "There is no component “nosuchcomp12”."),
        ({"email": "a@example.com", "language": "fr"}, "subscriber.language",
         "“fr” is not one of en, ja."),
    ],
)  # fmt: skip
@pytest.mark.parametrize("skip", [False, True])
def test_a_bad_subscriber_is_named_field_by_field_and_nothing_is_written_or_sent(
    api, base, components, sms_on, mailoutbox, django_capture_on_commit_callbacks, fields,
    field, message, skip
):  # fmt: skip
    body = {"subscriber": fields | {"skip_confirmation_notification": skip}}
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"{base}/subscribers", body, format="json")

    assert response.status_code == 400
    assert response.json()["fields"] == {field: message}
    nothing_written(0)
    assert mailoutbox == []


def test_sms_is_refused_while_it_is_off(api, base):
    response = api.post(
        f"{base}/subscribers",
        {"subscriber": {"phone_number": "+819012345678"}},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "subscriber.phone_number": "SMS is off: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and "
        "TWILIO_FROM_NUMBER."
    }
    nothing_written(0)


def test_a_body_without_its_envelope_is_told_how_to_send_it(api, base):
    response = api.post(f"{base}/subscribers", {"email": "a@example.com"}, format="json")

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "subscriber": 'Send the fields inside “subscriber”: {"subscriber": {…}}.'
    }
    nothing_written(0)


def test_an_address_s_share_of_messages_is_kept_as_on_the_subscribe_page(
    api, base, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.NOROSHI_SIGNUPS_PER_ADDRESS_HOUR = 1
    body = {"subscriber": {"email": "ann@example.com"}}
    with django_capture_on_commit_callbacks(execute=True):
        first = api.post(f"{base}/subscribers", body, format="json")
        second = api.post(f"{base}/subscribers", body, format="json")

    assert (first.status_code, second.status_code) == (201, 429)
    assert second.json()["error"].startswith(
        "We have sent several messages to this address in the last hour; try again in an hour."
    )
    assert 0 < int(second["Retry-After"]) <= 3600
    assert [m.subject for m in mailoutbox] == [CONFIRM]
    # Confirmed on the operator's word, nothing is sent: no share is taken.
    skip = {"subscriber": {"email": "ben@example.com", "skip_confirmation_notification": True}}
    assert api.post(f"{base}/subscribers", skip, format="json").status_code == 201


def test_the_api_s_sign_ups_are_not_counted_by_network(
    api, base, settings, django_capture_on_commit_callbacks
):
    settings.NOROSHI_SIGNUPS_PER_IP_HOUR = 1
    with django_capture_on_commit_callbacks(execute=True):
        for name in ("ann", "ben"):
            body = {"subscriber": {"email": f"{name}@example.com"}}
            assert api.post(f"{base}/subscribers", body, format="json").status_code == 201


def test_with_the_limits_unreadable_nothing_is_owed_and_the_client_told_to_wait(
    api, base, limits_proxy, mailoutbox, django_capture_on_commit_callbacks
):
    limits_proxy.cut()
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"{base}/subscribers", {"subscriber": {"email": "ann@example.com"}}, format="json"
        )

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json() == {
        "error": "Sign-ups are paused for a moment. Nothing was saved: try again shortly."
    }
    nothing_written(0)
    assert mailoutbox == []
    # Confirmed on the operator's word, nothing is sent: the limits are not asked.
    skip = {"subscriber": {"email": "ann@example.com", "skip_confirmation_notification": True}}
    assert api.post(f"{base}/subscribers", skip, format="json").status_code == 201


# --- Unsubscribing, resending, reactivating -----------------------------------------------------


def test_delete_unsubscribes_and_keeps_the_row(api, base, oncall, people):
    ben = people["ben"]
    Subscriber.objects.filter(pk=ben.pk).update(confirmation_due_at=timezone.now())

    response = api.delete(f"{base}/subscribers/{ben.public_id}")

    assert response.status_code == 200
    assert (response.json()["id"], response.json()["state"]) == (ben.public_id, "unsubscribed")
    ben.refresh_from_db()
    assert ben.unsubscribed_at is not None
    assert ben.confirmation_due_at is None  # its owed confirmation dies with it
    audit = audited().get()
    assert (audit.action, audit.actor, audit.object_id) == ("unsubscribe", oncall, ben.public_id)
    again = api.delete(f"{base}/subscribers/{ben.public_id}")
    assert again.status_code == 200
    assert audited().count() == 1
    assert api.delete(f"{base}/subscribers/nosuchsub123").status_code == 404


def test_resending_owes_one_confirmation_however_often_it_is_asked_before_it_goes(
    api, base, settings, components, mailoutbox, django_capture_on_commit_callbacks
):
    settings.NOROSHI_SIGNUPS_PER_ADDRESS_HOUR = 10
    body = {"subscriber": {"email": "ann@example.com"}}
    created = api.post(f"{base}/subscribers", body, format="json")
    url = f"{base}/subscribers/{created.json()['id']}/resend_confirmation"

    with django_capture_on_commit_callbacks(execute=True):
        first, second = api.post(url), api.post(url)
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.content == b""
    assert [m.subject for m in mailoutbox] == [CONFIRM]

    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(url).status_code == 201  # asked again after it went: one more
    assert [m.subject for m in mailoutbox] == [CONFIRM, CONFIRM]
    assert audited().filter(action="resend_confirmation").count() == 3


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("ann", "This subscriber has confirmed already."),
        ("cy", "Messages to this subscriber could not be delivered and were stopped."),
        ("dee", "This subscriber unsubscribed: nothing is sent to it any more."),
    ],
)
def test_only_an_unconfirmed_subscriber_is_sent_its_confirmation_again(
    api, base, people, mailoutbox, django_capture_on_commit_callbacks, name, message
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"{base}/subscribers/{people[name].public_id}/resend_confirmation")

    assert response.status_code == 422
    assert response.json() == {"error": message}
    assert Subscriber.objects.get(pk=people[name].pk).confirmation_due_at is None
    nothing_written(7)
    assert mailoutbox == []


def test_batch_unsubscribe_takes_statuspage_s_comma_separated_ids(api, base, people):
    named = ",".join(at(people, "ann", "eve"))

    response = api.post(f"{base}/subscribers/unsubscribe", {"subscribers": named}, format="json")

    assert response.status_code == 201
    assert response.json() == {"subscribers": at(people, "ann", "eve")}
    assert set(Subscriber.objects.filter(unsubscribed_at__isnull=False)) == {
        people["ann"],
        people["eve"],
        people["dee"],
    }
    assert audited().filter(action="unsubscribe").count() == 2


def test_batch_unsubscribe_takes_a_list_form_encoded_and_a_type(api, base, people):
    response = api.post(
        f"{base}/subscribers/unsubscribe",
        f"subscribers[]={people['ann'].public_id}&subscribers[]={people['hook'].public_id}"
        "&type=webhook",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 201
    assert response.json() == {"subscribers": at(people, "hook")}


def test_batch_unsubscribe_of_all_takes_the_active_ones_of_a_type(api, base, people):
    response = api.post(
        f"{base}/subscribers/unsubscribe",
        {"subscribers": "all", "type": "email", "skip_unsubscription_notification": True},
        format="json",
    )

    assert response.json() == {"subscribers": at(people, "ann")}
    assert Subscriber.objects.get(pk=people["ben"].pk).unsubscribed_at is None


def test_batch_unsubscribe_of_all_refuses_more_than_100(api, base):
    Subscriber.objects.bulk_create(
        Subscriber(channel="email", address=f"s{n:03}@example.com", confirmed_at=timezone.now())
        for n in range(101)
    )

    response = api.post(f"{base}/subscribers/unsubscribe", {"subscribers": "all"}, format="json")

    assert response.status_code == 422
    assert response.json() == {
        "error": "More than 100 subscribers match: name them, 100 at a time."
    }
    assert not Subscriber.objects.filter(unsubscribed_at__isnull=False).exists()


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"subscribers": ""}, "subscribers", "Name at least one subscriber, or “all”."),
        ({"subscribers": 5}, "subscribers", "Send the subscriber ids as a list, as “id1,id2”, "
                                            "or “all”."),
        ({"subscribers": ",".join(f"id{n:010}" for n in range(101))}, "subscribers",
         "Name at most 100 subscribers at once."),
        ({}, "subscribers", "This field is required."),
        ({"subscribers": "all", "state": "gone"}, "state",
         "“gone” is not one of active, unconfirmed, quarantined, unsubscribed, all."),
    ],
)  # fmt: skip
def test_a_bad_batch_is_named_and_nothing_is_written(api, base, people, body, field, message):
    response = api.post(f"{base}/subscribers/unsubscribe", body, format="json")

    assert response.status_code == 400
    assert response.json()["fields"] == {field: message}
    assert Subscriber.objects.filter(unsubscribed_at__isnull=False).count() == 1
    nothing_written(7)


def test_a_batch_naming_an_unknown_subscriber_unsubscribes_none(api, base, people):
    named = f"{people['ann'].public_id},nosuchsub123"

    response = api.post(f"{base}/subscribers/unsubscribe", {"subscribers": named}, format="json")

    assert response.status_code == 400
    assert response.json()["fields"] == {"subscribers": "There is no subscriber “nosuchsub123”."}
    assert Subscriber.objects.get(pk=people["ann"].pk).unsubscribed_at is None
    nothing_written(7)


def test_reactivate_lifts_the_quarantine_only(api, base, people):
    Subscriber.objects.filter(pk=people["cy"].pk).update(
        suspended_reason="bounced", consecutive_failures=3
    )
    named = at(people, "cy", "dee", "ann")

    response = api.post(f"{base}/subscribers/reactivate", {"subscribers": named}, format="json")

    assert response.status_code == 201
    assert response.json() == {"subscribers": at(people, "cy")}
    cy = Subscriber.objects.get(pk=people["cy"].pk)
    assert (cy.is_active, cy.suspended_reason, cy.consecutive_failures) == (True, "", 0)
    assert Subscriber.objects.get(pk=people["dee"].pk).unsubscribed_at is not None
    assert audited().get().action == "reactivate"


def test_reactivate_all_takes_the_quarantined(api, base, people):
    response = api.post(f"{base}/subscribers/reactivate", {"subscribers": "all"}, format="json")

    assert response.json() == {"subscribers": at(people, "cy")}


def test_a_retried_batch_acts_once(api, base, people):
    body = {"subscribers": people["ann"].public_id}
    for _ in range(2):
        response = api.post(
            f"{base}/subscribers/unsubscribe", body, format="json", HTTP_IDEMPOTENCY_KEY="b1"
        )
        assert response.json() == {"subscribers": at(people, "ann")}

    assert audited().count() == 1


# --- Incident subscribers -----------------------------------------------------------------------


@pytest.fixture
def incident_base(base, outage) -> str:
    return f"{base}/incidents/{outage.public_id}"


def test_an_incident_subscriber_is_created_listed_read_and_unsubscribed(
    api, incident_base, outage, people, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post(
            f"{incident_base}/subscribers",
            {"subscriber": {"email": "fay@example.com"}},
            format="json",
        )

    assert created.status_code == 201, created.json()
    fay = Subscriber.objects.get(address="fay@example.com")
    assert (fay.incident, created.json()["incident_id"]) == (outage, outage.public_id)
    assert [m.subject for m in mailoutbox] == [CONFIRM]
    assert ids(api.get(f"{incident_base}/subscribers?state=all")) == [fay.public_id]
    assert ids(api.get(f"{incident_base}/subscribers")) == []  # active only, by default
    one = f"{incident_base}/subscribers/{fay.public_id}"
    assert api.get(one).json()["id"] == fay.public_id
    assert api.delete(one).json()["state"] == "unsubscribed"


def test_an_incident_subscriber_confirmed_on_the_operator_s_word(api, incident_base, outage):
    response = api.post(
        f"{incident_base}/subscribers",
        {"subscriber": {"email": "fay@example.com", "skip_confirmation_notification": True}},
        format="json",
    )

    assert response.status_code == 201
    assert (response.json()["state"], response.json()["incident_id"]) == (
        "active",
        outage.public_id,
    )


def test_a_page_subscriber_is_not_found_under_an_incident(api, incident_base, people):
    ann = people["ann"].public_id

    response = api.get(f"{incident_base}/subscribers/{ann}")

    assert response.status_code == 404
    assert response.json() == {"error": f"There is no subscriber “{ann}” of this incident."}
    assert api.delete(f"{incident_base}/subscribers/{ann}").status_code == 404
    assert Subscriber.objects.get(public_id=ann).unsubscribed_at is None


def test_an_incident_subscriber_chooses_no_components(api, incident_base, components):
    response = api.post(
        f"{incident_base}/subscribers",
        {"subscriber": {"email": "f@example.com", "component_ids": [components["API"].public_id]}},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "subscriber.component_ids": "A subscriber of one incident follows it whole."
    }
    nothing_written(0)


def test_an_unknown_incident_is_404(api, base):
    response = api.get(f"{base}/incidents/nosuchinc123/subscribers")

    assert response.status_code == 404
    assert response.json() == {"error": "There is no incident “nosuchinc123” on this page."}


def test_an_incident_subscriber_is_sent_its_confirmation_again(
    api, incident_base, outage, mailoutbox, django_capture_on_commit_callbacks
):
    fay = Subscriber.objects.create(channel="email", address="fay@example.com", incident=outage)

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"{incident_base}/subscribers/{fay.public_id}/resend_confirmation")

    assert response.status_code == 201
    assert [m.subject for m in mailoutbox] == [CONFIRM]


def test_a_viewer_reads_an_incident_s_subscribers_masked_and_writes_nothing(
    viewer_api, incident_base, outage
):
    fay = Subscriber.objects.create(
        channel="email", address="fay@example.com", incident=outage, confirmed_at=timezone.now()
    )

    listed = viewer_api.get(f"{incident_base}/subscribers")
    assert [row["email"] for row in listed.json()] == ["f***@example.com"]
    writes = [
        viewer_api.post(
            f"{incident_base}/subscribers",
            {"subscriber": {"email": "g@example.com"}},
            format="json",
        ),
        viewer_api.delete(f"{incident_base}/subscribers/{fay.public_id}"),
        viewer_api.post(f"{incident_base}/subscribers/{fay.public_id}/resend_confirmation"),
    ]
    assert [w.status_code for w in writes] == [403] * 3
    nothing_written(1)
