"""Nothing Noroshi records loses who did it: the audit trail keeps the actor's name as it was
written, and a user who authored anything is deactivated, never deleted (issue 11, item 4)."""

import pytest
from django.db.models import ProtectedError

from incidents import services
from incidents.models import AuditEntry, IncidentUpdate

pytestmark = pytest.mark.django_db


@pytest.fixture
def oncall_user(django_user_model):
    return django_user_model.objects.create_user("hana", "hana@example.com", "pw-hana-123")


def test_the_audit_keeps_the_actors_name_as_written(oncall_user, components):
    incident = services.declare_incident(
        name="Slow API", status="investigating", body="Looking.", author=oncall_user
    )
    oncall_user.username = "hana.renamed"
    oncall_user.is_active = False
    oncall_user.save()

    entry = AuditEntry.objects.get(action="declare", object_id=incident.public_id)
    assert entry.actor_name == "hana"
    assert str(entry.actor) == "hana.renamed"


def test_a_user_who_authored_anything_cannot_be_deleted(oncall_user, components):
    incident = services.declare_incident(
        name="Slow API", status="investigating", body="Looking.", author=oncall_user
    )

    with pytest.raises(ProtectedError):
        oncall_user.delete()
    update = IncidentUpdate.objects.get(incident=incident)
    assert update.author == oncall_user


def test_the_console_refuses_to_delete_an_author_and_says_to_deactivate(
    admin_client, oncall_user, components
):
    services.declare_incident(
        name="Slow API", status="investigating", body="Looking.", author=oncall_user
    )

    page = admin_client.get(f"/admin/auth/user/{oncall_user.pk}/delete/").content.decode()
    answer = admin_client.post(f"/admin/auth/user/{oncall_user.pk}/delete/", {"post": "yes"})

    assert "Cannot delete user" in page
    assert answer.status_code in (200, 403)
    oncall_user.refresh_from_db()
    assert oncall_user.is_active


def test_a_user_who_authored_nothing_can_be_deleted(django_user_model):
    idle = django_user_model.objects.create_user("idle", "idle@example.com", "pw-idle-123")

    idle.delete()

    assert not django_user_model.objects.filter(username="idle").exists()
