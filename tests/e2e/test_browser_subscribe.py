"""A visitor subscribes by e-mail in real headless Chromium and follows the whole life of the
subscription: from the overview to the form, one component chosen, the confirmation e-mail
sent by a real Celery worker through Django's SMTP backend to a real SMTP sink, its link
opened and confirmed, the manage page switched to Japanese, and unsubscribed. Screenshots land
in test-artifacts/."""

import re
import time

import pytest
from django.conf import settings
from django.core.management import call_command

from incidents.models import Component
from notify.models import Subscriber
from tests.chromium import chromium, screenshot
from tests.e2e.conftest import start_worker, stop_worker, wait_until_ready

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ADDRESS = "visitor@example.com"
MAIL_WAIT = 60


def confirmation_link(smtp_sink, worker) -> str:
    """The link in the confirmation e-mail that reaches the sink."""
    deadline = time.monotonic() + MAIL_WAIT
    while time.monotonic() < deadline:
        for message in list(smtp_sink.messages):
            if message["To"] == ADDRESS:
                return re.search(r"https?://\S+", message.get_content()).group(0)
        worker.ensure_alive()
        time.sleep(0.2)
    pytest.fail(f"no confirmation e-mail for {ADDRESS} after {MAIL_WAIT} s")


def subscribe_on_the_form(page, url: str) -> None:
    page.goto(url + "/")
    page.locator("header a.button").click()
    page.wait_for_url("**/subscribe")
    assert page.locator("h1").inner_text() == "Subscribe to updates"
    page.get_by_label("E-mail address").fill("visitor.example.com")
    page.get_by_role("button", name="Subscribe", exact=True).click()
    page.wait_for_selector(".error-summary")
    assert " ".join(page.locator("#address-error").text_content().split()) == (
        "Error: “visitor.example.com” is not an e-mail address."
    )
    screenshot(page, "subscribe-error-en")
    page.locator(".error-summary a").click()  # the summary leads to the field itself
    assert page.evaluate("document.activeElement.id") == "id_address"
    page.get_by_label("E-mail address").fill(ADDRESS)
    page.get_by_label("Only the components I choose below").check()
    page.get_by_label("Search", exact=True).check()
    screenshot(page, "subscribe-en")
    page.get_by_role("button", name="Subscribe", exact=True).click()
    page.wait_for_selector("text=Almost done: confirm your subscription")
    assert ADDRESS in page.locator("main").inner_text()
    screenshot(page, "subscribed-en")


def confirm_and_manage(page, link: str) -> None:
    page.goto(link)
    assert page.locator("h1").inner_text() == "Confirm your subscription"
    page.get_by_role("button", name="Confirm your subscription").click()
    page.wait_for_selector("h1:text('Subscription confirmed.')")
    screenshot(page, "confirmed-en")

    page.locator("main a.button", has_text="Manage your subscription").click()
    page.wait_for_url("**/subscriptions/manage/*")
    assert "Search" in page.locator("#subscription").inner_text()
    page.get_by_label("日本語").check()
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url("**?saved=1")
    assert page.locator("html").get_attribute("lang") == "ja"
    assert page.locator("p.notice").inner_text() == "変更を保存しました。"
    screenshot(page, "manage-ja")

    page.get_by_role("button", name="購読を停止").click()
    page.wait_for_selector("h1:text('購読を停止しました。')")
    screenshot(page, "unsubscribed-ja")


def test_a_visitor_subscribes_confirms_manages_and_unsubscribes(
    live_server,
    tmp_path,
    sink,
    worker_queue,
):
    call_command("seed_demo", verbosity=0)
    search = Component.objects.get(name="Search")
    env = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(sink.port),
        "SITE_URL": live_server.url,
        # The links it signs must be valid here (its own var/ would generate another key).
        "SECRET_KEY": settings.SECRET_KEY,
    }
    worker = start_worker(tmp_path, worker_queue, env)
    try:
        wait_until_ready(worker)
        with chromium() as browser:
            page = browser.new_page(locale="en-US", viewport={"width": 1280, "height": 900})
            subscribe_on_the_form(page, live_server.url)
            confirm_and_manage(page, confirmation_link(sink, worker))

            phone = browser.new_page(locale="ja-JP", viewport={"width": 390, "height": 844})
            phone.goto(live_server.url + "/subscribe")
            assert phone.locator("h1").inner_text() == "更新情報を購読"
            screenshot(phone, "subscribe-phone-ja")
    finally:
        stop_worker(worker)

    subscriber = Subscriber.objects.get()
    assert (subscriber.address, subscriber.language) == (ADDRESS, "ja")
    assert subscriber.confirmed_at is not None
    assert subscriber.unsubscribed_at is not None
    assert list(subscriber.components.all()) == [search]
    assert sink.sink.per_recipient() == {ADDRESS: 1}
