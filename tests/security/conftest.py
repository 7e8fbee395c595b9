"""The security matrix's fixtures: the hostile page, written once per module, and the network
edges of the notification tests (tests/notify/conftest.py): a real SMTP sink, a fake Twilio
reached by the real SDK, an HTTPS webhook receiver."""

import pytest
from django.db import transaction

from tests.notify.conftest import smtp, texter, twilio, webhook_receiver
from tests.security.hostile_page import HostilePage, hostile_page

__all__ = ["hostile", "smtp", "texter", "twilio", "webhook_receiver"]


@pytest.fixture(scope="module")
def hostile(django_db_setup, django_db_blocker) -> HostilePage:
    """The hostile page (tests.security.hostile_page), written once for a module's tests in a
    transaction around theirs and rolled back after the last, as Django's setUpTestData does:
    each test still runs in a savepoint of its own, and the next module starts empty."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield hostile_page()
        transaction.set_rollback(True)
