"""Console sign-ins: refused passwords lock a user name or an address out for a while (django-axes),
logged and listed in the console; sessions end when idle too long or too old."""

import logging
from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog
from django.test import Client
from django.utils import timezone

from incidents import selectors
from tests.factories import UserFactory

PASSWORD = "correct horse battery staple"
LOGIN = "/admin/login/"


def sign_in(client: Client, username: str, password: str, address: str = "192.0.2.10"):
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


def signed_in(client: Client) -> bool:
    """Past the password: the console asks for the second factor next (statuspage.second_factor
    and its tests), where a signed-out session is sent back to the password."""
    return client.get("/admin/").get("Location", "").startswith("/admin/second-factor/")


@pytest.fixture
def ann(db):
    return UserFactory(username="ann")


def test_five_refused_passwords_lock_the_user_out_even_with_the_right_one(ann, settings, caplog):
    client = Client()
    with caplog.at_level(logging.WARNING):
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            assert sign_in(client, "ann", "wrong").status_code == 200  # the form again
        locked = sign_in(client, "ann", "wrong")
        assert locked.status_code == 429

        again = sign_in(client, "ann", PASSWORD)

    assert again.status_code == 429
    assert b"Sign-in locked" in again.content
    assert b"Try again in 15 minutes." in again.content
    assert again["Retry-After"] == "900"
    assert not signed_in(client)
    assert "Locking out" in caplog.text and "192.0.2.10" in caplog.text
    refused = AccessFailureLog.objects.filter(username="ann")
    assert refused.filter(locked_out=False).count() == settings.AXES_FAILURE_LIMIT - 1
    assert refused.filter(locked_out=True).count() == 2  # the one that locked, and the next


def test_the_lock_is_per_user_name_too_from_another_address(ann, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(Client(), "ann", "wrong", address="192.0.2.10")

    assert sign_in(Client(), "ann", PASSWORD, address="198.51.100.7").status_code == 429


def test_the_lock_is_per_address_across_user_names(db, settings):
    UserFactory(username="ben")
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(Client(), f"guess{n}", "wrong", address="203.0.113.66")

    assert sign_in(Client(), "ben", PASSWORD, address="203.0.113.66").status_code == 429
    client = Client()
    assert sign_in(client, "ben", PASSWORD, address="192.0.2.10").status_code == 302
    assert signed_in(client)


def test_the_lock_lifts_after_the_cool_off_and_a_success_clears_the_count(ann, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(Client(), "ann", "wrong")
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        client = Client()
        assert sign_in(client, "ann", PASSWORD).status_code == 302
        assert signed_in(client)
        assert not AccessAttempt.objects.filter(username="ann").exists()
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            sign_in(Client(), "ann", "wrong")
        assert sign_in(Client(), "ann", PASSWORD).status_code == 302  # counted from zero


def test_the_japanese_console_says_so_in_japanese(ann, settings):
    client = Client(HTTP_ACCEPT_LANGUAGE="ja")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "ann", "wrong")

    page = sign_in(client, "ann", PASSWORD).content.decode()

    assert "ログインがロックされました" in page and "15 分後に" in page


def test_a_sign_in_keeps_the_language_the_console_speaks_to_the_member_in(ann):
    assert selectors.member_language(ann) == "en"  # never signed in: the default

    sign_in(Client(HTTP_ACCEPT_LANGUAGE="ja,en;q=0.5"), "ann", PASSWORD)

    assert selectors.member_language(ann) == "ja"
    sign_in(Client(HTTP_ACCEPT_LANGUAGE="en-GB"), "ann", PASSWORD)
    assert selectors.member_language(ann) == "en"


def test_owners_see_the_attempts_in_the_console(ann, settings, admin_client):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(Client(), "ann", "wrong")

    listing = admin_client.get("/admin/axes/accessattempt/")

    assert listing.status_code == 200
    assert b"ann" in listing.content and b"192.0.2.10" in listing.content


def test_an_owner_lifts_a_lock_by_deleting_its_attempt_in_the_console(ann, settings, admin_client):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(Client(), "ann", "wrong")
    attempt = AccessAttempt.objects.get(username="ann")

    deleted = admin_client.post(
        f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"}, follow=True
    )

    assert deleted.status_code == 200
    client = Client()
    assert sign_in(client, "ann", PASSWORD).status_code == 302
    assert signed_in(client)


def test_a_session_ends_after_the_idle_limit(ann, settings):
    client = Client()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert sign_in(client, "ann", PASSWORD).status_code == 302
        clock.shift(timedelta(seconds=settings.NOROSHI_SESSION_IDLE_SECONDS - 60))
        assert signed_in(client)  # activity restarts the idle clock
        clock.shift(timedelta(seconds=settings.NOROSHI_SESSION_IDLE_SECONDS - 60))
        assert signed_in(client)
        clock.shift(timedelta(seconds=settings.NOROSHI_SESSION_IDLE_SECONDS + 60))

        page = client.get("/admin/", follow=True)

    assert page.redirect_chain[-1][0].startswith(LOGIN)
    assert b"without activity" in page.content


def test_a_session_ends_at_its_maximum_age_however_busy(ann, settings):
    settings.NOROSHI_SESSION_MAX_SECONDS = 3 * 3600
    client = Client()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert sign_in(client, "ann", PASSWORD).status_code == 302
        for _ in range(3):
            clock.shift(timedelta(minutes=59))
            assert signed_in(client)
        clock.shift(timedelta(minutes=10))

        page = client.get("/admin/", follow=True)

    assert page.redirect_chain[-1][0].startswith(LOGIN)
    assert b"a session lasts 3 hours" in page.content
