"""Write the demo's post-mortems (reviewed and published) and their recovery actions through
the services, once: an incident that has a post-mortem is left alone.

The demo people who write, review and own the work are users without a password (nobody
signs in as them); they have email addresses at the demo company, so overdue actions are
chased.
"""

from collections import Counter
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model

from incidents import services
from incidents.choices import ActionState, IncidentKind
from incidents.demo.postmortem_content import PEOPLE, POSTMORTEMS, DemoAction, DemoPostMortem
from incidents.models import Incident, PostMortem

People = dict[str, object]


def ensure_people(added: Counter) -> People:
    users = get_user_model()
    people: People = {}
    for person in PEOPLE:
        user = users.objects.filter(username=person.username).first()
        if user is None:
            user = users(
                username=person.username,
                first_name=person.first_name,
                last_name=person.last_name,
                email=person.email,
            )
            user.set_unusable_password()
            user.save()
            added["people"] += 1
        people[person.username] = user
    return people


def seed_postmortems(*, now: datetime, added: Counter) -> None:
    """Write each demo post-mortem whose incident exists and has none yet."""
    people = ensure_people(added)
    for demo in POSTMORTEMS:
        incident = Incident.objects.filter(kind=IncidentKind.INCIDENT, name=demo.incident).first()
        if incident is None or PostMortem.objects.filter(incident=incident).exists():
            continue
        postmortem = write_postmortem(demo, incident, people)
        backdate(postmortem, incident, now=now)
        for action in demo.actions:
            write_action(action, incident, people, now=now)
        added["post-mortems"] += 1
        added["recovery actions"] += len(demo.actions)


def write_postmortem(demo: DemoPostMortem, incident: Incident, people: People) -> PostMortem:
    """Start, fill, submit, sign off and publish one post-mortem."""
    author, reviewer = people[demo.author], people[demo.reviewer]
    declared = incident.started_at
    postmortem = services.start_postmortem(incident=incident, actor=author)
    services.edit_postmortem(
        postmortem=postmortem,
        actor=author,
        impact_started_at=declared - timedelta(minutes=demo.impact_started_minutes),
        detected_at=declared - timedelta(minutes=demo.detected_minutes),
        **demo.sections,
    )
    for entry in demo.entries:
        services.add_timeline_entry(
            postmortem=postmortem,
            occurred_at=declared + timedelta(minutes=entry.after_minutes),
            text=entry.text,
            text_ja=entry.text_ja,
            actor=author,
        )
    services.submit_for_review(postmortem=postmortem, actor=author)
    services.sign_off_review(postmortem=postmortem, reviewer=reviewer)
    return services.publish_postmortem(postmortem=postmortem, actor=reviewer)


def backdate(postmortem: PostMortem, incident: Incident, *, now: datetime) -> None:
    """Give the demo's post-mortem the dates a real one would have: written the day after the
    incident was resolved, reviewed and published the day after that (never in the future).
    The services stamp what they do with the present, and the demo's incidents are in the past;
    only the demo rewrites these stamps."""
    resolved = incident.resolved_at or incident.started_at
    created = min(resolved + timedelta(days=1), now - timedelta(hours=3))
    submitted = min(resolved + timedelta(days=1, hours=5), now - timedelta(hours=2))
    published = min(resolved + timedelta(days=2), now - timedelta(hours=1))
    PostMortem.objects.filter(pk=postmortem.pk).update(
        created_at=created,
        submitted_at=submitted,
        reviewed_at=published - timedelta(minutes=30),
        published_at=published,
        updated_at=published,
    )


def write_action(demo: DemoAction, incident: Incident, people: People, *, now: datetime) -> None:
    owner = people[demo.owner]
    action = services.create_recovery_action(
        incident=incident,
        kind=demo.kind,
        title=demo.title,
        title_ja=demo.title_ja,
        owner=owner,
        due_on=(now + timedelta(days=demo.due_in_days)).date() if demo.due_in_days else None,
        priority=demo.priority,
        tracker_url=demo.tracker_url,
        components=incident.components.all(),
        public=demo.public,
    )
    if demo.state == ActionState.DONE:
        minutes = demo.done_after_minutes or 0
        done_at = incident.started_at + timedelta(minutes=minutes)
        services.complete_recovery_action(action=action, actor=owner, completed_at=done_at)
    elif demo.state == ActionState.IN_PROGRESS:
        services.start_recovery_action(action=action, actor=owner)
    elif demo.state == ActionState.WONT_DO:
        services.decline_recovery_action(action=action, reason=demo.reason, actor=owner)
