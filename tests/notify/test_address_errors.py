"""The channels' address errors on the public subscribe page in Japanese: each names the value
that was refused, and nothing is written or sent."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from notify.addresses import webhook_url
from notify.models import Subscriber
from tests.notify.subscription_pages import errors_beside, form_for
from tests.statuspage.page_html import parse

pytestmark = pytest.mark.django_db

JAPANESE_REFUSALS = [
    ("email", "not-an-address", "「not-an-address」はメールアドレスではありません。"),
    (
        "webhook",
        "http://example.com/hook",
        "「http://example.com/hook」はhttpsのURLではありません。使えるのはhttpsだけです。",
    ),
    ("webhook", "ftp://example.com/hook", "「ftp://example.com/hook」はhttpsのURLではありません。"),
    (
        "webhook",
        "https://u:pw@example.com/hook",
        "URLにユーザー名やパスワードを含めることはできません。",
    ),
    (
        "webhook",
        "https://例え.jp/hook",
        "URLは空白を含まないASCII文字で書いてください（国際化ドメイン名はxn--…の形で、"
        "そのほかの文字は%XXの形で）。",
    ),
    (
        "webhook",
        "https://example.com:99999/",
        # urllib's reason has no translation.
        "「https://example.com:99999/」は正しいURLではありません: Port out of range 0-65535。",
    ),
    ("webhook", "https://10.0.0.5/hook", "10.0.0.5はプライベートアドレスです。"),
    ("webhook", "https://169.254.169.254/", "169.254.169.254はリンクローカルアドレスです。"),
    ("webhook", "https://100.64.0.1/", "100.64.0.1は公開されていないアドレスです。"),
    (
        "webhook",
        "https://[::ffff:127.0.0.1]/hook",
        "::ffff:127.0.0.1はループバックアドレス（IPv6に埋め込まれたIPv4の127.0.0.1）です。",
    ),
    (
        "slack",
        "https://example.com/services/T1/B1/x",
        "「https://example.com/services/T1/B1/x」はSlackのIncoming Webhook URLではありません"
        "（https://hooks.slack.com/services/…）。",
    ),
    (
        "slack",
        "http://hooks.slack.com/services/T1/B1/x",
        "「http://hooks.slack.com/services/T1/B1/x」はhttpsのURLではありません。"
        "使えるのはhttpsだけです。",
    ),
]


@pytest.mark.parametrize(("channel", "address", "message"), JAPANESE_REFUSALS)
def test_a_bad_address_is_refused_in_japanese_and_nothing_is_written(
    client, components, mailoutbox, channel, address, message
):
    response = client.post(
        "/subscribe?lang=ja", form_for(channel=channel, address=address, language="ja")
    )

    assert response.status_code == 400
    assert response["Content-Language"] == "ja"
    assert errors_beside(parse(response.content), "address") == f"エラー: {message}"
    assert Subscriber.objects.count() == 0
    assert mailoutbox == []


def test_the_same_address_is_refused_in_english_on_the_english_page(client, components):
    response = client.post(
        "/subscribe", form_for(channel="webhook", address="https://10.0.0.5/hook")
    )

    assert response.status_code == 400
    assert errors_beside(parse(response.content), "address") == (
        "Error: 10.0.0.5 is a private address."
    )
    assert Subscriber.objects.count() == 0


def test_a_url_over_the_limit_is_refused_in_japanese():
    # The page's form stops longer input first; other callers of the channel reach this.
    with translation.override("ja"), pytest.raises(ValidationError) as error:
        webhook_url("https://example.com/" + "a" * 481)
    assert error.value.message_dict == {"address": ["URLが500文字を超えています。"]}
