"""An import checks every address a delivery would later be pointed at as the console and the
sign-up check it: the team's Slack webhook and each subscriber's address. A document edited by
hand to aim at a private network, or at anything but Slack, is refused by field, and nothing is
imported."""

import pytest

from incidents.portable import PortableError, import_page
from tests.incidents.portable_data import page_document
from tests.incidents.test_portable_branding import nothing_written

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "https://169.254.169.254/services/T0/B0/x",
        "https://hooks.slack.com.evil.example/services/T0/B0/x",
        "http://hooks.slack.com/services/T0/B0/x",
    ],
)
def test_a_team_slack_webhook_the_console_would_refuse_is_refused(url):
    document = page_document()
    document["page"]["team_slack_webhook_url"] = url

    with pytest.raises(PortableError) as refused:
        import_page(document)

    assert str(refused.value).startswith("document.page.team_slack_webhook_url: ")
    assert nothing_written()


@pytest.mark.parametrize(
    ("channel", "address", "message"),
    [
        ("webhook", "https://169.254.169.254/latest/meta-data", "169.254.169.254"),
        ("webhook", "https://2130706433/hook", "127.0.0.1"),
        ("slack", "https://example.com/services/T0/B0/x", "not a Slack incoming-webhook URL"),
        ("email", "hana@", "e-mail"),
        ("sms", "12", "number"),
        ("pigeon", "coop 7", "“pigeon” is not a channel."),
    ],
)
def test_a_subscriber_the_sign_up_would_refuse_is_refused(channel, address, message):
    document = page_document()
    document["subscribers"][1].update(channel=channel, address=address)

    with pytest.raises(PortableError) as refused:
        import_page(document)

    field = "channel" if channel == "pigeon" else "address"
    assert str(refused.value).startswith(f"document.subscribers[1].{field}: ")
    assert message in str(refused.value)
    assert nothing_written()
