"""Ninety days of demo history: resolved incidents (with their updates) and short blips.

Times are days ago at a time of day in UTC (Tokyo is UTC+9). No two events overlap, so that
writing them in order gives a consistent status history.
"""

from dataclasses import dataclass
from datetime import timedelta

from incidents.choices import ComponentStatus as CS
from incidents.choices import IncidentStatus as IS
from incidents.demo.content import Step


@dataclass(frozen=True)
class PastIncident:
    name: str
    name_ja: str
    days_ago: int
    at: str  # "HH:MM" UTC
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Blip:
    """A short status dip with no incident (a monitor flapped; nobody declared anything)."""

    component: str
    status: str
    days_ago: int
    at: str
    minutes: int


def m(minutes: int) -> timedelta:
    return timedelta(minutes=minutes)


PAST_INCIDENTS = (
    PastIncident(
        "Sign-in failures for single sign-on users",
        "シングルサインオン利用時のログイン障害",
        86,
        "01:12",
        (
            Step(
                m(0),
                IS.INVESTIGATING,
                "Users signing in with SAML single sign-on see an “invalid assertion” error. "
                "Password sign-in and API tokens are not affected. We are investigating.",
                "SAMLシングルサインオンでのログイン時に「invalid assertion」エラーが"
                "発生しています。パスワードとAPIトークンでの認証には影響ありません。"
                "調査を進めています。",
                {"Authentication": CS.MAJOR_OUTAGE},
            ),
            Step(
                m(14),
                IS.IDENTIFIED,
                "An identity provider rotated its signing certificate and our metadata cache "
                "still held the old one. We are refreshing the metadata of every tenant.",
                "IdPの署名証明書が更新されたのに対し、メタデータのキャッシュに古い証明書が"
                "残っていました。全テナントのメタデータを再取得しています。",
            ),
            Step(
                m(29),
                IS.MONITORING,
                "Metadata has been refreshed and single sign-on works again. We are watching "
                "the sign-in error rate.",
                "メタデータの再取得が完了し、シングルサインオンは復旧しました。状況を監視しています。",
                {"Authentication": CS.DEGRADED_PERFORMANCE},
            ),
            Step(
                m(52),
                IS.RESOLVED,
                "Single sign-on has worked normally for 20 minutes. We now refresh identity "
                "provider metadata every 10 minutes and alert on signature failures.",
                "シングルサインオンは20分間正常に動作しています。今後はIdPメタデータを10分ごとに"
                "再取得し、署名エラーを監視します。",
            ),
        ),
    ),
    PastIncident(
        "Elevated API error rates",
        "APIのエラー率上昇",
        74,
        "05:40",
        (
            Step(
                m(0),
                IS.INVESTIGATING,
                "Some API requests fail with HTTP 502 and 503, and the web dashboard is slower "
                "than usual. We are investigating.",
                "一部のAPIリクエストがHTTP 502/503で失敗し、Webダッシュボードの動作も遅くなって"
                "います。調査しています。",
                {"API": CS.PARTIAL_OUTAGE, "Web dashboard": CS.DEGRADED_PERFORMANCE},
            ),
            Step(
                m(35),
                IS.IDENTIFIED,
                "A load balancer configuration change lowered the connection limit to the API "
                "backends. We are rolling it back one region at a time.",
                "ロードバランサの設定変更により、APIバックエンドへの接続数上限が下がっていました。"
                "リージョンごとに設定を戻しています。",
            ),
            Step(
                m(80),
                IS.MONITORING,
                "The rollback is complete and error rates are back to normal. We are monitoring.",
                components={"API": CS.OPERATIONAL, "Web dashboard": CS.OPERATIONAL},
            ),
            Step(
                m(130),
                IS.RESOLVED,
                "Error rates have stayed at baseline for 50 minutes. Requests that failed "
                "during the incident can be retried safely.",
                "エラー率は50分間通常の水準で推移しています。障害中に失敗したリクエストは"
                "再実行していただいて問題ありません。",
            ),
        ),
    ),
    PastIncident(
        "Delayed webhook deliveries",
        "Webhook配信の遅延",
        61,
        "22:05",
        (
            Step(
                m(0),
                IS.INVESTIGATING,
                "Webhook events are arriving up to 40 minutes late. No events have been lost.",
                "Webhookイベントの配信が最大40分遅れています。イベントの欠損はありません。",
                {"Webhooks": CS.DEGRADED_PERFORMANCE},
            ),
            Step(
                m(50),
                IS.IDENTIFIED,
                "Endpoints that time out are holding delivery workers. We are moving slow "
                "endpoints to a queue of their own.",
            ),
            Step(
                m(150),
                IS.IDENTIFIED,
                "The separate queue for slow endpoints is live and the backlog is draining. "
                "The current delay is about 15 minutes.",
            ),
            Step(
                m(250),
                IS.MONITORING,
                "The backlog has been delivered and new events arrive within seconds. We are "
                "monitoring.",
                components={"Webhooks": CS.OPERATIONAL},
            ),
            Step(m(320), IS.RESOLVED, "Webhook delivery has been normal for over an hour."),
        ),
    ),
    PastIncident(
        "Primary database failover",
        "プライマリデータベースのフェイルオーバー",
        47,
        "03:18",
        (
            Step(
                m(0),
                IS.INVESTIGATING,
                "The primary database stopped accepting writes. API requests that write data "
                "fail; reads are served from replicas.",
                "プライマリデータベースが書き込みを受け付けなくなりました。書き込みを伴うAPI"
                "リクエストが失敗しています。読み取りはレプリカから応答しています。",
                {"Primary database": CS.MAJOR_OUTAGE, "API": CS.PARTIAL_OUTAGE},
            ),
            Step(
                m(6),
                IS.IDENTIFIED,
                "The primary host lost its storage volume. Failover to the standby has started.",
                "プライマリのホストでストレージボリュームが失われました。スタンバイへの"
                "フェイルオーバーを開始しました。",
            ),
            Step(
                m(19),
                IS.MONITORING,
                "Failover is complete and writes succeed. Requests made in the 16 minutes "
                "before failover may need to be retried.",
                "フェイルオーバーが完了し、書き込みは成功しています。切り替え前の16分間の"
                "リクエストは再実行が必要な場合があります。",
                {"Primary database": CS.DEGRADED_PERFORMANCE, "API": CS.OPERATIONAL},
            ),
            Step(
                m(41),
                IS.RESOLVED,
                "The new primary has been healthy for 20 minutes and a new standby is in "
                "sync. A post-mortem will follow.",
                "新しいプライマリは20分間安定して稼働し、新しいスタンバイも同期済みです。"
                "事後報告を後日公開します。",
            ),
        ),
    ),
    PastIncident(
        "Upload errors in object storage",
        "オブジェクトストレージへのアップロードエラー",
        33,
        "07:02",
        (
            Step(
                m(0),
                IS.INVESTIGATING,
                "About 20% of uploads fail with HTTP 500. Downloads are not affected.",
                "アップロードの約20%がHTTP 500で失敗しています。ダウンロードには影響ありません。",
                {"Object storage": CS.PARTIAL_OUTAGE},
            ),
            Step(
                m(25),
                IS.IDENTIFIED,
                "Two storage nodes ran out of disk space after a rebalancing job stalled. We "
                "are moving data off the full nodes.",
            ),
            Step(
                m(65),
                IS.MONITORING,
                "Capacity has been added and uploads succeed. We are monitoring.",
                components={"Object storage": CS.OPERATIONAL},
            ),
            Step(m(95), IS.RESOLVED, "Uploads have succeeded normally for 30 minutes."),
        ),
    ),
    PastIncident(
        "Email delivery delays to some providers",
        "一部のメールプロバイダへの配信遅延",
        19,
        "00:30",
        (
            Step(
                m(0),
                IS.INVESTIGATING,
                "Notification emails to some large mailbox providers arrive up to an hour late.",
                "一部の大手メールプロバイダ宛ての通知メールが最大1時間遅れて届いています。",
                {"Email delivery": CS.DEGRADED_PERFORMANCE},
            ),
            Step(
                m(40),
                IS.IDENTIFIED,
                "One provider is rate-limiting our sending addresses after a spike in volume. "
                "We are spreading traffic over more addresses.",
            ),
            Step(
                m(120),
                IS.MONITORING,
                "Queued messages have been delivered; new messages arrive within a minute.",
                components={"Email delivery": CS.OPERATIONAL},
            ),
            Step(
                m(180),
                IS.RESOLVED,
                "Email delivery has been normal for an hour.",
                "メール配信は1時間にわたり正常です。",
            ),
        ),
    ),
    PastIncident(
        "Search results missing recent changes",
        "検索結果に最新の変更が反映されない",
        8,
        "09:45",
        (
            Step(
                m(0),
                IS.INVESTIGATING,
                "Items changed in the last 20 minutes do not show up in search results.",
                "直近20分間に変更した項目が検索結果に表示されません。",
                {"Search": CS.DEGRADED_PERFORMANCE},
            ),
            Step(
                m(9),
                IS.MONITORING,
                "A stuck indexing worker has been restarted and the backlog is catching up.",
                components={"Search": CS.OPERATIONAL},
            ),
            Step(m(16), IS.RESOLVED, "Search results are up to date again."),
        ),
    ),
    PastIncident(
        "SMS delivery failures",
        "SMS配信の失敗",
        3,
        "11:20",
        (
            Step(
                m(0),
                IS.INVESTIGATING,
                "Our SMS provider is rejecting every message. One-time codes by SMS are not "
                "being delivered; use an authenticator app or email codes meanwhile.",
                "SMS送信事業者がすべてのメッセージを拒否しています。SMSでのワンタイムコードが"
                "届きません。その間は認証アプリまたはメールでのコードをご利用ください。",
                {"SMS delivery": CS.MAJOR_OUTAGE},
            ),
            Step(
                m(20),
                IS.IDENTIFIED,
                "The provider has confirmed an outage on their side. We are switching to our "
                "secondary provider.",
            ),
            Step(
                m(45),
                IS.MONITORING,
                "Messages are flowing through the secondary provider and being delivered.",
                components={"SMS delivery": CS.OPERATIONAL},
            ),
            Step(
                m(65),
                IS.RESOLVED,
                "The primary provider has recovered and SMS delivery is normal.",
                "送信事業者の障害は復旧し、SMS配信は正常に戻りました。",
            ),
        ),
    ),
)

BLIPS = (
    Blip("Web dashboard", CS.DEGRADED_PERFORMANCE, 80, "13:05", 9),
    Blip("API", CS.DEGRADED_PERFORMANCE, 55, "02:40", 6),
    Blip("Object storage", CS.PARTIAL_OUTAGE, 40, "18:22", 4),
    Blip("Search", CS.MAJOR_OUTAGE, 27, "20:10", 3),
    Blip("Webhooks", CS.DEGRADED_PERFORMANCE, 12, "06:55", 15),
)
