"""The demo's post-mortems and recovery actions: plain data, written by
incidents/demo/postmortems.py through the services.

Times are minutes relative to the incident's declaration; due dates are days from the day the
demo is seeded (negative: overdue).
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DemoPerson:
    username: str
    first_name: str
    last_name: str
    email: str


PEOPLE = (
    DemoPerson("aiko", "Aiko", "Tanaka", "aiko@hoshizora-cloud.example"),
    DemoPerson("kenji", "Kenji", "Sato", "kenji@hoshizora-cloud.example"),
)


@dataclass(frozen=True)
class DemoAction:
    kind: str
    title: str
    title_ja: str
    owner: str
    due_in_days: int | None
    state: str = "open"
    public: bool = True
    priority: str = "medium"
    done_after_minutes: int | None = None  # for done actions: minutes after the declaration
    reason: str = ""  # for won't-do actions
    tracker_url: str = ""


@dataclass(frozen=True)
class DemoEntry:
    after_minutes: int
    text: str
    text_ja: str


@dataclass(frozen=True)
class DemoPostMortem:
    incident: str  # the demo incident's name (incidents/demo/history.py)
    author: str
    reviewer: str
    impact_started_minutes: int  # before the declaration
    detected_minutes: int  # before the declaration
    sections: dict[str, str]
    entries: tuple[DemoEntry, ...] = ()
    actions: tuple[DemoAction, ...] = field(default_factory=tuple)


DATABASE_FAILOVER = DemoPostMortem(
    incident="Primary database failover",
    author="aiko",
    reviewer="kenji",
    impact_started_minutes=5,
    detected_minutes=3,
    sections={
        "summary": "For 19 minutes API requests that write data failed, because the storage "
        "volume of the primary database detached from its host. We failed over to the standby "
        "by hand. No committed data was lost.",
        "summary_ja": "データベースのプライマリでストレージボリュームが切断され、書き込みを伴う"
        "APIリクエストが19分間失敗しました。手動でスタンバイへ切り替えました。確定済みのデータに"
        "損失はありません。",
        "customer_impact": "Every API request that created or changed data failed with HTTP "
        "503. Reads, served from replicas, kept working. Requests sent in the 16 minutes "
        "before the failover need to be retried.",
        "customer_impact_ja": "データの作成・変更を伴うAPIリクエストはすべてHTTP 503で"
        "失敗しました。レプリカから応答する読み取りは影響を受けていません。",
        "root_cause": "The cloud provider detached the primary's block-storage volume during "
        "host maintenance. The database stopped accepting writes but its process stayed up, "
        "so our health check — which only tested that the process answered — kept it as "
        "primary.",
        "root_cause_ja": "クラウド事業者のホスト保守でプライマリのブロックストレージが"
        "切断されました。プロセスは応答し続けたため、ヘルスチェックはプライマリとして"
        "扱い続けました。",
        "contributing_factors": "- Automatic failover was off since a false failover in "
        "January.\n- The failover runbook had not been rehearsed this year.",
        "contributing_factors_ja": "- 1月の誤作動以来、自動フェイルオーバーを無効にしていました。\n"
        "- 切り替え手順書の訓練を今年は実施していませんでした。",
        "detection_method": "monitoring",
        "detection": "The write-error-rate alert paged the on-call engineer two minutes after "
        "writes began to fail.",
        "detection_ja": "書き込みが失敗し始めてから2分後に、書き込みエラー率のアラートで"
        "当番エンジニアが呼び出されました。",
        "response_and_recovery": "The on-call engineer confirmed the volume was gone and "
        "promoted the standby, which took 13 minutes, most of it spent finding the runbook.",
        "response_and_recovery_ja": "当番エンジニアがボリュームの喪失を確認し、スタンバイを"
        "昇格させました。13分かかり、その多くは手順書を探す時間でした。",
        "went_well": "- The alert fired within two minutes.\n- Reads never failed.",
        "went_well_ja": "- アラートは2分以内に発報しました。\n"
        "- 読み取りは一度も失敗しませんでした。",
        "went_badly": "- Failover was manual and slow.\n- The status page was updated six "
        "minutes after the alert.",
        "went_badly_ja": "- 切り替えが手動で、時間がかかりました。\n"
        "- ステータスページの更新はアラートの6分後でした。",
        "lessons": "A process that answers is not a database that writes: health checks must "
        "test the path customers use.",
        "lessons_ja": "プロセスが応答することと書き込めることは別物です。ヘルスチェックは"
        "お客様が使う経路を確認する必要があります。",
    },
    entries=(
        DemoEntry(
            -5,
            "The primary's storage volume detaches during the provider's host maintenance; "
            "writes start failing.",
            "ホスト保守によりプライマリのストレージが切断され、書き込みが失敗し始める。",
        ),
        DemoEntry(
            -3,
            "The write-error-rate alert pages the on-call engineer.",
            "書き込みエラー率のアラートで当番エンジニアが呼び出される。",
        ),
    ),
    actions=(
        DemoAction(
            "mitigate",
            "Fail over to the standby",
            "スタンバイへの切り替え",
            "kenji",
            None,
            state="done",
            done_after_minutes=19,
        ),
        DemoAction(
            "repair",
            "Build a new standby",
            "新しいスタンバイの構築",
            "kenji",
            None,
            state="done",
            public=False,
            done_after_minutes=240,
        ),
        DemoAction(
            "detect",
            "Health check that performs a write",
            "書き込みを行うヘルスチェック",
            "aiko",
            None,
            state="done",
            priority="high",
            done_after_minutes=3 * 24 * 60,
        ),
        DemoAction(
            "prevent",
            "Fail over automatically when writes stop for 60 seconds",
            "書き込み停止60秒での自動フェイルオーバー",
            "aiko",
            -6,
            priority="high",
            tracker_url="https://tracker.hoshizora-cloud.example/OPS-412",
        ),
        DemoAction(
            "prevent",
            "Move the primary to replicated block storage",
            "プライマリを冗長化ブロックストレージへ移行",
            "kenji",
            21,
            state="in_progress",
            tracker_url="https://tracker.hoshizora-cloud.example/OPS-413",
        ),
        DemoAction(
            "process",
            "Rehearse database failover every quarter",
            "データベース切り替え訓練を四半期ごとに実施",
            "kenji",
            30,
            public=False,
            priority="low",
        ),
    ),
)

API_ERRORS = DemoPostMortem(
    incident="Elevated API error rates",
    author="kenji",
    reviewer="aiko",
    impact_started_minutes=18,
    detected_minutes=9,
    sections={
        "summary": "A load balancer change lowered the connection limit to the API backends. "
        "For about two hours some API requests failed with HTTP 502 or 503.",
        "summary_ja": "ロードバランサの設定変更によりAPIバックエンドへの接続数上限が下がり、"
        "約2時間、一部のAPIリクエストがHTTP 502/503で失敗しました。",
        "customer_impact": "About 12% of API requests failed; the web dashboard was slow.",
        "customer_impact_ja": "APIリクエストの約12%が失敗し、Webダッシュボードの動作が"
        "遅くなりました。",
        "root_cause": "A configuration template used a default connection limit of 512 "
        "instead of the intended 4,096, and the change went to every region at once.",
        "root_cause_ja": "設定テンプレートが意図した4,096ではなく既定値512の接続数上限を使い、"
        "その変更が全リージョンへ同時に適用されました。",
        "detection_method": "customer_report",
        "detection": "Customers reported errors to support nine minutes before we declared "
        "the incident; our error-rate alert was tuned for total outages only.",
        "detection_ja": "障害を宣言する9分前にお客様からサポートへエラーの報告がありました。"
        "エラー率のアラートは全面停止のみを想定した設定でした。",
        "response_and_recovery": "We rolled the change back one region at a time and watched "
        "error rates recover after each step.",
        "response_and_recovery_ja": "リージョンごとに変更を切り戻し、各段階でエラー率の回復を"
        "確認しました。",
        "lessons": "Configuration deserves the same staged rollout as code.",
        "lessons_ja": "設定変更にもコードと同じ段階的なリリースが必要です。",
    },
    actions=(
        DemoAction(
            "repair",
            "Roll back the load balancer configuration",
            "ロードバランサ設定の切り戻し",
            "kenji",
            None,
            state="done",
            done_after_minutes=80,
        ),
        DemoAction(
            "prevent",
            "Check connection limits in CI before load balancer changes ship",
            "ロードバランサ変更の接続数上限をCIで検査",
            "aiko",
            None,
            state="done",
            done_after_minutes=10 * 24 * 60,
        ),
        DemoAction(
            "prevent",
            "Roll out load balancer changes region by region, with automatic rollback",
            "ロードバランサ変更をリージョン単位で段階適用し自動で切り戻す",
            "kenji",
            -12,
            priority="high",
        ),
        DemoAction(
            "detect",
            "Alert on the 5xx rate of each backend pool",
            "バックエンドプールごとの5xx率のアラート",
            "aiko",
            None,
            state="wont_do",
            reason="Covered by the SLO burn-rate alerts added for every API.",
        ),
        DemoAction(
            "process",
            "A second reviewer for every load balancer change",
            "ロードバランサ変更には2人目のレビューを必須化",
            "kenji",
            None,
            state="done",
            public=False,
            done_after_minutes=2 * 24 * 60,
        ),
    ),
)

POSTMORTEMS = (DATABASE_FAILOVER, API_ERRORS)
