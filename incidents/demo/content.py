"""The demo page's settings, components, update templates and the present-day events.

Plain data: incidents/demo/seed.py writes it through the services. Past incidents and blips
are in incidents/demo/history.py.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from incidents.choices import ComponentStatus, IncidentKind, IncidentStatus, MaintenanceStatus

PAGE = {
    "name": "Hoshizora Cloud",
    "name_ja": "ホシゾラクラウド",
    "time_zone": "Asia/Tokyo",
    "support_email": "support@hoshizora-cloud.example",
    "support_url": "https://hoshizora-cloud.example/support",
}

# How long before the first history row every demo component "existed", so that the 90-day
# uptime bars are full from the first day.
COMPONENT_AGE = timedelta(days=120)


@dataclass(frozen=True)
class DemoComponent:
    name: str
    name_ja: str
    description: str
    description_ja: str


@dataclass(frozen=True)
class DemoGroup:
    name: str
    name_ja: str
    description: str
    description_ja: str
    components: tuple[DemoComponent, ...]


GROUPS = (
    DemoGroup(
        "Platform",
        "プラットフォーム",
        "The public API, the web dashboard and what they rely on.",
        "公開API、Webダッシュボードとそれらを支える機能。",
        (
            DemoComponent(
                "API",
                "API",
                "REST API at api.hoshizora-cloud.example.",
                "REST API(api.hoshizora-cloud.example)。",
            ),
            DemoComponent(
                "Web dashboard",
                "Webダッシュボード",
                "The management console at app.hoshizora-cloud.example.",
                "管理コンソール(app.hoshizora-cloud.example)。",
            ),
            DemoComponent(
                "Authentication",
                "認証",
                "Sign-in with password, single sign-on (SAML/OIDC) and API tokens.",
                "パスワード、シングルサインオン(SAML/OIDC)、APIトークンによる認証。",
            ),
            DemoComponent(
                "Webhooks",
                "Webhook",
                "Outgoing event notifications to customer endpoints.",
                "お客様のエンドポイントへのイベント通知。",
            ),
        ),
    ),
    DemoGroup(
        "Data",
        "データ",
        "Where customer data is stored and indexed.",
        "お客様のデータを保存・索引する基盤。",
        (
            DemoComponent(
                "Primary database",
                "プライマリデータベース",
                "The PostgreSQL cluster behind every write.",
                "すべての書き込みを受けるPostgreSQLクラスタ。",
            ),
            DemoComponent(
                "Object storage",
                "オブジェクトストレージ",
                "File uploads and downloads (ap-northeast-1).",
                "ファイルのアップロードとダウンロード(ap-northeast-1)。",
            ),
            DemoComponent(
                "Search",
                "検索",
                "Full-text search and its indexing pipeline.",
                "全文検索とインデックス作成処理。",
            ),
        ),
    ),
)

UNGROUPED = (
    DemoComponent(
        "Email delivery",
        "メール配信",
        "Transactional and notification email.",
        "トランザクションメールと通知メール。",
    ),
    DemoComponent(
        "SMS delivery",
        "SMS配信",
        "One-time codes and alerts by SMS.",
        "ワンタイムコードとアラートのSMS送信。",
    ),
)


@dataclass(frozen=True)
class Step:
    """One update of a demo incident, `after` its start."""

    after: timedelta
    status: str
    body: str
    body_ja: str = ""
    components: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CurrentIncident:
    name: str
    name_ja: str
    started_ago: timedelta
    steps: tuple[Step, ...]


CURRENT_INCIDENT = CurrentIncident(
    "Slow search responses",
    "検索の応答遅延",
    started_ago=timedelta(minutes=50),
    steps=(
        Step(
            timedelta(0),
            IncidentStatus.INVESTIGATING,
            "Search queries are taking several seconds to return and some time out. "
            "We are investigating.",
            "検索に数秒かかり、一部がタイムアウトしています。原因を調査しています。",
            {"Search": ComponentStatus.DEGRADED_PERFORMANCE},
        ),
        Step(
            timedelta(minutes=30),
            IncidentStatus.IDENTIFIED,
            "A reindex job is overloading one search shard. We have paused the job and are "
            "moving part of the shard's traffic to other nodes. Searches still work but are "
            "slower than usual.",
            "再インデックス処理が一部の検索シャードに過負荷をかけていました。処理を一時停止し、"
            "トラフィックを他のノードへ分散しています。検索は利用できますが、通常より遅くなっています。",
            {"Search": ComponentStatus.DEGRADED_PERFORMANCE},
        ),
    ),
)


@dataclass(frozen=True)
class DemoMaintenance:
    name: str
    name_ja: str
    body: str
    body_ja: str
    starts_in: timedelta
    lasts: timedelta
    components: tuple[str, ...]
    remind_minutes_before: int | None = None
    start_body: str = ""
    start_body_ja: str = ""


UPCOMING_MAINTENANCE = DemoMaintenance(
    "Primary database version upgrade",
    "プライマリデータベースのバージョンアップ",
    "We will upgrade the primary database to a new major version. API writes may be rejected "
    "for up to five minutes during the switchover; reads are not affected.",
    "プライマリデータベースをメジャーバージョンアップします。切り替え時に最大5分間、APIからの"
    "書き込みができない場合があります。読み取りには影響ありません。",
    starts_in=timedelta(days=4),
    lasts=timedelta(hours=2),
    components=("Primary database", "API"),
    remind_minutes_before=60,
)

IN_PROGRESS_MAINTENANCE = DemoMaintenance(
    "SMS gateway migration",
    "SMSゲートウェイの移行",
    "We are moving SMS sending to a new gateway. Messages may be delayed by a few minutes "
    "during the window.",
    "SMS送信を新しいゲートウェイへ移行します。作業中はメッセージが数分遅れる場合があります。",
    starts_in=timedelta(minutes=-20),
    lasts=timedelta(hours=3, minutes=20),
    components=("SMS delivery",),
    start_body="The migration has started. SMS messages may be delayed by a few minutes.",
    start_body_ja="移行作業を開始しました。SMSが数分遅れる場合があります。",
)


@dataclass(frozen=True)
class DemoTemplate:
    name: str
    status: str
    body: str
    body_ja: str
    title: str = ""
    title_ja: str = ""
    kind: str = IncidentKind.INCIDENT


TEMPLATES = (
    DemoTemplate(
        name="Investigating — elevated errors",
        status=IncidentStatus.INVESTIGATING,
        title="Elevated error rates",
        title_ja="エラー率の上昇",
        body="We are investigating elevated error rates. We will post an update within 30 minutes.",
        body_ja="エラー率の上昇について調査しています。30分以内に続報をお知らせします。",
    ),
    DemoTemplate(
        name="Investigating — degraded performance",
        status=IncidentStatus.INVESTIGATING,
        title="Degraded performance",
        title_ja="パフォーマンスの低下",
        body="Some requests are slower than usual. We are investigating the cause.",
        body_ja="一部のリクエストで応答が遅くなっています。原因を調査しています。",
    ),
    DemoTemplate(
        name="Identified — fix in progress",
        status=IncidentStatus.IDENTIFIED,
        body="We have identified the cause and are working on a fix.",
        body_ja="原因を特定し、修正に取り組んでいます。",
    ),
    DemoTemplate(
        name="Monitoring — fix deployed",
        status=IncidentStatus.MONITORING,
        body="A fix has been deployed and the service is recovering. We are monitoring "
        "the results.",
        body_ja="修正を適用し、サービスは回復しつつあります。引き続き状況を監視しています。",
    ),
    DemoTemplate(
        name="Resolved",
        status=IncidentStatus.RESOLVED,
        body="This incident has been resolved. Thank you for your patience.",
        body_ja="この障害は解消しました。ご不便をおかけし申し訳ございませんでした。",
    ),
    DemoTemplate(
        name="Maintenance — scheduled",
        kind=IncidentKind.MAINTENANCE,
        status=MaintenanceStatus.SCHEDULED,
        title="Scheduled maintenance",
        title_ja="定期メンテナンス",
        body="We will perform scheduled maintenance during this window. We do not expect "
        "downtime; some requests may be slower than usual.",
        body_ja="この時間帯にメンテナンスを実施します。停止は想定していませんが、一部の"
        "リクエストが通常より遅くなる場合があります。",
    ),
)
