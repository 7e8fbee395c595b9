"""Login throttling against an attacker who rotates what a request says about its sender:
tests/statuspage/test_console_signin.py locks a user name and an address out; here a new
X-Forwarded-For on every guess does not escape the address's lock, directly or behind the one
proxy NOROSHI_TRUSTED_PROXIES trusts (where the address is the one that proxy saw)."""

import pytest
from django.test import Client

from tests.factories import UserFactory
from tests.statuspage.test_console_signin import PASSWORD, sign_in

pytestmark = pytest.mark.django_db


def guesses(settings, *, forwarded: str) -> list[int]:
    """Wrong passwords for new user names from 203.0.113.66, a new X-Forwarded-For each."""
    return [
        Client()
        .post(
            "/admin/login/",
            {"username": f"guess{n}", "password": "wrong"},
            REMOTE_ADDR="10.0.0.2" if forwarded == "proxy" else "203.0.113.66",
            HTTP_X_FORWARDED_FOR=(
                f"198.51.100.{n}, 203.0.113.66" if forwarded == "proxy" else f"198.51.100.{n}"
            ),
        )
        .status_code
        for n in range(settings.AXES_FAILURE_LIMIT + 1)
    ]


def test_a_forged_forwarded_for_does_not_escape_the_address_lock(settings):
    UserFactory(username="ben")
    assert guesses(settings, forwarded="forged")[-1] == 429
    assert sign_in(Client(), "ben", PASSWORD, address="203.0.113.66").status_code == 429


def test_behind_the_trusted_proxy_the_lock_is_the_client_s_address(settings):
    settings.NOROSHI_TRUSTED_PROXIES = 1
    UserFactory(username="ben")
    assert guesses(settings, forwarded="proxy")[-1] == 429
    locked = Client().post(
        "/admin/login/",
        {"username": "ben", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.66",
    )
    assert locked.status_code == 429
    elsewhere = sign_in(Client(), "ben", PASSWORD, address="192.0.2.10")
    assert elsewhere.status_code == 302
