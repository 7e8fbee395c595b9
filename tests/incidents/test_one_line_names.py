"""Names and titles are one line wherever they come from (the console's inputs cannot hold a line
break, but the API, alert drafts and imports can): a line break or tab inside one, with the
spaces around it, becomes a single space; other spaces (a full-width one in Japanese) stay. A
name that breaks a line would split an e-mail's subject, an .ics SUMMARY or a Slack heading,
and reads as two things on the page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents import services

pytestmark = pytest.mark.django_db

BROKEN = "  Login\r\nerrors \t for\n\nsome users "
ONE_LINE = "Login errors for some users"
BROKEN_JA = "ログイン\r\n障害"


def test_an_incident_s_names_when_declared_and_when_renamed():
    incident = services.declare_incident(
        name=BROKEN, name_ja=BROKEN_JA, body="Looking.\nMore soon.", deliver_notifications=False
    )
    assert (incident.name, incident.name_ja) == (ONE_LINE, "ログイン 障害")
    assert incident.updates.get().body == "Looking.\nMore soon."  # a message keeps its lines

    services.edit_incident(
        incident=incident, name="Sign-in\nerrors", name_ja="サインイン\u3000障害"
    )
    incident.refresh_from_db()
    assert (incident.name, incident.name_ja) == ("Sign-in errors", "サインイン\u3000障害")


def test_a_maintenance_s_names():
    start = timezone.now() + timedelta(days=1)
    maintenance = services.schedule_maintenance(
        name=BROKEN,
        name_ja=BROKEN_JA,
        body="Upgrading.",
        scheduled_for=start,
        scheduled_until=start + timedelta(hours=1),
    )
    assert (maintenance.name, maintenance.name_ja) == (ONE_LINE, "ログイン 障害")


def test_components_groups_and_recovery_actions():
    group = services.create_component_group(name="Core\nPlatform")
    component = services.create_component(name="Public\r\nAPI", group=group)
    assert (group.name, component.name) == ("Core Platform", "Public API")

    services.edit_component(component=component, name="Private\nAPI")
    services.edit_component_group(group=group, name="Edge\tPlatform")
    component.refresh_from_db()
    group.refresh_from_db()
    assert (group.name, component.name) == ("Edge Platform", "Private API")

    incident = services.declare_incident(name="Outage", body="Down.", deliver_notifications=False)
    action = services.create_recovery_action(incident=incident, title=BROKEN, kind="prevent")
    assert action.title == ONE_LINE
