"""notify.netguard, with the rules of notify.netpolicy, against a real HTTPS receiver on
127.0.0.1: only https, only public (or allow-listed) addresses checked where the socket
connects, no redirect followed, the answer read up to its cap, and a receiver that never
answers cut off."""

import socket

import pytest
import trustme
from django.core.exceptions import ImproperlyConfigured

from notify import netguard, netpolicy
from tests.webhook_receiver import DROP, HANG, TRICKLE, oversize, redirect

BODY = b'{"hello":"world"}'
HEADERS = {"Content-Type": "application/json"}


def test_a_post_reaches_an_allow_listed_receiver_over_verified_tls(webhook_receiver):
    response = netguard.post(webhook_receiver.url("/hook?x=1"), BODY, HEADERS)
    assert (response.status, response.body, response.truncated) == (200, b"ok", False)
    [request] = webhook_receiver.received()
    assert (request.method, request.path, request.body) == ("POST", "/hook?x=1", BODY)
    assert request.headers["host"] == f"127.0.0.1:{webhook_receiver.port}"
    assert request.headers["content-type"] == "application/json"


def test_loopback_is_refused_without_the_allow_list(webhook_receiver, settings):
    settings.NOROSHI_WEBHOOK_ALLOW_NETWORKS = []
    with pytest.raises(netpolicy.UnsafeURL) as error:
        netguard.post(webhook_receiver.url("/hook"), BODY, HEADERS)
    assert str(error.value) == "127.0.0.1 is a loopback address."
    assert webhook_receiver.connections == 0


def test_a_name_that_resolves_to_loopback_is_refused_where_it_connects(webhook_receiver, settings):
    url = f"https://localhost:{webhook_receiver.port}/hook"
    assert netpolicy.check_url(url).host == "localhost"  # nothing to see before resolving
    settings.NOROSHI_WEBHOOK_ALLOW_NETWORKS = []
    with pytest.raises(netpolicy.BlockedAddress) as error:
        netguard.post(url, BODY, HEADERS)
    assert str(error.value) in {
        "localhost resolves to 127.0.0.1, a loopback address.",
        "localhost resolves to ::1, a loopback address.",  # where /etc/hosts lists ::1 first
    }
    assert webhook_receiver.connections == 0

    # Allow-listed, the same name connects to the address it was checked at.
    settings.NOROSHI_WEBHOOK_ALLOW_NETWORKS = ["127.0.0.1/32"]
    assert netguard.post(url, BODY, HEADERS).status == 200
    assert webhook_receiver.received()[0].headers["host"] == f"localhost:{webhook_receiver.port}"


REFUSED_ADDRESSES = [
    ("10.0.0.5", "10.0.0.5 is a private address."),
    ("192.168.1.20", "192.168.1.20 is a private address."),
    ("127.0.0.2", "127.0.0.2 is a loopback address."),
    ("169.254.169.254", "169.254.169.254 is a link-local address."),
    ("0.0.0.0", "0.0.0.0 is an unspecified address."),
    ("224.0.0.1", "224.0.0.1 is a multicast address."),
    ("240.0.0.1", "240.0.0.1 is a reserved address."),
    ("100.64.0.1", "100.64.0.1 is not a public address."),
    ("::1", "::1 is a loopback address."),
    ("fe80::1", "fe80::1 is a link-local address."),
    ("fd00::5", "fd00::5 is a private address."),
    ("::", ":: is an unspecified address."),
    (
        "::ffff:127.0.0.1",
        "::ffff:127.0.0.1 is a loopback address (IPv4 127.0.0.1 inside IPv6).",
    ),
    ("::ffff:10.0.0.5", "::ffff:10.0.0.5 is a private address (IPv4 10.0.0.5 inside IPv6)."),
    ("2002:a00:5::", "2002:a00:5:: is a private address (IPv4 10.0.0.5 inside IPv6)."),
    ("64:ff9b::7f00:1", "64:ff9b::7f00:1 is a loopback address (IPv4 127.0.0.1 inside IPv6)."),
]


@pytest.mark.parametrize(("address", "message"), REFUSED_ADDRESSES)
def test_non_public_addresses_are_refused_by_the_connection(address, message):
    # What the connection does with each address the resolver gives it.
    with pytest.raises(netpolicy.BlockedAddress) as error:
        netguard.permitted_addresses(address, 443)
    assert str(error.value) == message


@pytest.mark.parametrize(("address", "message"), REFUSED_ADDRESSES)
def test_a_url_with_a_non_public_address_is_refused_before_connecting(address, message):
    host = f"[{address}]" if ":" in address else address
    with pytest.raises(netpolicy.UnsafeURL) as error:
        netguard.post(f"https://{host}/hook", BODY, HEADERS)
    assert str(error.value) == message


def test_the_allow_list_covers_ipv4_inside_ipv6(settings):
    settings.NOROSHI_WEBHOOK_ALLOW_NETWORKS = ["10.0.0.0/8"]
    assert netpolicy.address_refusal("::ffff:10.0.0.5", "::ffff:10.0.0.5") == ""
    assert netpolicy.address_refusal("10.9.9.9", "10.9.9.9") == ""
    assert netpolicy.address_refusal("192.168.0.1", "192.168.0.1") == (
        "192.168.0.1 is a private address."
    )


def test_a_public_address_passes():
    assert netpolicy.address_refusal("example.com", "93.184.215.14") == ""
    assert netpolicy.address_refusal("example.com", "2606:2800:21f:cb07:6820:80da:af6b:8b2c") == ""


def test_a_badly_written_allow_list_is_a_configuration_error(settings):
    settings.NOROSHI_WEBHOOK_ALLOW_NETWORKS = ["10.0.0.0/33"]
    with pytest.raises(ImproperlyConfigured) as error:
        netpolicy.check_url("https://example.com/hook")
    assert str(error.value) == (
        "NOROSHI_WEBHOOK_ALLOW_NETWORKS: “10.0.0.0/33” is neither a network (e.g. 10.1.0.0/16) "
        "nor a host name."
    )


NOT_ASCII = (
    "The URL must be ASCII without spaces (write international host names as xn--…, other "
    "characters as %XX)."
)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "http://example.com/hook",
            "“http://example.com/hook” is not an https URL: only https is allowed.",
        ),
        ("ftp://example.com/hook", "“ftp://example.com/hook” is not an https URL."),
        ("https:///hook", "“https:///hook” is not an https URL."),
        ("https://u:pw@example.com/hook", "The URL must not contain a user name or password."),
        (
            "https://example.com:99999/",
            "“https://example.com:99999/” is not a valid URL: Port out of range 0-65535.",
        ),
        ("https://example.com/a b", NOT_ASCII),
        ("https://例え.jp/hook", NOT_ASCII),
        ("https://example.com/" + "a" * 481, "The URL is longer than 500 characters."),
    ],
)
def test_unsafe_urls_are_refused_with_the_reason(url, message):
    with pytest.raises(netpolicy.UnsafeURL) as error:
        netpolicy.check_url(url)
    assert str(error.value) == message


def test_plain_http_goes_only_to_an_allow_listed_host(settings):
    settings.NOROSHI_WEBHOOK_ALLOW_NETWORKS = ["10.1.0.0/16", "hooks.internal"]
    assert netpolicy.check_url("http://10.1.2.3:8080/hook").port == 8080
    assert netpolicy.check_url("http://hooks.internal/hook").scheme == "http"
    with pytest.raises(netpolicy.UnsafeURL):
        netpolicy.check_url("http://10.2.0.1/hook")


def test_a_url_is_stored_with_its_host_in_lower_case_and_without_fragment():
    assert netpolicy.normalised_url("  https://Hooks.Example.COM:8443/In/Path?Q=1#top ") == (
        "https://hooks.example.com:8443/In/Path?Q=1"
    )


def test_a_redirect_is_never_followed(webhook_receiver):
    webhook_receiver.plan("/hook", redirect(webhook_receiver.url("/elsewhere")))
    with pytest.raises(netguard.RedirectRefused) as error:
        netguard.post(webhook_receiver.url("/hook"), BODY, HEADERS)
    assert error.value.status == 302
    assert str(error.value) == (
        f"127.0.0.1 answered 302 (a redirect to “{webhook_receiver.url('/elsewhere')}”); "
        "redirects are not followed."
    )
    assert webhook_receiver.per_path() == {"/hook": 1}


def test_the_answer_is_read_up_to_its_cap(webhook_receiver, settings):
    settings.NOROSHI_WEBHOOK_MAX_RESPONSE_BYTES = 1000
    webhook_receiver.plan("/hook", oversize(50 * 1024 * 1024))
    response = netguard.post(webhook_receiver.url("/hook"), BODY, HEADERS)
    assert (response.status, len(response.body), response.truncated) == (200, 1000, True)


# TRICKLE sends its headers a byte at a time, each within any socket timeout: only the total
# budget of the exchange ends it.
@pytest.mark.parametrize("reply", [HANG, TRICKLE], ids=["hangs", "trickles"])
def test_a_receiver_that_never_answers_is_cut_off(webhook_receiver, settings, reply):
    settings.NOROSHI_WEBHOOK_TIMEOUT_SECONDS = 0.5
    webhook_receiver.plan("/hook", reply)
    with pytest.raises(netguard.NoAnswer) as error:
        netguard.post(webhook_receiver.url("/hook"), BODY, HEADERS)
    assert str(error.value) == "No answer from 127.0.0.1 within 0.5 s."
    assert [r.body for r in webhook_receiver.received()] == [BODY]  # it had the request


def test_a_connection_dropped_after_the_body_is_no_answer(webhook_receiver):
    webhook_receiver.plan("/hook", DROP)
    with pytest.raises(netguard.NoAnswer) as error:
        netguard.post(webhook_receiver.url("/hook"), BODY, HEADERS)
    assert str(error.value).startswith("127.0.0.1 closed the connection without answering")
    assert [r.body for r in webhook_receiver.received()] == [BODY]


def test_an_untrusted_certificate_sends_nothing(webhook_receiver, settings, tmp_path):
    other_ca = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other_ca))
    settings.NOROSHI_WEBHOOK_CA_BUNDLE = str(other_ca)
    with pytest.raises(netguard.NotDelivered) as error:
        netguard.post(webhook_receiver.url("/hook"), BODY, HEADERS)
    assert str(error.value).startswith("The certificate of 127.0.0.1 is not trusted:")
    assert webhook_receiver.received() == []


def test_a_closed_port_sends_nothing(settings):
    settings.NOROSHI_WEBHOOK_ALLOW_NETWORKS = ["127.0.0.1/32"]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(netguard.NotDelivered) as error:
        netguard.post(f"https://127.0.0.1:{port}/hook", BODY, HEADERS)
    assert str(error.value) == (
        "Could not connect to 127.0.0.1: 127.0.0.1: [Errno 111] Connection refused."
    )
