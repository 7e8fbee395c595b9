"""The console's second factor: staff enrol an authenticator app (TOTP) before using the
console, then type its code (or a one-time recovery code) after each password sign-in."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from incidents.models import AuditEntry
from tests.factories import UserFactory

PASSWORD = "correct horse battery staple"
SETUP, VERIFY = "/admin/second-factor/", "/admin/second-factor/verify/"


@pytest.fixture
def ann(db):
    return UserFactory(username="ann", is_superuser=True)


def password_sign_in(client: Client, next_page: str = "/admin/") -> str:
    response = client.post(
        "/admin/login/", {"username": "ann", "password": PASSWORD, "next": next_page}
    )
    assert response.status_code == 302
    return client.get(response["Location"])["Location"]


def code_of(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def enrol(client: Client) -> list[str]:
    """Sign in and enrol an app, as a new member does; the recovery codes it was shown."""
    assert password_sign_in(client).startswith(SETUP)
    assert client.get(SETUP).status_code == 200
    device = TOTPDevice.objects.get(user__username="ann", confirmed=False)
    shown = client.post(SETUP, {"code": code_of(device), "next": "/admin/"})
    assert shown.status_code == 200
    return shown.context["codes"]


def later_sign_in(clock) -> Client:
    """A member who enrolled a minute ago signs in again with the password (the app's code of
    the enrolment is not taken twice, so the clock moves on)."""
    enrol(Client())
    clock.shift(timedelta(seconds=60))
    client = Client()
    password_sign_in(client)
    return client


def test_a_member_without_an_app_is_sent_to_enrol_one_before_anything_else(ann):
    client = Client()
    assert password_sign_in(client, "/admin/incidents/incident/").startswith(
        SETUP + "?next=%2Fadmin%2Fincidents%2Fincident%2F"
    )
    assert client.get("/admin/notify/subscriber/")["Location"].startswith(SETUP)
    refused = client.get("/api/v1/schema")
    assert refused.status_code == 403
    assert "second factor" in refused.json()["detail"]


def test_enrolling_shows_the_key_and_qr_code_and_checks_a_code_first(ann):
    client = Client()
    password_sign_in(client)
    page = client.get(SETUP)
    device = TOTPDevice.objects.get(user=ann, confirmed=False)
    assert page.context["key"].replace(" ", "") in device.config_url
    qr = client.get("/admin/second-factor/qr.svg")
    assert qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content
    assert "no-store" in qr["Cache-Control"]

    wrong = client.post(SETUP, {"code": "000000"})

    assert wrong.status_code == 400
    assert b"That code is not right" in wrong.content
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
    assert client.get("/admin/")["Location"].startswith(SETUP)


def test_an_enrolled_member_gets_ten_recovery_codes_once_and_the_console(ann):
    client = Client()
    codes = enrol(client)

    assert len(codes) == len(set(codes)) == 10
    assert client.get("/admin/").status_code == 200
    assert TOTPDevice.objects.get(user=ann).confirmed
    assert AuditEntry.objects.filter(actor=ann, action="enrol_second_factor").exists()
    assert client.get("/admin/second-factor/qr.svg").status_code == 404  # no key shown again


def test_each_sign_in_asks_for_the_apps_code_and_refuses_a_wrong_one(ann):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        enrol(Client())
        clock.shift(timedelta(seconds=60))
        client = Client()
        assert password_sign_in(client, "/admin/incidents/").startswith(VERIFY)
        assert client.get("/admin/incidents/")["Location"].startswith(VERIFY)

        wrong = client.post(VERIFY, {"code": "123456", "next": "/admin/incidents/"})
        assert wrong.status_code == 400
        clock.shift(timedelta(seconds=30))  # past the throttle, and a new code
        device = TOTPDevice.objects.get(user=ann)
        right = client.post(VERIFY, {"code": code_of(device), "next": "/admin/incidents/"})

    assert right["Location"] == "/admin/incidents/"
    assert client.get("/admin/incidents/").status_code == 200


def test_wrong_codes_are_throttled_even_before_the_right_one(ann):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client = later_sign_in(clock)
        for _ in range(3):
            client.post(VERIFY, {"code": "999999"})
        device = TOTPDevice.objects.get(user=ann)

        too_soon = client.post(VERIFY, {"code": code_of(device)})

        assert too_soon.status_code == 400
        clock.shift(timedelta(seconds=5))
        assert client.post(VERIFY, {"code": code_of(device)}).status_code == 302


def test_a_recovery_code_stands_in_for_the_app_once(ann):
    codes = enrol(Client())
    client = Client()
    password_sign_in(client)

    used = client.post(VERIFY, {"code": codes[0]}, follow=True)

    assert used.redirect_chain[-1][0] == "/admin/"
    assert b"You used a recovery code; 9 are left." in used.content
    assert StaticToken.objects.filter(device__user=ann).count() == 9
    again = Client()
    password_sign_in(again)
    assert again.post(VERIFY, {"code": codes[0]}).status_code == 400


def test_a_verified_member_replaces_the_recovery_codes(ann):
    client = Client()
    old = enrol(client)

    new = client.post("/admin/second-factor/recovery-codes/").context["codes"]

    assert len(new) == 10 and not set(new) & set(old)
    assert StaticToken.objects.filter(device__user=ann, token__in=old).count() == 0


def test_verifying_never_sends_to_another_site(ann):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client = later_sign_in(clock)
        device = TOTPDevice.objects.get(user=ann)
        answer = client.post(VERIFY, {"code": code_of(device), "next": "https://evil.example/"})

    assert answer["Location"] == "/admin/"
