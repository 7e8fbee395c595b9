"""The update the message tests announce: one that set three components' statuses (one
unchanged, two changed, one of them in a group), at a fixed time in a zone far from UTC; and
what every channel should say of it."""

from datetime import UTC, datetime, timedelta

import time_machine

from incidents import services
from tests.factories import ComponentFactory, ComponentGroupFactory

# When `recovery` posts its update: 17:35 in Tokyo, the page's zone.
POSTED_AT = datetime(2026, 12, 5, 8, 35, tzinfo=UTC)


def post_recovery(components: dict):
    """The page in Tokyo's zone; an incident declared at 17:05 with API in a partial outage and
    the Platform group's Queue in a major one; and its announced update at 17:35, which brings
    API back, keeps Queue down and slows Web. Japanese names for all but API. The update."""
    services.edit_page_settings(time_zone="Asia/Tokyo")
    services.edit_component(component=components["Web"], name_ja="ウェブ")
    platform = ComponentGroupFactory(name="Platform", name_ja="プラットフォーム", position=0)
    queue = ComponentFactory(name="Queue", name_ja="キュー", group=platform)
    api, web = components["API"], components["Web"]
    with time_machine.travel(POSTED_AT - timedelta(minutes=30), tick=False):
        incident = services.declare_incident(
            name="Elevated API errors",
            name_ja="APIのエラー率上昇",
            body="Investigating.",
            component_statuses={api: "partial_outage", queue: "major_outage"},
            deliver_notifications=False,
        )
    with time_machine.travel(POSTED_AT, tick=False):
        return services.post_update(
            incident=incident,
            status="monitoring",
            body="A fix is **out**.",
            body_ja="修正を**適用**しました。",
            component_statuses={
                api: "operational",
                queue: "major_outage",
                web: "degraded_performance",
            },
        )


# The lines of `recovery`'s components, in page order (the group first, at position 0).
RECOVERY_LINES = {
    "en": [
        "Platform - Queue: Major outage",
        "API: Partial outage → Operational",
        "Web: Operational → Degraded performance",
    ],
    "ja": [
        "プラットフォーム - キュー: 重大な障害",
        "API: 部分的な障害 → 正常",
        "ウェブ: 正常 → パフォーマンス低下",
    ],
}
RECOVERY_TIME = {"en": "Dec 5, 2026 17:35 JST", "ja": "2026年12月5日 17:35 JST"}
