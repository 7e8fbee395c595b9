"""SSRF through the webhook URLs visitors type: what tests/notify/test_netguard.py (the guard's
addresses, literal IPv4 inside IPv6, a name that resolves to loopback where it connects, no
redirect followed) and tests/notify/test_webhook.py (bad URLs at the service) do not already
cover — the numeric spellings of an IPv4 address that resolvers read (2130706433, 0x7f.0.0.1,
017700000001, 127.1), refused on the public form before anything is stored; a name that
resolves to a private address, and a redirect to one, through the real delivery path."""

import pytest
from django.utils import timezone

from incidents import services
from notify import delivery, netpolicy
from notify.models import Delivery, Notification, Subscriber
from tests.notify.fan_out import fan_out
from tests.webhook_receiver import redirect

pytestmark = pytest.mark.django_db

REFUSED_ON_THE_FORM = [
    ("https://2130706433/hook", "2130706433 resolves to 127.0.0.1, a loopback address."),
    ("https://0x7f.0.0.1/hook", "0x7f.0.0.1 resolves to 127.0.0.1, a loopback address."),
    ("https://0x7F000001/hook", "0x7f000001 resolves to 127.0.0.1, a loopback address."),
    ("https://017700000001/hook", "017700000001 resolves to 127.0.0.1, a loopback address."),
    ("https://0177.0.0.1/hook", "0177.0.0.1 resolves to 127.0.0.1, a loopback address."),
    ("https://127.1/hook", "127.1 resolves to 127.0.0.1, a loopback address."),
    ("https://2852039166/x", "2852039166 resolves to 169.254.169.254, a link-local address."),
    ("https://10.1/hook", "10.1 resolves to 10.0.0.1, a private address."),
    ("https://0/hook", "0 resolves to 0.0.0.0, an unspecified address."),
    (
        "https://[::ffff:127.0.0.1]/hook",
        "::ffff:127.0.0.1 is a loopback address (IPv4 127.0.0.1 inside IPv6).",
    ),
    (
        "https://[::ffff:a9fe:a9fe]/hook",
        "::ffff:a9fe:a9fe is a link-local address (IPv4 169.254.169.254 inside IPv6).",
    ),
    ("https://169.254.169.254./latest", "169.254.169.254 is a link-local address."),
]


@pytest.mark.parametrize(("url", "message"), REFUSED_ON_THE_FORM)
def test_the_subscribe_form_refuses_every_spelling_of_a_private_address(client, url, message):
    answer = client.post("/subscribe", {"channel": "webhook", "address": url, "language": "en"})
    assert answer.status_code == 400
    assert message in answer.content.decode()
    assert not Subscriber.objects.exists()


def test_a_numeric_host_that_names_a_public_address_is_one():
    assert netpolicy.check_url("https://134744072/hook").host == "134744072"  # 8.8.8.8
    assert netpolicy.numeric_ipv4("1.2.3.4.example") is None
    assert netpolicy.numeric_ipv4("999999999999") is None  # no address: DNS will say so


def test_the_allow_list_reads_a_numeric_host_as_its_address(settings):
    settings.NOROSHI_WEBHOOK_ALLOW_NETWORKS = ["127.0.0.0/8"]
    assert netpolicy.check_url("http://2130706433:8080/hook").port == 8080


@pytest.fixture
def announced_to(components):
    """A confirmed webhook subscriber at `url`, told of a new incident: the delivery's outcome."""

    def announce(url: str) -> Delivery:
        Subscriber.objects.create(channel="webhook", address=url, confirmed_at=timezone.now())
        services.declare_incident(name="Checkout errors", body="Investigating.")
        fan_out(Notification.objects.get().pk)
        delivery.deliver_batch(list(Delivery.objects.values_list("pk", flat=True)))
        return Delivery.objects.get()

    return announce


def test_a_name_that_resolves_to_loopback_is_never_posted_to(
    announced_to, webhook_receiver, settings
):
    settings.NOROSHI_WEBHOOK_ALLOW_NETWORKS = []
    sent = announced_to(f"https://localhost:{webhook_receiver.port}/hook")
    assert sent.state == "failed"
    assert sent.error.startswith("localhost resolves to ")
    assert webhook_receiver.connections == 0


def test_a_redirect_to_a_private_address_is_not_followed(announced_to, webhook_receiver):
    webhook_receiver.plan("/hook", redirect("http://169.254.169.254/latest/meta-data/"))
    sent = announced_to(webhook_receiver.url("/hook"))
    assert sent.state == "failed"
    assert "redirects are not followed" in sent.error
    assert webhook_receiver.per_path() == {"/hook": 1}
