"""A status page whose every public field holds hostile text, written through the services as
the console and the API write it: the page's names, links and support address; a group and a
component per payload, with descriptions; an open incident per payload (name and update bodies
in English and Japanese, a second update); maintenance in progress and to come; a resolved
incident with a published post-mortem (every section, the timeline, public recovery actions)."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from incidents import services
from incidents.models import Component, Incident, PostMortem
from tests.factories import UserFactory
from tests.security.payloads import BREAKOUT_URL, PAYLOADS, every_payload, joined, single_line

SECTIONS = (
    "summary", "customer_impact", "root_cause", "contributing_factors", "detection",
    "response_and_recovery", "went_well", "went_badly", "lessons",
)  # fmt: skip


@dataclass
class HostilePage:
    components: list[Component] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)
    maintenance: list[Incident] = field(default_factory=list)
    postmortem: PostMortem | None = None


def links(offset: int) -> list[dict[str, str]]:
    """Five header or footer links, labels hostile (a label has at most 40 characters)."""
    names = list(PAYLOADS.values())
    return [
        {
            "label": single_line(names[(offset + n) % len(names)])[:40],
            "label_ja": single_line(names[(offset + n + 1) % len(names)])[:40],
            "url": BREAKOUT_URL if n == 0 else f"https://evil.example/{n}?q=<script>",
        }
        for n in range(5)
    ]


def hostile_settings() -> None:
    services.edit_page_settings(
        name=single_line(joined(100)),
        name_ja=single_line(PAYLOADS["attribute breakout"]),
        support_url=BREAKOUT_URL,
        header_links=links(0),
        footer_links=links(5),
    )


def hostile_components(page: HostilePage) -> None:
    for n, (kind, payload) in enumerate(PAYLOADS.items()):
        group = services.create_component_group(
            name=f"{n} {single_line(payload)}"[:100],
            name_ja=single_line(payload)[:100],
            description=payload,
            description_ja=payload,
            position=n,
        )
        page.components.append(
            services.create_component(
                name=single_line(payload)[:100],
                name_ja=f"{kind} {single_line(payload)}"[:100],
                description=payload,
                description_ja=payload,
                group=group if n % 2 else None,
                position=n,
                created_at=timezone.now() - timedelta(days=3),
            )
        )


def hostile_incidents(page: HostilePage) -> None:
    for payload, target in zip(PAYLOADS.values(), page.components, strict=True):
        incident = services.declare_incident(
            name=payload,
            name_ja=payload,
            body=payload,
            body_ja=payload,
            component_statuses={target: "partial_outage"},
            deliver_notifications=False,
        )
        services.post_update(
            incident=incident,
            status="identified",
            body=f"Found it.\n\n{payload}",
            body_ja=payload,
            deliver_notifications=False,
        )
        page.incidents.append(incident)


def hostile_maintenance(page: HostilePage) -> None:
    now = timezone.now()
    for n, payload in enumerate(PAYLOADS.values()):
        start = now - timedelta(minutes=5) if n % 2 else now + timedelta(days=1 + n)
        window = services.schedule_maintenance(
            name=payload,
            name_ja=payload,
            body=payload,
            body_ja=payload,
            scheduled_for=start,
            scheduled_until=start + timedelta(hours=2),
            components=[page.components[n]],
            deliver_notifications=False,
        )
        if n % 2:
            services.start_maintenance(maintenance=window, body=payload)
        page.maintenance.append(window)


def hostile_postmortem(page: HostilePage) -> None:
    start = timezone.now() - timedelta(days=2)
    incident = services.declare_incident(
        name=single_line(joined(200)),
        body=every_payload(),
        component_statuses={page.components[0]: "major_outage"},
        started_at=start,
        backfilled=True,
        deliver_notifications=False,
    )
    services.resolve_incident(
        incident=incident, body=every_payload(), display_at=start + timedelta(hours=1)
    )
    author = UserFactory(username="author")
    postmortem = services.start_postmortem(incident=incident, actor=author)
    sections = {name: every_payload() for name in SECTIONS}
    sections |= {f"{name}_ja": every_payload() for name in SECTIONS}
    services.edit_postmortem(
        postmortem=postmortem, actor=author, detection_method="monitoring", **sections
    )
    for n, payload in enumerate(PAYLOADS.values()):
        services.add_timeline_entry(
            postmortem=postmortem,
            occurred_at=start + timedelta(minutes=n),
            text=payload,
            text_ja=payload,
        )
        services.create_recovery_action(
            incident=incident,
            kind="prevent",
            title=single_line(payload)[:200],
            title_ja=single_line(payload)[:200],
            description=payload,
            public=True,
        )
    services.submit_for_review(postmortem=postmortem, actor=author)
    services.sign_off_review(postmortem=postmortem, reviewer=UserFactory(username="reviewer"))
    page.postmortem = services.publish_postmortem(postmortem=postmortem)
    page.incidents.append(incident)


def hostile_page() -> HostilePage:
    page = HostilePage()
    hostile_settings()
    hostile_components(page)
    hostile_incidents(page)
    hostile_maintenance(page)
    hostile_postmortem(page)
    return page
