import pytest

from incidents import services
from notify.models import Subscriber
from tests.smtp_sink import SmtpSink


@pytest.fixture
def smtp(settings):
    """Django's SMTP backend pointed at a real SMTP sink on 127.0.0.1."""
    with SmtpSink() as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = sink.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        yield sink


@pytest.fixture
def subscriber_factory(db):
    from django.utils import timezone

    def make(address, *, confirmed=True, components=(), **fields):
        subscriber = Subscriber.objects.create(
            channel="email",
            address=address,
            confirmed_at=timezone.now() if confirmed else None,
            **fields,
        )
        subscriber.components.set(components)
        return subscriber

    return make


@pytest.fixture
def outage(components):
    """An incident on API, declared with notifications off (tests post the announced update)."""
    return services.declare_incident(
        name="Elevated API errors",
        body="Investigating.",
        component_statuses={components["API"]: "major_outage"},
        deliver_notifications=False,
    )
