"""The Slack channel against a real HTTPS receiver standing in for hooks.slack.com: Block Kit
messages in English and Japanese, untrusted Markdown made inert, Slack's answers classified,
and the confirmation message."""

import hashlib
import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from incidents import services as incident_services
from notify import delivery, ratelimit, services
from notify.addresses import slack_webhook_url
from notify.channels.base import PermanentError, RetryableError
from notify.channels.slack import SlackChannel
from notify.messages import Announcement
from notify.messages.slack import clipped, mrkdwn
from notify.messages.slack import render as render_slack
from notify.models import Delivery, Notification, Subscriber
from notify.signing import confirm_url, unsubscribe_url
from tests.factories import ComponentFactory
from tests.notify.fan_out import fan_out
from tests.notify.recovery import RECOVERY_LINES, RECOVERY_TIME
from tests.webhook_receiver import DROP, Reply, status

pytestmark = pytest.mark.django_db

PATH = "/services/T0001/B0001/abcDEF123"


@pytest.fixture
def slack(webhook_receiver):
    """A confirmed Slack subscriber whose incoming webhook is the receiver's PATH."""

    def make(path=PATH, *, language="en", confirmed=True):
        return Subscriber.objects.create(
            channel="slack",
            address=webhook_receiver.url(path),
            language=language,
            confirmed_at=timezone.now() if confirmed else None,
        )

    return make


def utc(moment) -> str:
    """A time as messages write it on a page in UTC (the default), e.g. "Dec 5, 2026 08:35 UTC"."""
    return f"{moment:%b} {moment.day}, {moment:%Y %H:%M} UTC"


def deliver(update) -> dict[str, int]:
    notification = Notification.objects.get(update=update)
    fan_out(notification.pk)
    return delivery.deliver_batch(list(notification.deliveries.values_list("id", flat=True)))


def announce(incident, body: str, **update) -> dict[str, int]:
    return deliver(
        incident_services.post_update(incident=incident, status="identified", body=body, **update)
    )


def test_an_update_becomes_block_kit_blocks(outage, slack, webhook_receiver):
    subscriber = slack()
    body = "A bad **deploy**, see [the log](https://example.com/log?a=1&b=2)."
    assert announce(outage, body) == {"sent": 1}

    [request] = webhook_receiver.received(PATH)
    assert request.headers["content-type"] == "application/json"
    posted = Notification.objects.get().update.display_at
    declared = outage.updates.get(status="investigating").display_at
    assert request.json() == {
        "text": "[Identified] Elevated API errors",
        "blocks": [
            {
                "type": "header",
                "text": {
                    "type": "plain_text",
                    "text": "[Identified] Elevated API errors",
                    "emoji": True,
                },
            },
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": f"*Identified* · {utc(posted)} · Affected: API"},
            },
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": "A bad *deploy*, see <https://example.com/log?a=1&amp;b=2|the log>.",
                },
            },
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f"*Earlier updates*\n• {utc(declared)} · *Investigating*: "
                    "Investigating.",
                },
            },
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {
                            "type": "plain_text",
                            "text": "Details on the status page",
                            "emoji": True,
                        },
                        "url": f"http://127.0.0.1:8000/incidents/{outage.public_id}",
                        "action_id": "open_incident",
                    }
                ],
            },
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": "You are subscribed to Noroshi status updates. "
                        f"<{unsubscribe_url(subscriber)}|Unsubscribe>",
                    }
                ],
            },
        ],
    }


def test_a_japanese_subscriber_reads_japanese(outage, slack, webhook_receiver):
    slack(language="ja")
    assert announce(outage, "A bad deploy.", body_ja="デプロイの不具合です。") == {"sent": 1}
    blocks = webhook_receiver.received(PATH)[0].json()["blocks"]
    posted = Notification.objects.get().update.display_at
    assert blocks[1]["text"]["text"] == (
        f"*原因特定* · {posted.year}年{posted.month}月{posted.day}日 {posted:%H:%M} UTC · 影響: API"
    )
    assert blocks[2]["text"]["text"] == "デプロイの不具合です。"
    assert "\n• " in blocks[3]["text"]["text"]  # the earlier updates
    assert blocks[4]["elements"][0]["text"]["text"] == "ステータスページで詳細を見る"
    assert blocks[5]["elements"][0]["text"].startswith(
        "Noroshiのステータス更新を購読しています。 <"
    )


def test_the_components_the_update_set_are_listed_with_their_statuses(
    recovery, slack, webhook_receiver
):
    slack()
    assert deliver(recovery) == {"sent": 1}
    message = webhook_receiver.received(PATH)[0].json()
    assert message["text"] == (
        "[Monitoring] Elevated API errors (Platform - Queue: Major outage; "
        "API: Partial outage → Operational; Web: Operational → Degraded performance)"
    )
    assert [block["text"]["text"] for block in message["blocks"][1:4]] == [
        "*Monitoring* · Dec 5, 2026 17:35 JST",  # the section below names the components
        "A fix is *out*.",
        "*Affected components*\n"
        "• Platform - Queue: Major outage\n"
        "• API: Partial outage → Operational\n"
        "• Web: Operational → Degraded performance",
    ]
    assert message["blocks"][4]["text"]["text"] == (
        "*Earlier updates*\n• Dec 5, 2026 17:05 JST · *Investigating*: Investigating."
    )


def test_the_components_are_named_and_labelled_in_japanese(recovery, slack, webhook_receiver):
    slack(language="ja")
    assert deliver(recovery) == {"sent": 1}
    message = webhook_receiver.received(PATH)[0].json()
    lines = "; ".join(RECOVERY_LINES["ja"])
    assert message["text"] == f"[経過観察中] APIのエラー率上昇 ({lines})"
    assert [block["text"]["text"] for block in message["blocks"][1:4]] == [
        f"*経過観察中* · {RECOVERY_TIME['ja']}",
        "修正を*適用*しました。",
        "\n".join(
            ["*影響を受けたコンポーネント*", *[f"• {line}" for line in RECOVERY_LINES["ja"]]]
        ),
    ]


def test_component_names_are_escaped(components, slack, webhook_receiver):
    slack()
    edge = ComponentFactory(name="<!channel> Edge & co")
    incident = incident_services.declare_incident(
        name="Edge errors", body="Investigating.", deliver_notifications=False
    )
    assert announce(incident, "Found it.", component_statuses={edge: "major_outage"}) == {"sent": 1}
    message = webhook_receiver.received(PATH)[0].json()
    assert message["text"] == (
        "[Identified] Edge errors (&lt;!channel&gt; Edge &amp; co: Operational → Major outage)"
    )
    assert message["blocks"][3]["text"]["text"] == (
        "*Affected components*\n• &lt;!channel&gt; Edge &amp; co: Operational → Major outage"
    )


def test_malicious_markdown_is_inert(components, slack, webhook_receiver):
    slack()
    incident = incident_services.declare_incident(
        name="<!here> Outage & more", body="Investigating.", deliver_notifications=False
    )
    body = (
        "<!channel> <@U123> <script>alert(1)</script> [click](javascript:alert(1)) "
        '<http://evil.example|http://bank.example> <a href="https://x.example/a|b>c">t</a> '
        "<img src=x onerror=alert(1)> & <b>bold</b>"
    )
    assert announce(incident, body) == {"sent": 1}
    message = webhook_receiver.received(PATH)[0].json()
    assert message["blocks"][2]["text"]["text"] == (
        "&lt;!channel&gt; &lt;@U123&gt; click http://evil.example|http://bank.example "
        "<https://x.example/a%7Cb&gt;c|t> &amp; *bold*"
    )
    # The fallback text is mrkdwn (escaped); a header is plain text, where nothing is markup.
    assert message["text"] == "[Identified] &lt;!here&gt; Outage &amp; more"
    assert message["blocks"][0]["text"]["text"] == "[Identified] <!here> Outage & more"


def test_markdown_structure_becomes_mrkdwn():
    text = "### Impact\n\n- one\n- two\n    - nested\n\n1. first\n2. second\n\n`x<y` and _em_."
    assert mrkdwn(text) == (
        "*Impact*\n• one\n• two\n    • nested\n\n1. first\n2. second\n\n`x&lt;y` and _em_."
    )


def test_a_long_body_is_clipped_without_breaking_a_link_or_entity():
    assert clipped("abc <https://example.com|x>", 10) == "abc …"
    assert clipped("abc &amp; def", 7) == "abc …"
    assert clipped("short", 10) == "short"


@pytest.mark.parametrize(
    ("reply", "state", "error"),
    [
        (status(200, b"ok"), "sent", ""),
        (status(404, b"no_service"), "failed", "HTTP 404: no_service"),
        (status(410, b"channel_is_archived"), "failed", "HTTP 410: channel_is_archived"),
        (status(403, b"invalid_token"), "failed", "HTTP 403: invalid_token"),
        (status(400, b"invalid_payload"), "failed", "HTTP 400: invalid_payload"),
        (status(429, b"rate_limited"), "pending", "HTTP 429: rate_limited"),
        (
            Reply(429, b"rate_limited", headers=(("Retry-After", "30"),)),
            "pending",
            "HTTP 429: rate_limited (retry after 30 s)",
        ),
        (status(500, b"rollup_error"), "pending", "HTTP 500: rollup_error"),
        (status(503), "pending", "HTTP 503"),
    ],
)
def test_slacks_answers_are_classified(outage, slack, webhook_receiver, reply, state, error):
    slack()
    webhook_receiver.plan(PATH, reply)
    announce(outage, "Found it.")
    row = Delivery.objects.get()
    assert (row.state, row.error) == (state, error)


def test_a_message_whose_answer_is_lost_is_never_sent_again(outage, slack, webhook_receiver):
    slack()
    webhook_receiver.plan(PATH, DROP)
    assert announce(outage, "Found it.") == {"unknown": 1}
    assert Delivery.objects.get().state == "unknown"  # Slack has no idempotency key
    assert len(webhook_receiver.received(PATH)) == 1


def test_the_channel_raises_the_classified_errors(outage, slack, webhook_receiver):
    from notify.channels.base import Envelope

    update = incident_services.post_update(incident=outage, status="identified", body="Found it.")
    message = render_slack(Announcement(Notification.objects.get(update=update), "en"))
    target = Envelope(address=webhook_receiver.url(PATH), idempotency_key="k", unsubscribe_url="u")
    webhook_receiver.plan(PATH, status(410, b"channel_is_archived"), status(429))
    with pytest.raises(PermanentError):
        SlackChannel().send(message, target)
    with pytest.raises(RetryableError) as raised:
        SlackChannel().send(message, target)
    assert raised.value.retry_after is None
    webhook_receiver.plan(PATH, Reply(429, b"rate_limited", headers=(("Retry-After", "30"),)))
    with pytest.raises(RetryableError) as raised:
        SlackChannel().send(message, target)
    assert raised.value.retry_after == 30


# --- Pacing: about one message per second per incoming webhook ------------------------------


@pytest.fixture(params=["redis", "in-process"])
def buckets(request, settings):
    """Where the token buckets live: Redis (when REDIS_URL is set), or this process (the
    embedded mode, no REDIS_URL)."""
    if request.param == "redis" and not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set (CI sets it)")
    if request.param == "in-process":
        settings.REDIS_URL = ""
    return request.param


def webhook_url() -> str:
    return f"https://hooks.slack.com/services/T1/B1/{uuid.uuid4().hex}"


def test_each_webhook_url_is_paced_on_its_own(buckets, settings):
    settings.NOROSHI_SLACK_PER_SECOND = 0.1  # one every 10 s: a second message cannot wait
    first, second = webhook_url(), webhook_url()
    assert SlackChannel().throttle(first) == 0.0
    assert SlackChannel().throttle(first) == pytest.approx(10.0, abs=0.5)  # postponed
    assert SlackChannel().throttle(second) == 0.0


def test_a_token_due_within_a_second_is_waited_for(buckets, settings, monkeypatch):
    slept: list[float] = []
    monkeypatch.setattr(ratelimit.time, "sleep", slept.append)
    settings.NOROSHI_SLACK_PER_SECOND = 2.0
    url = webhook_url()
    assert [SlackChannel().throttle(url) for _ in range(2)] == [0.0, 0.0]
    assert slept == [pytest.approx(0.5, abs=0.1)]


def test_a_webhook_url_is_kept_out_of_redis_bucket_names(settings):
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set (CI sets it)")
    url = webhook_url()
    SlackChannel().throttle(url)
    client = ratelimit.redis_client(settings.REDIS_URL)
    assert client.exists(f"noroshi:bucket:slack:{hashlib.sha256(url.encode()).hexdigest()}")
    assert client.keys(f"*{url.rsplit('/', 1)[1]}*") == []


def test_no_rate_or_no_webhook_named_is_not_paced(settings):
    settings.REDIS_URL = ""
    url = webhook_url()
    settings.NOROSHI_SLACK_PER_SECOND = 0
    assert [SlackChannel().throttle(url) for _ in range(3)] == [0.0, 0.0, 0.0]
    settings.NOROSHI_SLACK_PER_SECOND = 0.1
    assert [SlackChannel().throttle() for _ in range(3)] == [0.0, 0.0, 0.0]


def test_subscribing_posts_a_confirmation_with_the_link(
    client, webhook_receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        subscriber = services.subscribe(channel="slack", address=webhook_receiver.url(PATH))
    [request] = webhook_receiver.received(PATH)
    message = request.json()
    assert message["text"] == "Confirm your subscription to Noroshi status updates"
    assert [block["type"] for block in message["blocks"]] == [
        "header", "section", "actions", "context",
    ]  # fmt: skip
    button = message["blocks"][2]["elements"][0]
    assert (button["text"]["text"], button["url"]) == (
        "Confirm your subscription",
        confirm_url(subscriber),
    )
    path = button["url"].removeprefix("http://127.0.0.1:8000")
    assert client.post(path).status_code == 200
    assert Subscriber.objects.get().confirmed_at is not None


def test_an_unconfirmed_slack_subscriber_gets_no_announcement(outage, slack, webhook_receiver):
    slack(confirmed=False)
    assert announce(outage, "Found it.") == {}
    assert webhook_receiver.received() == []


def not_slack(url: str) -> str:
    return f"“{url}” is not a Slack incoming-webhook URL (https://hooks.slack.com/services/…)."


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("https://example.com/services/T1/B1/x", not_slack("https://example.com/services/T1/B1/x")),
        (
            "https://hooks.slack.com/workflows/T/A/1/x",
            not_slack("https://hooks.slack.com/workflows/T/A/1/x"),
        ),
        (
            "http://hooks.slack.com/services/T1/B1/x",
            "“http://hooks.slack.com/services/T1/B1/x” is not an https URL: only https is allowed.",
        ),
        (
            "https://u:p@hooks.slack.com/services/T1/B1/x",
            "The URL must not contain a user name or password.",
        ),
    ],
)
def test_bad_slack_addresses_are_refused_and_nothing_is_written(mailoutbox, address, message):
    with pytest.raises(ValidationError) as error:
        services.subscribe(channel="slack", address=address)
    assert error.value.message_dict == {"address": [message]}
    assert Subscriber.objects.count() == 0


def test_a_slack_url_is_stored_in_its_one_form():
    assert slack_webhook_url(" https://HOOKS.slack.com/services/T1/B1/AbC ") == (
        "https://hooks.slack.com/services/T1/B1/AbC"
    )


def test_slack_is_disabled_without_a_slack_host(settings):
    settings.NOROSHI_SLACK_HOSTS = []
    assert SlackChannel.disabled_reason() == (
        "Slack is not available: no Slack host is configured (NOROSHI_SLACK_HOSTS)."
    )


def test_the_delivery_loop_paces_each_webhook_url(outage, slack, buckets, settings):
    """A second message to the same webhook inside its pace stays pending, due later; another
    webhook is not held up by it."""
    settings.NOROSHI_SLACK_PER_SECOND = 0.1
    first = slack(f"/services/T1/B1/{uuid.uuid4().hex}")
    slack(f"/services/T1/B2/{uuid.uuid4().hex}")
    assert announce(outage, "Found it.") == {"sent": 2}
    assert announce(outage, "Fixing it.") == {"throttled": 2}
    held = Delivery.objects.filter(state="pending")
    assert held.count() == 2
    assert all(d.next_attempt_at > timezone.now() + timedelta(seconds=5) for d in held)
    assert all(d.attempts == 0 for d in held)
    assert first.deliveries.filter(state="sent").count() == 1
