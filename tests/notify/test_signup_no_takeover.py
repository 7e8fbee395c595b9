"""Nobody but an address's owner changes its subscription: a sign-up for an address that has one
(any channel, any state) changes nothing of it — scope, language, state, consent — and the
address is told instead (its confirmation again, or its manage link); the visitor gets the very
same answer either way; the address is told at most NOROSHI_SIGNUPS_PER_ADDRESS_HOUR times an
hour; e-mail addresses match whatever their case."""

import re

import pytest
from django.test import Client
from django.utils import timezone

from incidents import services as incident_services
from notify.models import Subscriber
from notify.signing import link_path, manage_url
from tests.notify.subscription_pages import errors_beside, form_for
from tests.statuspage.page_html import parse

pytestmark = pytest.mark.django_db(transaction=True)

NOTICE = {
    "confirmed": (
        "Someone (we hope you) asked to subscribe this address to Noroshi status updates. "
        "It is subscribed already: nothing has changed."
    ),
    "unsubscribed": (
        "Someone (we hope you) asked to subscribe this address to Noroshi status updates. "
        "It unsubscribed earlier, and nothing has changed: nothing more is sent to it unless "
        "you subscribe again from the link below."
    ),
    "suspended": (
        "Someone (we hope you) asked to subscribe this address to Noroshi status updates. "
        "Our messages to it could not be delivered, so they were stopped, and nothing has "
        "changed: to receive them again, open the link below."
    ),
}
STATES = ("pending", "confirmed", "unsubscribed", "suspended")
CODE_FIELDS = (
    "confirmation_code_hash",
    "confirmation_sent_at",
    "confirmation_attempts",
    "updated_at",
)


def subscription(channel: str, address: str, state: str, *, components=(), **fields):
    """A subscription in `state` (pending, confirmed, unsubscribed, suspended)."""
    subscriber = Subscriber.objects.create(
        channel=channel, address=address, **state_fields(state), **fields
    )
    subscriber.components.set(components)
    return subscriber


def state_fields(state: str) -> dict:
    now = timezone.now()
    return {
        "pending": {},
        "confirmed": {"confirmed_at": now},
        "unsubscribed": {"confirmed_at": now, "unsubscribed_at": now},
        "suspended": {
            "confirmed_at": now,
            "suspended_at": now,
            "suspended_reason": "Hard bounce",
            "consecutive_failures": 3,
        },
    }[state]


def everything_of(subscriber: Subscriber, *, but_the_code: bool = False) -> dict:
    """Every stored fact of a subscription, its components included (an SMS code aside when
    asked: a sign-up issues one, which changes neither scope, language nor state)."""
    row = Subscriber.objects.values().get(pk=subscriber.pk)
    if but_the_code:
        for name in CODE_FIELDS:
            row.pop(name)
    row["components"] = sorted(subscriber.components.values_list("pk", flat=True))
    return row


def code_action(response) -> str:
    """Where the answer page's SMS code form posts."""
    forms = parse(response.content).find_all("form")
    return next(f for f in forms if f.find_all("input", name="code")).attrs["action"]


def notice_mail(address: str, subscriber: Subscriber, state: str) -> str:
    return (
        f"{NOTICE[state]}\n\nManage your subscription: {manage_url(subscriber)}\n\n"
        "If it was not you, ignore this message: nothing has changed."
    )


@pytest.fixture
def resolved():
    incident = incident_services.declare_incident(
        name="Slow checkout", body="Investigating.", deliver_notifications=False
    )
    incident_services.resolve_incident(
        incident=incident, body="Fixed.", deliver_notifications=False
    )
    return incident


# --- The case ---------------------------------------------------------------------------


def test_resubscribing_a_confirmed_address_from_a_resolved_incident_changes_nothing(
    client, components, resolved, mailoutbox, subscriber_factory
):
    eve = subscriber_factory("eve@example.com", components=[components["API"]], language="en")
    before = everything_of(eve)

    response = client.post(
        f"/incidents/{resolved.public_id}/subscribe",
        {"channel": "email", "address": "Eve@EXAMPLE.com", "language": "ja"},
    )

    assert response.status_code == 200
    assert parse(response.content).find("h1").text() == "Almost done: confirm your subscription"
    assert Subscriber.objects.count() == 1
    assert everything_of(eve) == before
    [mail] = mailoutbox
    assert (mail.to, mail.subject) == (
        ["eve@example.com"],
        "Your subscription to Noroshi status updates",
    )
    assert mail.body == notice_mail("eve@example.com", eve, "confirmed")


# --- The same answer for every address ----------------------------------------------------------


def answer(path: str, form: dict):
    """POST a sign-up from a fresh browser (no cookie carried from an earlier request)."""
    return Client().post(path, form, REMOTE_ADDR="198.51.100.7")


def comparable(response) -> tuple:
    """What a visitor can observe of an answer; random tokens (an SMS code form's link, a CSRF
    token) replaced by their shape."""
    body = re.sub(
        rb"/subscriptions/code/[a-z0-9]{12}:[A-Za-z0-9_-]+", b"CODE-LINK", response.content
    )
    body = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"CSRF", body)
    # Expires is the clock's (now: never cache); the cookie's value is a fresh CSRF secret.
    headers = {k: v for k, v in response.headers.items() if k not in ("Expires", "Set-Cookie")}
    return response.status_code, headers, sorted(response.cookies), body


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("channel", ["email", "sms"])
def test_the_answer_is_the_same_for_a_known_and_an_unknown_address(
    components, resolved, mailoutbox, twilio, state, channel
):
    address = {"email": "ann@example.com", "sms": "+819012345678"}[channel]
    form = form_for(channel=channel, address=address, language="en")
    unknown = answer("/subscribe", form)
    # The subscription now exists in `state`, with another scope and language than asked.
    Subscriber.objects.update(language="ja", incident=resolved, **state_fields(state))

    known = answer("/subscribe", form)

    assert comparable(known) == comparable(unknown)
    assert Subscriber.objects.count() == 1


def test_the_answer_never_shows_the_stored_address_or_scope(
    components, resolved, mailoutbox, subscriber_factory
):
    subscriber_factory("ann@example.com", incident=resolved, language="ja")

    response = answer("/subscribe", form_for(address="ANN@example.com"))

    text = parse(response.content).find("main").text()
    assert "We sent a message to ann@example.com with a link" in text
    assert "Slow checkout" not in text


# --- What each state gets -----------------------------------------------------------------------


@pytest.mark.parametrize("state", STATES)
def test_a_signup_for_a_known_email_changes_nothing_and_tells_the_address(
    client, components, mailoutbox, subscriber_factory, state
):
    subscriber = subscription(
        "email", "ann@example.com", state, components=[components["Web"]], language="en"
    )
    before = everything_of(subscriber)
    form = form_for(address="ann@example.com", language="ja", scope="all")

    assert client.post("/subscribe", form).status_code == 200

    assert everything_of(subscriber) == before
    [mail] = mailoutbox
    assert mail.to == ["ann@example.com"]
    if state == "pending":
        assert mail.subject == "Confirm your subscription to Noroshi status updates"
        assert link_path(subscriber, "confirm") in mail.body
    else:
        assert mail.subject == "Your subscription to Noroshi status updates"
        assert mail.body == notice_mail("ann@example.com", subscriber, state)


def test_the_notice_speaks_the_subscribers_language_not_the_visitors(
    client, components, mailoutbox, subscriber_factory
):
    subscriber = subscriber_factory("ann@example.com", language="ja")

    client.post("/subscribe?lang=en", form_for(address="ann@example.com", language="en"))

    [mail] = mailoutbox
    assert mail.subject == "Noroshiのステータス更新の購読について"
    assert manage_url(subscriber) in mail.body


@pytest.mark.parametrize("state", STATES)
def test_a_signup_for_a_known_number_changes_nothing(client, components, twilio, texter, state):
    subscriber = subscription("sms", "+819012345678", state)
    before = everything_of(subscriber, but_the_code=True)

    response = client.post("/subscribe", form_for(channel="sms", address="+81 90 1234 5678"))

    assert response.status_code == 200
    assert everything_of(subscriber, but_the_code=True) == before
    bodies = twilio.bodies()
    if state in ("unsubscribed", "suspended"):
        assert bodies == []  # a STOP holds until START; texts cost money
        return
    [body] = bodies
    code = re.search(r"[0-9]{6}", body).group(0)
    assert (
        body
        == {
            "pending": (
                f"[Noroshi] Your code is {code}. Reply YES to confirm, or enter the code on the "
                "page."
            ),
            "confirmed": (
                "[Noroshi] This number is subscribed already; nothing has changed. Your code is "
                f"{code}: enter it on the page to manage the subscription."
            ),
        }[state]
    )


def test_a_known_numbers_code_opens_its_manage_page_and_nothing_else(
    client, components, twilio, texter
):
    subscriber = texter("+819012345678", language="ja")
    before = everything_of(subscriber, but_the_code=True)
    response = client.post("/subscribe", form_for(channel="sms", address="+819012345678"))
    path = code_action(response)
    right = re.search(r"[0-9]{6}", twilio.bodies()[0]).group(0)
    wrong = "000000" if right != "000000" else "111111"

    refused = client.post(path, {"code": wrong})
    assert errors_beside(parse(refused.content), "code") == (
        "Error: That code is not right: 4 tries left."
    )
    done = parse(client.post(path, {"code": right}).content)

    assert done.find("main").find("a", cls="button").attrs["href"] == link_path(
        subscriber, "manage"
    )
    assert everything_of(subscriber, but_the_code=True) == before


@pytest.mark.parametrize("state", ["unsubscribed", "suspended"])
def test_the_code_page_of_a_number_that_stopped_answers_as_for_a_new_one(
    client, components, twilio, texter, state
):
    subscriber = subscription("sms", "+819012345678", state)
    before = everything_of(subscriber, but_the_code=True)
    response = client.post("/subscribe", form_for(channel="sms", address="+819012345678"))
    path = code_action(response)

    messages = [
        errors_beside(parse(client.post(path, {"code": f"{n:06d}"}).content), "code")
        for n in range(6)
    ]

    assert messages == [
        "Error: That code is not right: 4 tries left.",
        "Error: That code is not right: 3 tries left.",
        "Error: That code is not right: 2 tries left.",
        "Error: That code is not right: 1 try left.",
        "Error: That code is not right, and that was the last try: ask for a new code.",
        "Error: Too many wrong codes: this code no longer works. Ask for a new one.",
    ]
    assert everything_of(subscriber, but_the_code=True) == before
    assert twilio.messages == []


def test_the_code_page_speaks_the_visitors_language_and_names_no_incident(
    client, components, twilio, texter, resolved
):
    texter("+819012345678", language="ja", incident=resolved)
    response = client.post(
        "/subscribe", form_for(channel="sms", address="+819012345678"), HTTP_ACCEPT_LANGUAGE="en"
    )
    path = code_action(response)

    page = client.get(path, HTTP_ACCEPT_LANGUAGE="en")

    assert page["Content-Language"] == "en"
    assert resolved.public_id not in page.content.decode()
    links = parse(page.content).find("main").find_all("a")
    [again] = [a.attrs["href"] for a in links if a.text() == "Ask for a new code"]
    assert again == "/subscribe?channel=sms"


def test_a_known_webhook_is_sent_its_manage_link_in_a_signed_event(
    client, components, hook, webhook_receiver
):
    subscriber = hook("/status-hook", language="ja")
    before = everything_of(subscriber)

    response = client.post(
        "/subscribe", form_for(channel="webhook", address=webhook_receiver.url("/status-hook"))
    )

    assert response.status_code == 200
    assert subscriber.secret not in response.content.decode()
    assert everything_of(subscriber) == before
    [event] = webhook_receiver.received("/status-hook")
    assert event.signature_ok is True
    assert event.json()["subscription"] == {
        "status": "confirmed",
        "manage_url": manage_url(subscriber),
    }
    assert event.headers["idempotency-key"].startswith(f"noroshi-notice-{subscriber.public_id}-")


def test_a_known_slack_channel_is_posted_its_manage_link(
    client, components, webhook_receiver, settings
):
    url = webhook_receiver.url("/services/T000/B000/XXXX")
    subscriber = Subscriber.objects.create(
        channel="slack", address=url, confirmed_at=timezone.now()
    )
    before = everything_of(subscriber)

    assert client.post("/subscribe", form_for(channel="slack", address=url)).status_code == 200

    assert everything_of(subscriber) == before
    [post] = webhook_receiver.received("/services/T000/B000/XXXX")
    blocks = post.json()["blocks"]
    assert blocks[1]["text"]["text"] == NOTICE["confirmed"]
    assert blocks[2]["elements"][0]["url"] == manage_url(subscriber)


# --- The address's own limit -------------------------------------------------------------------


@pytest.mark.parametrize("known", [False, True])
def test_an_address_is_told_at_most_twice_an_hour_known_or_not(
    client, components, mailoutbox, subscriber_factory, known
):
    if known:
        subscriber_factory("ann@example.com")
    rows = list(Subscriber.objects.values()) if known else []
    for typed in ("ann@example.com", "ANN@example.com"):
        assert client.post("/subscribe", form_for(address=typed)).status_code == 200

    response = client.post("/subscribe", form_for(address="Ann@Example.com"))

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
    assert errors_beside(parse(response.content), "address") == (
        "Error: We have sent several messages to this address in the last hour; "
        "try again in an hour."
    )
    assert len(mailoutbox) == 2
    assert Subscriber.objects.count() == 1
    if known:
        assert list(Subscriber.objects.values()) == rows
    assert client.post("/subscribe", form_for(address="bob@example.com")).status_code == 200


# --- Subscribing again is for the owner: the manage link -----------------------------------------


@pytest.mark.parametrize("state", ["unsubscribed", "suspended"])
def test_the_manage_link_subscribes_again_as_it_was(
    client, components, mailoutbox, subscriber_factory, state
):
    subscriber = subscription(
        "email", "ann@example.com", state, components=[components["API"]], language="ja"
    )
    client.post("/subscribe", form_for(address="ann@example.com"))
    path = re.search(r"/subscriptions/manage/\S+", mailoutbox[0].body).group(0)

    response = client.post(path, {"action": "resume"})

    assert response.status_code == 303
    subscriber.refresh_from_db()
    assert subscriber.is_active
    assert (subscriber.suspended_reason, subscriber.consecutive_failures) == ("", 0)
    assert (subscriber.language, list(subscriber.components.all())) == ("ja", [components["API"]])


def test_a_number_that_stopped_resumes_by_start_only(client, components, twilio, texter):
    subscriber = subscription("sms", "+819012345678", "unsubscribed")
    before = everything_of(subscriber)
    path = link_path(subscriber, "manage")

    page = parse(client.get(path).content)
    refused = client.post(path, {"action": "resume"})

    start = "This number asked us to stop: reply START to our number to receive updates again."
    assert start in page.find("main").text()
    assert page.find_all("input", name="action") == []
    assert refused.status_code == 400
    assert parse(refused.content).find("p", role="alert").text() == start
    assert everything_of(subscriber) == before
    assert twilio.messages == []
