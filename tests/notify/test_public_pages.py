"""The public subscription pages through Django's test client: subscribe (to the page, to
components, to one incident), the answer that never tells whether an address was known, the
signed manage/confirm/unsubscribe pages, the sign-up limits, and the Japanese pages."""

from datetime import timedelta
from itertools import pairwise

import pytest
from django.utils import timezone

from incidents import services as incident_services
from notify import channels, services
from notify.choices import Channel
from notify.models import Subscriber
from notify.signing import link_path
from tests.notify.subscription_pages import NO_STORE, code_in, errors_beside, form_for, link_in
from tests.statuspage.page_html import headings, parse

pytestmark = pytest.mark.django_db(transaction=True)

# --- The form -----------------------------------------------------------------------------------


def test_the_form_offers_the_enabled_channels_and_names_no_configuration(client, grouped):
    response = client.get("/subscribe")

    assert response.status_code == 200
    document = parse(response.content)
    tabs = document.find("nav", cls="channel-tabs").find_all("a")
    enabled = channels.enabled_channels()
    assert [a.text() for a in tabs] == [str(Channel(name).label) for name in enabled] + [
        "Atom/RSS",
        "Calendar",
    ]
    assert tabs[0].attrs == {"href": "/subscribe?channel=email", "aria-current": "page"}
    # A channel that is off is simply not offered: visitors see no configuration detail.
    assert "sms" not in enabled  # no Twilio settings in the tests
    assert document.find_all("section", cls="channels-off") == []
    assert "TWILIO" not in response.content.decode()
    address = document.find("input", id="id_address")
    assert (address.attrs["type"], address.attrs["autocomplete"]) == ("email", "email")
    assert address.attrs["aria-describedby"] == "address-hint"
    assert document.find("label", for_="id_address").text() == "E-mail address"
    assert document.find("input", name="language", value="en").attrs.get("checked") == ""
    assert document.find("input", name="scope", value="all").attrs.get("checked") == ""
    assert [legend.text() for legend in document.find_all("legend")] == [
        "Language of the messages",
        "What to be told about",
        "Components",
        "Platform",
    ]
    boxes = document.find_all("input", type="checkbox")
    assert [box.attrs["value"] for box in boxes] == [
        grouped[name].public_id for name in ("Queue", "Storage", "API", "Web", "Database")
    ]
    assert headings(document)[0] == (1, "Subscribe to updates")


def test_the_pages_are_never_cached_and_set_no_cookie_but_the_forms_csrf(client, components):
    form = client.get("/subscribe")
    assert form["Cache-Control"] == NO_STORE
    assert "ETag" not in form
    assert set(form.cookies) == {"csrftoken"}

    subscriber = services.subscribe(channel="email", address="ann@example.com")
    confirm_page = client.__class__().get(link_path(subscriber, "confirm"))
    assert confirm_page["Cache-Control"] == NO_STORE
    assert set(confirm_page.cookies) == set()


def test_the_form_refuses_a_post_without_its_csrf_token(components):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/subscribe", form_for(address="a@b.jp"))
    assert response.status_code == 403
    assert Subscriber.objects.count() == 0


def test_the_address_field_follows_the_channel_shown(client, components, settings):
    webhook_enabled = "webhook" in channels.enabled_channels()
    document = parse(client.get("/subscribe?channel=webhook").content)
    shown = document.find("input", name="channel").attrs["value"]
    assert shown == ("webhook" if webhook_enabled else "email")
    expected = "url" if webhook_enabled else "email"
    assert document.find("input", id="id_address").attrs["type"] == expected
    # A channel that is off is never shown as a form.
    assert (
        parse(client.get("/subscribe?channel=sms").content)
        .find("input", name="channel")
        .attrs["value"]
        == channels.enabled_channels()[0]
    )


# --- Subscribing --------------------------------------------------------------------------------


def test_subscribing_an_email_to_components_records_it_unconfirmed_and_sends_one_confirmation(
    client, grouped, mailoutbox
):
    chosen = [grouped["API"].public_id, grouped["Queue"].public_id]
    response = client.post(
        "/subscribe",
        form_for(address="Ann@Example.COM", scope="components", components=chosen),
        REMOTE_ADDR="198.51.100.7",
    )

    assert response.status_code == 200
    document = parse(response.content)
    assert document.find("h1").text() == "Almost done: confirm your subscription"
    assert (
        "We sent a message to ann@example.com with a link to confirm your subscription."
        in document.find("main").text()
    )
    subscriber = Subscriber.objects.get()
    assert (subscriber.channel, subscriber.address, subscriber.language) == (
        "email",
        "ann@example.com",
        "en",
    )
    assert subscriber.confirmed_at is None
    assert str(subscriber.consent_ip) == "198.51.100.7"
    assert set(subscriber.components.all()) == {grouped["API"], grouped["Queue"]}
    assert [m.to for m in mailoutbox] == [["ann@example.com"]]
    assert link_in(mailoutbox[0]) == link_path(subscriber, "confirm")


def test_everything_on_the_page_ignores_ticked_components(client, components, mailoutbox):
    form = form_for(address="ben@example.com", components=[components["API"].public_id])
    assert client.post("/subscribe", form).status_code == 200
    assert list(Subscriber.objects.get().components.all()) == []


BAD_FORMS = [
    (
        {"address": "not-an-address"},
        "address",
        "“not-an-address” is not an e-mail address.",
    ),
    ({"address": ""}, "address", "Enter your e-mail address."),
    (
        {"address": "dan@example.com", "scope": "components"},
        "components",
        "Choose at least one component, or choose everything on this page.",
    ),
    (
        {"address": "dan@example.com", "scope": "components", "components": ["nope"]},
        "components",
        "Choose components from the list.",
    ),
    ({"address": "dan@example.com", "language": "fr"}, "language", "Choose English or Japanese."),
    (
        {"address": "+819012345678", "channel": "sms"},
        "channel",
        "Choose one of the ways to receive updates offered here.",
    ),
]


@pytest.mark.parametrize(("fields", "field", "message"), BAD_FORMS)
def test_bad_input_is_shown_beside_its_field_and_writes_nothing(
    client, components, mailoutbox, fields, field, message
):
    response = client.post("/subscribe", form_for(**fields))

    assert response.status_code == 400
    document = parse(response.content)
    assert errors_beside(document, field) == f"Error: {message}"
    summary = document.find("div", cls="error-summary")
    assert summary.attrs["role"] == "alert"
    assert [a.attrs["href"] for a in summary.find_all("a")] == [f"#id_{field}"]
    if field == "address":
        address = document.find("input", id="id_address")
        assert address.attrs["aria-describedby"] == "address-hint address-error"
        assert address.attrs["aria-invalid"] == "true"
    assert Subscriber.objects.count() == 0
    assert mailoutbox == []


def test_subscribing_a_known_address_gives_the_same_answer_and_no_duplicate(
    client, components, mailoutbox
):
    form = form_for(address="chie@example.jp")
    first = client.post("/subscribe", form)
    services.confirm(subscriber=Subscriber.objects.get())
    again = client.post("/subscribe", form)

    assert (first.status_code, again.status_code) == (200, 200)
    assert first.content == again.content
    assert Subscriber.objects.count() == 1
    assert Subscriber.objects.get().confirmed_at is not None
    # A confirmed subscriber is not asked again: it is sent its manage link.
    assert [m.subject for m in mailoutbox] == [
        "Confirm your subscription to Noroshi status updates",
        "Your subscription to Noroshi status updates",
    ]


def test_subscribing_to_one_incident(client, components, mailoutbox):
    incident = incident_services.declare_incident(
        name="Slow checkout", body="Investigating.", deliver_notifications=False
    )
    page = parse(client.get(f"/incidents/{incident.public_id}/subscribe").content)
    assert page.find("h1").text() == "Subscribe to this incident"
    assert page.find_all("input", name="scope") == []

    response = client.post(
        f"/incidents/{incident.public_id}/subscribe",
        {"channel": "email", "address": "d@e.jp", "language": "en"},
    )

    assert response.status_code == 200
    subscriber = Subscriber.objects.get()
    assert (subscriber.incident, list(subscriber.components.all())) == (incident, [])
    assert len(mailoutbox) == 1
    assert client.get("/incidents/unknown00000/subscribe").status_code == 404


def test_subscribing_to_a_maintenance_says_so(client, components):
    maintenance = incident_services.schedule_maintenance(
        name="Database upgrade",
        body="Planned.",
        scheduled_for=timezone.now() + timedelta(hours=1),
        scheduled_until=timezone.now() + timedelta(hours=2),
    )
    page = parse(client.get(f"/incidents/{maintenance.public_id}/subscribe").content)
    assert page.find("h1").text() == "Subscribe to this maintenance"


def test_subscribing_a_phone_texts_a_code_that_the_page_takes(client, components, twilio):
    response = client.post("/subscribe", form_for(channel="sms", address="+81 90-1234-5678"))

    assert response.status_code == 200
    subscriber = Subscriber.objects.get()
    assert (subscriber.address, subscriber.confirmed_at) == ("+819012345678", None)
    assert twilio.per_recipient() == {"+819012345678": 1}
    form = parse(response.content).find("form", action=link_path(subscriber, "code"))
    assert form.find("input", name="code").attrs["autocomplete"] == "one-time-code"
    path = form.attrs["action"]
    right = code_in(twilio)
    wrong = "000000" if right != "000000" else "111111"

    refused = client.post(path, {"code": wrong})
    assert refused.status_code == 400
    assert errors_beside(parse(refused.content), "code") == (
        "Error: That code is not right: 4 tries left."
    )
    assert Subscriber.objects.get().confirmed_at is None

    done = client.post(path, {"code": f"{right[:3]} {right[3:]}"})
    assert done.status_code == 200
    page = parse(done.content)
    assert page.find("h1").text() == "Subscription confirmed."
    assert page.find("main").find("a", cls="button").attrs["href"] == link_path(
        subscriber, "manage"
    )
    assert Subscriber.objects.get().confirmed_at is not None
    assert len(twilio.messages) == 1


# --- Accessibility -------------------------------------------------------------------------------


def walk(node, inside_label=False):
    """(element, whether it sits inside a <label>) for every element below `node`."""
    for child in node.children:
        if isinstance(child, str):
            continue
        yield child, inside_label
        yield from walk(child, inside_label or child.tag == "label")


def accessibility_problems(document) -> list[str]:
    problems = []
    elements = list(walk(document))
    ids = {e.attrs["id"] for e, _ in elements if "id" in e.attrs}
    labelled = {e.attrs.get("for") for e, _ in elements if e.tag == "label"}
    for element, in_label in elements:
        field = element.tag in ("input", "select", "textarea")
        visible = element.attrs.get("type") != "hidden"
        if field and visible and not in_label and element.attrs.get("id") not in labelled:
            problems.append(f"unlabelled {element.tag} {element.attrs}")
        for ref in element.attrs.get("aria-describedby", "").split():
            if ref not in ids:
                problems.append(f"aria-describedby names a missing #{ref}")
    levels = [level for level, _ in headings(document)]
    if levels[:1] != [1] or any(b > a + 1 for a, b in pairwise(levels)):
        problems.append(f"headings out of order: {levels}")
    if document.find_all("a")[0].attrs != {"class": "skip-link", "href": "#main"}:
        problems.append("no skip link first")
    return problems


@pytest.mark.parametrize("language", ["en", "ja"])
def test_every_subscription_page_is_labelled_and_ordered(client, grouped, language, twilio):
    incident = incident_services.declare_incident(
        name="Slow checkout", body="Investigating.", deliver_notifications=False
    )
    subscriber = services.subscribe(channel="email", address="ann@example.com")
    services.update_subscription(subscriber=subscriber, components=[grouped["API"]], language="en")
    phone = Subscriber.objects.create(channel="sms", address="+819012345678")
    pages = {
        path: client.get(f"{path}{'&' if '?' in path else '?'}lang={language}")
        for path in [
            "/subscribe",
            "/subscribe?channel=sms",
            "/subscribe?channel=feeds",
            "/subscribe?channel=calendar",
            f"/incidents/{incident.public_id}/subscribe",
            link_path(subscriber, "confirm"),
            link_path(subscriber, "manage"),
            link_path(subscriber, "unsubscribe"),
            link_path(phone, "code"),
            "/subscriptions/manage/nobody:x",
        ]
    }
    pages["bad form"] = client.post(
        f"/subscribe?lang={language}", form_for(address="x", scope="components")
    )
    pages["bad code"] = client.post(f"{link_path(phone, 'code')}?lang={language}", {"code": "1"})
    pages["sms sent"] = client.post(
        f"/subscribe?lang={language}", form_for(channel="sms", address="+819012345679")
    )
    for name, response in pages.items():
        document = parse(response.content)
        assert document.find("html").attrs["lang"] == language, name
        assert response["Content-Language"] == language, name
        assert accessibility_problems(document) == [], name


# --- Japanese ------------------------------------------------------------------------------------


def test_the_form_in_japanese_from_accept_language(client, grouped):
    response = client.get("/subscribe", headers={"Accept-Language": "ja-JP,ja;q=0.9"})

    document = parse(response.content)
    assert response["Content-Language"] == "ja"
    assert document.find("html").attrs["lang"] == "ja"
    assert document.find("h1").text() == "更新情報を購読"
    assert document.find("label", for_="id_address").text() == "メールアドレス"
    assert document.find("input", name="language", value="ja").attrs.get("checked") == ""
    assert document.find("button", type="submit").text() == "購読する"

    refused = client.post(
        "/subscribe?lang=ja",
        form_for(address="", language="ja"),
    )
    assert errors_beside(parse(refused.content), "address") == (
        "エラー: メールアドレスを入力してください。"
    )


def test_the_form_reads_the_page_in_a_fixed_number_of_queries(
    client, grouped, django_assert_num_queries
):
    # The page settings, then the components and their groups (selectors.components_in_order).
    with django_assert_num_queries(3):
        assert client.get("/subscribe").status_code == 200


def test_the_manage_page_reads_in_a_fixed_number_of_queries(
    client, confirmed, grouped, django_assert_num_queries
):
    services.update_subscription(
        subscriber=confirmed, components=[grouped["Queue"], grouped["API"]], language="en"
    )
    # The subscriber, the page settings, the components and groups, the subscriber's
    # components for the form and for the summary (with their groups).
    with django_assert_num_queries(6):
        assert client.get(link_path(confirmed, "manage")).status_code == 200
