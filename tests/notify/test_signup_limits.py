"""Sign-up limits on the public page: per network, per address whatever the network, per
number, per number prefix and a page-wide daily SMS budget; a refusal is a 429 that writes and
sends nothing."""

import re
import time

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError

from notify import abuse, signup_counters
from notify.models import Subscriber
from tests.notify.subscription_pages import errors_beside, form_for
from tests.statuspage.page_html import parse

pytestmark = pytest.mark.django_db(transaction=True)


# --- Sign-up limits ------------------------------------------------------------------------------


def test_too_many_signups_from_one_network_are_refused(client, components, mailoutbox, settings):
    settings.NOROSHI_SIGNUPS_PER_IP_HOUR = 2
    for n in range(2):
        assert client.post("/subscribe", form_for(address=f"s{n}@example.com")).status_code == 200

    response = client.post("/subscribe", form_for(address="s2@example.com"))

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
    summary = parse(response.content).find("div", cls="error-summary")
    assert summary.find("li").text() == "Too many sign-ups from your network; try again in an hour."
    assert sorted(Subscriber.objects.values_list("address", flat=True)) == [
        "s0@example.com",
        "s1@example.com",
    ]
    assert len(mailoutbox) == 2


def test_a_refused_signup_costs_nothing(client, components, settings):
    settings.NOROSHI_SIGNUPS_PER_IP_HOUR = 1
    assert client.post("/subscribe", form_for(address="bad")).status_code == 400
    assert client.post("/subscribe", form_for(address="ok@example.com")).status_code == 200


def test_forwarded_for_counts_only_as_far_as_trusted_proxies_wrote_it(client, components, settings):
    settings.NOROSHI_SIGNUPS_PER_IP_HOUR = 1
    spoofed = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "203.0.113.1"}
    assert client.post("/subscribe", form_for(address="a@x.jp"), **spoofed).status_code == 200
    spoofed["HTTP_X_FORWARDED_FOR"] = "203.0.113.2"
    assert client.post("/subscribe", form_for(address="b@x.jp"), **spoofed).status_code == 429

    settings.NOROSHI_TRUSTED_PROXIES = 1
    for n, forwarded in enumerate(["1.2.3.4, 198.51.100.1", "1.2.3.4, 198.51.100.2"]):
        behind = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": forwarded}
        assert (
            client.post("/subscribe", form_for(address=f"c{n}@x.jp"), **behind).status_code == 200
        )
    assert str(Subscriber.objects.get(address="c1@x.jp").consent_ip) == "198.51.100.2"
    # The client's own entry (1.2.3.4) is not the one counted.
    again = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 198.51.100.1"}
    assert client.post("/subscribe", form_for(address="d@x.jp"), **again).status_code == 429


# Networks apart: IPv4 addresses, and IPv6 addresses in different /64s.
NETWORKS = (
    "192.0.2.1", "198.51.100.2", "203.0.113.3", "192.0.2.44",
    "2001:db8:1::1", "2001:db8:2::1", "2001:db8:3::1", "2001:db8:4::1",
)  # fmt: skip


def answer_page(response, address: str) -> str:
    """The answer page without what differs between any two renderings: the address typed
    (shown back in the form) and the CSRF token (masked afresh each time)."""
    html = response.content.decode().replace(address, "ADDRESS")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "CSRF", html)


def test_one_address_from_many_networks_is_refused_past_its_own_limit_known_or_not(
    client, components, mailoutbox, settings, subscriber_factory
):
    """Issue 11 item 7: the per-address limit (notify.abuse.PER_ADDRESS) counts the address
    across every network, and its refusal reads the same whether the address is subscribed."""
    settings.NOROSHI_SIGNUPS_PER_ADDRESS_HOUR = 2
    settings.NOROSHI_SIGNUPS_PER_IP_HOUR = 1  # each network signs up once: never the refusal
    subscriber_factory("known@example.com")
    known_row = list(Subscriber.objects.values())
    networks = iter(NETWORKS)
    refusals = {}
    for address in ("known@example.com", "new@example.com"):
        for _ in range(2):
            sent = client.post("/subscribe", form_for(address=address), REMOTE_ADDR=next(networks))
            assert sent.status_code == 200
        network = next(networks)
        refusals[address] = client.post(
            "/subscribe", form_for(address=address), REMOTE_ADDR=network
        )
        # The refusal took nothing from the network: another address signs up from it.
        other = form_for(address=f"other-{address}")
        assert client.post("/subscribe", other, REMOTE_ADDR=network).status_code == 200

    known, new = refusals["known@example.com"], refusals["new@example.com"]
    assert (known.status_code, new.status_code) == (429, 429)
    assert 0 < int(known["Retry-After"]) <= 3600 and 0 < int(new["Retry-After"]) <= 3600
    assert errors_beside(parse(known.content), "address") == (
        "Error: We have sent several messages to this address in the last hour; "
        "try again in an hour."
    )
    assert answer_page(known, "known@example.com") == answer_page(new, "new@example.com")
    assert list(Subscriber.objects.filter(address="known@example.com").values()) == known_row
    assert Subscriber.objects.filter(address="new@example.com").count() == 1
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        ["known@example.com"] * 2 + ["new@example.com"] * 2
        + ["other-known@example.com", "other-new@example.com"]
    )  # fmt: skip


def test_too_many_codes_to_one_number_are_refused_and_nothing_is_sent(
    client, components, twilio, settings
):
    settings.NOROSHI_SMS_CONFIRMATIONS_PER_NUMBER_DAY = 1
    form = form_for(channel="sms", address="+819012345678")
    assert client.post("/subscribe", form).status_code == 200
    before = Subscriber.objects.values().get()

    response = client.post("/subscribe", {**form, "language": "ja"})

    assert response.status_code == 429
    assert errors_beside(parse(response.content), "address") == (
        "Error: Too many confirmation codes were sent to this number today; try again tomorrow."
    )
    assert Subscriber.objects.values().get() == before
    assert len(twilio.messages) == 1


def test_client_ip_counts_an_ipv6_client_by_its_slash_64():
    assert abuse.network_of("2001:db8:1:2:aaaa::1") == abuse.network_of("2001:db8:1:2:bbbb::9")
    assert abuse.network_of("2001:db8:1:3::1") == "2001:db8:1:3::/64"
    assert abuse.network_of("198.51.100.7") == "198.51.100.7"


def hold(ip: str, number: str) -> None:
    with abuse.signup_allowance(ip=ip, channel="sms", address=number):
        pass


def refusal(ip: str, number: str) -> abuse.SignupLimited:
    with pytest.raises(abuse.SignupLimited) as refused:
        hold(ip, number)
    return refused.value


def test_sms_confirmations_are_limited_per_number_prefix_and_page(settings):
    settings.NOROSHI_SIGNUPS_PER_IP_HOUR = 1000
    settings.NOROSHI_SIGNUPS_PER_ADDRESS_HOUR = 1000
    settings.NOROSHI_SMS_CONFIRMATIONS_PER_PREFIX_DAY = 4
    settings.NOROSHI_SMS_DAILY_CONFIRMATIONS = 6
    for _ in range(3):
        hold("198.51.100.1", "+819012340001")
    limited = refusal("198.51.100.1", "+819012340001")
    assert (limited.field, str(limited.message)) == (
        "address",
        "Too many confirmation codes were sent to this number today; try again tomorrow.",
    )
    hold("198.51.100.1", "+819012340002")  # the 4th of prefix 8190123
    limited = refusal("198.51.100.1", "+819012340003")
    assert str(limited.message) == (
        "Too many sign-ups for numbers like this one today; try again tomorrow."
    )
    hold("198.51.100.1", "+447700900001")
    hold("198.51.100.1", "+14155550001")  # the 6th of the page
    limited = refusal("198.51.100.1", "+33612345678")
    assert (limited.field, str(limited.message)) == (
        None,
        "This page has sent all the SMS confirmations it may send today; try again tomorrow, "
        "or subscribe by another channel.",
    )


def test_a_refusal_gives_back_what_it_took(settings):
    settings.NOROSHI_SIGNUPS_PER_IP_HOUR = 2
    settings.NOROSHI_SMS_CONFIRMATIONS_PER_NUMBER_DAY = 1
    hold("198.51.100.1", "+819012340001")
    refusal("198.51.100.1", "+819012340001")  # refused by the number: the network's unit back
    hold("198.51.100.1", "+819012340002")
    assert refusal("198.51.100.1", "+819012340003").limit is abuse.PER_NETWORK


def stored_count(key: str) -> int | None:
    """A counter's value where it lives: Redis with REDIS_URL, else the configured cache."""
    if not settings.REDIS_URL:
        return cache.get(key)
    value = signup_counters.redis_client(settings.REDIS_URL).get(signup_counters.prefixed(key))
    return None if value is None else int(value)


def test_the_counters_are_shared_without_the_number_in_their_keys(settings):
    counter = abuse.Counter(abuse.PER_NUMBER, "+819012340001")
    hold("198.51.100.1", "+819012340001")
    key = counter.key(time.time())
    assert "819012340001" not in key
    assert stored_count(key) == 1
    allowance = abuse.signup_allowance(ip="198.51.100.1", channel="sms", address="+819012340001")
    with pytest.raises(ValidationError), allowance:
        raise ValidationError("refused later")
    assert stored_count(key) == 1  # given back
