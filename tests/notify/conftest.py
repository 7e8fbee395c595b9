import pytest

from incidents import services
from notify import services as notify_services
from notify.models import Delivery, Notification, SendingSwitch, Subscriber
from tests.factories import ComponentFactory, ComponentGroupFactory
from tests.notify.fan_out import fan_out
from tests.notify.recovery import post_recovery
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
def twilio(settings):
    """The real twilio SDK pointed at a fake Twilio on 127.0.0.1 (tests/fake_twilio.py), with a
    short timeout and pacing fast enough that no test waits on it."""
    from tests.fake_twilio import FakeTwilio

    with FakeTwilio() as fake:
        settings.TWILIO_ACCOUNT_SID = fake.account_sid
        settings.TWILIO_AUTH_TOKEN = fake.auth_token
        settings.TWILIO_FROM_NUMBER = "+15005550006"
        settings.TWILIO_MESSAGING_SERVICE_SID = ""
        settings.NOROSHI_TWILIO_API_URL = fake.url
        settings.NOROSHI_TWILIO_TIMEOUT = 1.0
        settings.NOROSHI_SMS_PER_SECOND = 1000.0
        settings.NOROSHI_SMS_COUNTRY_CODES = "1,44,81"
        yield fake


@pytest.fixture
def webhook_receiver(settings):
    """A real HTTPS receiver on 127.0.0.1 (tests/webhook_receiver.py): its CA trusted, its
    address allow-listed, and its host taken for Slack's."""
    from tests.webhook_receiver import WebhookReceiver

    with WebhookReceiver() as receiver:
        settings.NOROSHI_WEBHOOK_ALLOW_NETWORKS = ["127.0.0.1/32"]
        settings.NOROSHI_WEBHOOK_CA_BUNDLE = str(receiver.ca_path)
        settings.NOROSHI_SLACK_HOSTS = ["127.0.0.1"]
        yield receiver


@pytest.fixture
def hook(webhook_receiver):
    """A confirmed webhook subscriber at a path of the receiver (which knows its secret)."""
    from django.utils import timezone

    def make(path, *, confirmed=True, components=(), language="en"):
        subscriber = Subscriber.objects.create(
            channel="webhook",
            address=webhook_receiver.url(path),
            language=language,
            confirmed_at=timezone.now() if confirmed else None,
        )
        subscriber.components.set(components)
        webhook_receiver.secrets[path] = subscriber.secret
        return subscriber

    return make


@pytest.fixture
def rendered_webhook(outage):
    """The webhook event of an update posted on `outage`, rendered in English."""
    from notify.messages import Announcement, webhook
    from notify.models import Notification

    update = services.post_update(incident=outage, status="identified", body="Found it.")
    return webhook.render(Announcement(Notification.objects.get(update=update), "en"))


@pytest.fixture
def texter(db):
    """A factory of SMS subscribers (confirmed unless told otherwise)."""

    from django.utils import timezone

    def make(number, *, confirmed=True, language="en", **fields):
        return Subscriber.objects.create(
            channel="sms",
            address=number,
            language=language,
            confirmed_at=timezone.now() if confirmed else None,
            **fields,
        )

    return make


@pytest.fixture
def sms_announced(twilio, texter, components):
    """One confirmed SMS subscriber and the fanned-out announcement of a new incident; the
    delivery's id."""
    from notify.models import Delivery, Notification
    from tests.notify.fan_out import fan_out

    texter("+819012345678")
    services.declare_incident(
        name="Elevated API errors",
        body="Investigating.",
        component_statuses={components["API"]: "major_outage"},
    )
    fan_out(Notification.objects.get().pk)
    return Delivery.objects.get().pk


@pytest.fixture
def recovery(components):
    """An update that set three components' statuses, announced (tests/notify/recovery.py)."""
    return post_recovery(components)


# --- The public subscription pages' tests ----------------------------------------------------


@pytest.fixture
def grouped(components):
    """The three loose components of `components`, plus a group of two."""
    platform = ComponentGroupFactory(name="Platform", position=0)
    return {
        **components,
        "Queue": ComponentFactory(name="Queue", group=platform),
        "Storage": ComponentFactory(name="Storage", group=platform),
    }


@pytest.fixture
def confirmed(components):
    subscriber = notify_services.subscribe(channel="email", address="eve@example.com")
    return notify_services.confirm(subscriber=subscriber)


@pytest.fixture
def held_crowd(outage, subscriber_factory):
    """40 confirmed e-mail subscribers (more than two claim groups) and their fanned-out
    deliveries, in id order: fanned out while sending is paused — with transaction=True the
    commit would run the queued fan-out and send at once — then the switch turned back by
    hand."""
    notify_services.pause_sending(reason="setting up")
    for n in range(40):
        subscriber_factory(f"s{n:02d}@example.com")
    services.post_update(incident=outage, status="identified", body="A bad deploy.")
    fan_out(Notification.objects.get().pk)
    SendingSwitch.objects.filter(id=1).update(paused=False)
    return list(Delivery.objects.order_by("id").values_list("id", flat=True))
