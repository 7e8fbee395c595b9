"""An uncached render of each public page costs a fixed, small number of queries, whatever the
number of components, incidents and days of history."""

import pytest
import time_machine

from incidents.changes import mark_page_changed
from incidents.models import Component, Incident
from tests.statuspage.page_data import NOW, busy_page

pytestmark = pytest.mark.django_db

# page settings 1 · components and groups 2 · open incidents, maintenance in progress and to
# come, and the last seven days, read together 4 (with components, updates and their component
# changes) · the incidents of the bars' days 1 · the version of each status history 1 ·
# uptime 2, only for the bars the cache did not keep (statuspage.views.bar_cache).
OVERVIEW_QUERIES = 11
OVERVIEW_QUERIES_BARS_KEPT = 9
# page settings 1 · the incident with components, updates and their component changes 4.
INCIDENT_QUERIES = 5
# page settings 1 · components and groups (the filter) 2 · oldest incident 1 · three months of
# incidents with their timelines 4.
HISTORY_QUERIES = 8
# page settings 1 · in progress, upcoming and completed, each with its timeline 4 + 4 + 4.
MAINTENANCE_QUERIES = 13
# page settings 1 · components and groups 2 · where the status history starts 1 · uptime 2 ·
# the incidents of the days 1.
UPTIME_QUERIES = 7

SIZES = [(3, 2), (12, 9)]


@pytest.fixture(params=SIZES, ids=["3-components-2-incidents", "12-components-9-incidents"])
def busy(request):
    components, incidents = request.param
    with time_machine.travel(NOW, tick=False):
        made = busy_page(components=components, incidents=incidents)
        assert Component.objects.count() == components
        yield made


def test_overview(client, busy, django_assert_num_queries):
    with django_assert_num_queries(OVERVIEW_QUERIES):
        response = client.get("/")
    assert response.status_code == 200
    days = response.content.count(b'"></li>') + response.content.count(b'"></a></li>')
    assert days == 90 * len(busy)  # the bars' days, those with incidents holding a link
    assert b"Past incident 0" in response.content

    mark_page_changed()  # an update that changed no status: the bars are kept
    with django_assert_num_queries(OVERVIEW_QUERIES_BARS_KEPT):
        again = client.get("/")
    assert again.content == response.content


def test_incident(client, busy, django_assert_num_queries):
    incident = Incident.objects.get(name="Past incident 1")
    with django_assert_num_queries(INCIDENT_QUERIES):
        response = client.get(f"/incidents/{incident.public_id}")
    assert response.status_code == 200
    assert response.content.count(b'<h3 id="update-') == 3


@pytest.mark.parametrize("page", [1, 3])
def test_history(client, busy, page, django_assert_num_queries):
    with django_assert_num_queries(HISTORY_QUERIES):
        response = client.get(f"/history?page={page}")
    assert response.status_code == 200
    assert (b"Past incident 0" if page == 1 else b"Old incident") in response.content


def test_maintenance(client, busy, django_assert_num_queries):
    with django_assert_num_queries(MAINTENANCE_QUERIES):
        response = client.get("/maintenance")
    assert response.status_code == 200


def test_uptime(client, busy, django_assert_num_queries):
    with django_assert_num_queries(UPTIME_QUERIES):
        response = client.get(f"/uptime/{busy[-1].public_id}")
    assert response.status_code == 200


def test_a_cached_page_costs_no_query(client, busy, django_assert_num_queries):
    client.get("/")
    with django_assert_num_queries(0):
        assert client.get("/").status_code == 200
