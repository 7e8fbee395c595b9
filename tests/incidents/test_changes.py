"""Writes mark the public page changed after commit, never before and never on rollback; the
newest change the database holds, which the mark is moved past after the cache was down."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from incidents import services
from incidents.changes import page_changed_at
from incidents.models import AuditEntry, ComponentStatusChange
from incidents.selectors import newest_change_at

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_write_marks_the_page_changed_after_commit(components):
    before = page_changed_at()
    with transaction.atomic():
        services.edit_component(component=components["API"], status="major_outage")
        assert page_changed_at() == before
    assert page_changed_at() > before


def test_a_rejected_write_leaves_the_mark_alone(components):
    services.declare_incident(name="Outage", body="Down.")
    before = page_changed_at()
    with pytest.raises(ValidationError):
        services.declare_incident(name="Outage", body="")
    assert page_changed_at() == before


def test_a_rolled_back_write_leaves_the_mark_alone(components):
    before = page_changed_at()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.declare_incident(name="Outage", body="Down.")
        raise RuntimeError("abort")
    assert page_changed_at() == before


def test_the_newest_change_is_the_latest_audited_write_or_status_change(
    components, django_assert_num_queries
):
    services.edit_component(component=components["API"], status="major_outage")
    audited = AuditEntry.objects.latest("pk").created_at
    changed = ComponentStatusChange.objects.latest("pk").created_at
    with django_assert_num_queries(2):
        assert newest_change_at() == max(audited, changed).timestamp()


def test_before_any_change_the_newest_change_is_zero(db):
    assert (AuditEntry.objects.count(), ComponentStatusChange.objects.count()) == (0, 0)
    assert newest_change_at() == 0.0
