"""Subscribers through the management API, read: Statuspage's paths, filters, objects and
pages; a Viewer reads addresses masked and writes nothing."""

import pytest
from django.utils import timezone

from notify.models import Subscriber
from tests.statuspage.api_v1.subscriber_data import (
    HOOK,
    SLACK,
    SUBSCRIBER_KEYS,
    at,
    ids,
    nothing_written,
)

pytestmark = pytest.mark.django_db


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
