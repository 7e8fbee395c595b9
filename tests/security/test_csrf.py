"""CSRF: a POST without the CSRF token is refused (403) and changes nothing, on every write path
of the console (the list tests/incidents/test_console_roles.py reads from the admin site), the
console's sign-in and second factor, the management API with a console session, and the public
forms. An Owner is signed in: the refusal is the token's, not the role's.

Meant to take no token (docs/security.md says why, and each is checked by its own test):
  /subscriptions/confirm/<token>, /subscriptions/unsubscribe/<token>: the signed link is the
    credential, and RFC 8058's one-click unsubscribe is a POST from the mail client;
  /twilio/status/<key>, /twilio/inbound: Twilio's signature (tests/security/test_twilio.py);
  /anymail/…: the provider's basic-auth secret (tests/notify/test_email_feedback.py);
  /api/v1/… with an API key, and /api/v1/integrations/<kind>/<token>: a credential in the
    request that a browser never adds by itself (tests/statuspage/api_v1/test_roles.py);
  /api/v2/…: read only (GET and HEAD)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from notify.models import Subscriber
from notify.signing import link_path
from tests.console_client import ConsoleClient
from tests.incidents.test_console_roles import fingerprint, full_page, write_paths
from tests.statuspage.page_html import parse

pytestmark = pytest.mark.django_db

__all__ = ["full_page"]


@pytest.fixture
def owner_without_token(owner):
    client = ConsoleClient(enforce_csrf_checks=True)
    client.force_login(owner)
    return client


def test_every_console_write_path_refuses_a_post_without_the_token(owner_without_token, full_page):
    before = fingerprint()
    paths = write_paths()
    answers = {
        (url, str(data)): owner_without_token.post(url, data).status_code for _, url, data in paths
    }
    assert {key: code for key, code in answers.items() if code != 403} == {}
    assert fingerprint() == before
    assert len(answers) > 60


def test_the_same_post_with_the_token_is_let_through(owner_without_token, full_page):
    """The refusal above is CSRF's: with its token, an Owner's post of a change form works."""
    add = reverse("admin:incidents_componentgroup_add")
    form = parse(owner_without_token.get(add).content)
    token = form.find_all("input", name="csrfmiddlewaretoken")[0].attrs["value"]
    answer = owner_without_token.post(
        add,
        {"name": "Edge", "position": 1, "csrfmiddlewaretoken": token},
    )
    assert answer.status_code == 302


def test_sign_in_second_factor_and_api_session_refuse_a_post_without_the_token(
    owner_without_token, owner
):
    before = fingerprint()
    for url, data in [
        ("/admin/second-factor/", {"code": "123456"}),
        ("/admin/second-factor/verify/", {"code": "123456"}),
        ("/admin/second-factor/recovery-codes/", {}),
        ("/admin/logout/", {}),
        ("/api/v1/sending-switch", {"paused": True, "reason": "csrf"}),
    ]:
        assert owner_without_token.post(url, data).status_code == 403, url
    anonymous = ConsoleClient(enforce_csrf_checks=True)
    signing_in = {"username": "owner", "password": "correct horse battery staple"}
    assert anonymous.post("/admin/login/", signing_in).status_code == 403
    assert fingerprint() == before


def test_the_public_forms_refuse_a_post_without_the_token(full_page, outage):
    visitor = ConsoleClient(enforce_csrf_checks=True)
    subscriber = Subscriber.objects.create(
        channel="email", address="ben@example.com", confirmed_at=timezone.now()
    )
    before = fingerprint()
    for url, data in [
        ("/subscribe", {"channel": "email", "address": "eve@example.com", "language": "en"}),
        (
            f"/incidents/{outage.public_id}/subscribe",
            {"channel": "email", "address": "eve@example.com", "language": "en"},
        ),
        (link_path(subscriber, "manage"), {"language": "ja", "scope": "all"}),
        (link_path(subscriber, "code"), {"code": "123456"}),
    ]:
        assert visitor.post(url, data).status_code == 403, url
    assert fingerprint() == before


def test_the_one_click_links_take_no_token_by_design(full_page):
    """RFC 8058: the mail client POSTs the List-Unsubscribe URL with no page and no cookie."""
    visitor = ConsoleClient(enforce_csrf_checks=True)
    subscriber = Subscriber.objects.create(channel="email", address="cy@example.com")
    assert visitor.post(link_path(subscriber, "confirm")).status_code == 200
    assert visitor.post(link_path(subscriber, "unsubscribe")).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.confirmed_at is not None and subscriber.unsubscribed_at is not None
