"""The signed links of a subscription: confirm, manage (language, components), unsubscribe;
forged and other-action tokens are not found; a webhook's secret is shown once."""

import pytest
from django.core.exceptions import ValidationError

from incidents import services as incident_services
from notify import services
from notify.models import Subscriber
from notify.signing import link_path, token
from tests.notify.subscription_pages import errors_beside, form_for
from tests.statuspage.page_html import parse

pytestmark = pytest.mark.django_db(transaction=True)


# --- Signed links -------------------------------------------------------------------------------


def test_confirming_links_to_the_manage_page(client, components, mailoutbox):
    subscriber = services.subscribe(channel="email", address="fay@example.com")
    path = link_path(subscriber, "confirm")

    document = parse(client.get(path).content)
    assert document.find("h1").text() == "Confirm your subscription"
    assert "fa…@example.com" in document.find("main").text()
    assert Subscriber.objects.get().confirmed_at is None

    done = parse(client.post(path).content)
    assert done.find("h1").text() == "Subscription confirmed."
    assert done.find("main").find("a", cls="button").attrs["href"] == link_path(
        subscriber, "manage"
    )
    assert done.find_all("section", cls="secret") == []  # e-mail has no signing secret
    assert Subscriber.objects.get().confirmed_at is not None


def test_the_manage_page_shows_the_subscription_masked(client, confirmed, components):
    services.update_subscription(
        subscriber=confirmed, components=[components["Web"]], language="en"
    )
    document = parse(client.get(link_path(confirmed, "manage")).content)

    facts = [
        (dt.text(), dd.text())
        for dt, dd in zip(
            document.find("dl").find_all("dt"), document.find("dl").find_all("dd"), strict=True
        )
    ]
    assert facts == [
        ("Channel", "E-mail"),
        ("Address", "ev…@example.com"),
        ("Language", "English"),
        ("Updates about", "Web"),
        ("State", "Confirmed"),
    ]
    assert document.find("input", name="scope", value="components").attrs.get("checked") == ""
    checked = [
        b.attrs["value"]
        for b in document.find_all("input", type="checkbox")
        if "checked" in b.attrs
    ]
    assert checked == [components["Web"].public_id]
    assert "eve@example.com" not in client.get(link_path(confirmed, "manage")).content.decode()


def test_the_manage_page_changes_language_and_components(client, confirmed, components):
    path = link_path(confirmed, "manage")
    response = client.post(
        path,
        {"language": "ja", "scope": "components", "components": [components["API"].public_id]},
    )

    assert response.status_code == 303
    assert response["Location"] == f"{path}?saved=1"
    subscriber = Subscriber.objects.get()
    assert subscriber.language == "ja"
    assert list(subscriber.components.all()) == [components["API"]]
    document = parse(client.get(response["Location"]).content)
    assert document.find("html").attrs["lang"] == "ja"
    assert document.find("p", cls="notice").text() == "変更を保存しました。"

    back = client.post(path, {"language": "en", "scope": "all"})
    assert back.status_code == 303
    assert list(Subscriber.objects.get().components.all()) == []


def test_the_manage_page_refuses_bad_input_and_changes_nothing(client, confirmed, components):
    response = client.post(
        link_path(confirmed, "manage"),
        {"language": "ja", "scope": "components", "components": ["x"]},
    )

    assert response.status_code == 400
    assert errors_beside(parse(response.content), "components") == (
        "Error: Choose components from the list."
    )
    subscriber = Subscriber.objects.get()
    assert (subscriber.language, list(subscriber.components.all())) == ("en", [])


def test_unsubscribing_from_the_manage_page(client, confirmed):
    manage = parse(client.get(link_path(confirmed, "manage")).content)
    action = manage.find("form", action=link_path(confirmed, "unsubscribe"))

    done = client.post(action.attrs["action"])

    assert done.status_code == 200
    assert parse(done.content).find("h1").text() == "You are unsubscribed."
    assert Subscriber.objects.get().unsubscribed_at is not None
    ended = parse(client.get(link_path(confirmed, "manage")).content)
    [again] = ended.find_all("form")
    assert [i.attrs["value"] for i in again.find_all("input", name="action")] == ["resume"]
    assert again.find("button").text() == "Subscribe again"
    assert ended.find("dl").find_all("dd")[-1].text() == "Unsubscribed"


@pytest.mark.parametrize("action", ["confirm", "code", "manage", "unsubscribe"])
def test_forged_and_other_action_tokens_are_not_found(client, confirmed, action):
    other = "manage" if action != "manage" else "unsubscribe"
    forged = f"{confirmed.public_id}:not-a-signature"
    for value in (forged, token(confirmed, other), "nobody:x"):
        for method in (client.get, client.post):
            response = method(f"/subscriptions/{action}/{value}")
            assert response.status_code == 404, (action, value, method)
            assert parse(response.content).find("h1").text() == "This link is not valid"
    assert Subscriber.objects.get().unsubscribed_at is None


def test_updating_a_subscription_checks_first_and_writes_nothing_on_error(confirmed, components):
    with pytest.raises(ValidationError) as error:
        services.update_subscription(subscriber=confirmed, components=[], language="fr")
    assert error.value.message_dict == {"language": ["“fr” is not a language of this page."]}

    incident = incident_services.declare_incident(
        name="Slow checkout", body="Investigating.", deliver_notifications=False
    )
    follower = services.subscribe(channel="email", address="g@h.jp", incident=incident)
    with pytest.raises(ValidationError) as error:
        services.update_subscription(
            subscriber=follower, components=[components["API"]], language="ja"
        )
    assert error.value.message_dict == {
        "components": ["A subscription to one incident cannot choose components."]
    }
    services.unsubscribe(subscriber=confirmed)
    with pytest.raises(ValidationError) as error:
        services.update_subscription(subscriber=confirmed, components=[], language="ja")
    assert error.value.messages == [
        "This subscription has ended; subscribe again to receive updates."
    ]
    assert {s.language for s in Subscriber.objects.all()} == {"en"}
    assert not Subscriber.objects.filter(components__isnull=False).exists()


def test_a_webhooks_signing_secret_is_shown_once_on_confirming(client, components):
    subscriber = Subscriber.objects.create(
        channel="webhook", address="https://hooks.example.com/status"
    )
    path = link_path(subscriber, "confirm")

    assert subscriber.secret not in client.get(path).content.decode()
    first = parse(client.post(path).content)
    assert first.find("code", cls="secret-value").text() == subscriber.secret
    again = client.post(path)
    assert again.status_code == 200
    assert subscriber.secret not in again.content.decode()


def test_a_webhook_is_verified_at_its_own_address_and_its_secret_shown_once(
    client, components, webhook_receiver
):
    url = webhook_receiver.url("/status-hook")
    response = client.post("/subscribe", form_for(channel="webhook", address=url))

    assert response.status_code == 200
    subscriber = Subscriber.objects.get()
    assert subscriber.secret not in response.content.decode()
    assert "We sent a POST request to" in parse(response.content).find("main").text()
    [verification] = webhook_receiver.received("/status-hook")
    link = verification.json()["verification"]["confirm_url"]
    assert link.removeprefix("http://127.0.0.1:8000") == link_path(subscriber, "confirm")
    confirmed_page = parse(client.post(link_path(subscriber, "confirm")).content)
    assert confirmed_page.find("code", cls="secret-value").text() == subscriber.secret
    assert Subscriber.objects.get().confirmed_at is not None


@pytest.mark.parametrize("action", ["confirm", "code", "manage", "unsubscribe"])
def test_a_link_is_its_route_reversed_with_the_token(confirmed, action):
    """Workers put the token into a route reversed once; it must be what reverse() says,
    under a script prefix too (a site served below a path)."""
    from django.urls import reverse, set_script_prefix

    assert link_path(confirmed, action) == reverse(
        f"notify:{action}", args=[token(confirmed, action)]
    )
    try:
        set_script_prefix("/status/")
        assert link_path(confirmed, action).startswith("/status/subscriptions/")
    finally:
        set_script_prefix("/")
