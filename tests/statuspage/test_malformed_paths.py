"""Malformed addresses anywhere on the site — a NUL or another control character, bytes that
are not UTF-8, an overlong segment — are 404, never 500, for every URL pattern the project
has (statuspage.middleware.MalformedPathMiddleware)."""

import re

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver
from django.urls.resolvers import RegexPattern

from notify.models import Subscriber
from tests.console_client import ConsoleClient
from tests.factories import UserFactory

MALFORMED = {
    "nul": "%00",
    "nul inside": "ab%00cd",
    "newline": "ab%0d%0acd",
    "bad utf-8": "%ff",
    "truncated utf-8": "ab%c3%28",
    "percent sign": "ab%25cd",
    "overlong segment": "a" * 256,
}
# The longest segment let through: each view must still answer it without an error.
LONGEST = "a" * 255


def routes(patterns=None, prefix=""):
    """Every URL pattern of the project, as the text of its route (regex or path syntax)."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from routes(pattern.url_patterns, prefix + route_text(pattern))
        else:
            yield prefix + route_text(pattern)


def route_text(pattern) -> str:
    if isinstance(pattern.pattern, RegexPattern):
        return str(pattern.pattern).removeprefix("^").removesuffix("$")
    return str(pattern.pattern)


def fill(route: str, value: str) -> str:
    """The address of `route` with `value` in each of its parameters (after it when it has
    none)."""
    filled, count = re.subn(r"<[^>]+>|\(\?P<\w+>[^)]*\)", value, route)
    return "/" + (filled if count else filled + value)


def addresses(value: str) -> list[str]:
    return sorted({fill(route, value) for route in routes()})


def test_the_sweep_covers_every_kind_of_route():
    everything = addresses("X")
    assert len(everything) > 150
    for expected in (
        "/subscriptions/confirm/X",
        "/subscriptions/manage/X",
        "/subscriptions/unsubscribe/X",
        "/subscriptions/code/X",
        "/incidents/X",
        "/incidents/X/subscribe",
        "/components/X/badge.svg",
        "/uptime/X",
        "/admin/incidents/incident/X/change/",
        "/admin/X/",
        "/api/v2/summary.jsonX",
        "/healthzX",
    ):
        assert expected in everything


@pytest.fixture
def clients(db):
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    console = ConsoleClient(raise_request_exception=False)
    console.force_login(superuser)
    return {"visitor": Client(raise_request_exception=False), "console": console}


@pytest.mark.parametrize("kind", MALFORMED)
def test_malformed_paths_are_404_everywhere(clients, kind):
    answers = {}
    for address in addresses(MALFORMED[kind]):
        for who, client in clients.items():
            for method in ("get", "post"):
                answers[(who, method, address)] = getattr(client, method)(address).status_code
    assert {key: status for key, status in answers.items() if status != 404} == {}
    assert Subscriber.objects.count() == 0


def test_the_longest_segment_allowed_is_never_an_error(clients):
    answers = {}
    for address in addresses(LONGEST):
        for who, client in clients.items():
            answers[(who, address)] = client.get(address).status_code
    assert {key: status for key, status in answers.items() if status >= 500} == {}
    # Outside the console no page has such an address (or, for one, takes no GET). (The console
    # answers as Django's admin does: a redirect to log in, to the index for a missing object,
    # to the address with a slash, or 403 for a page the user may not use. The management API
    # asks an anonymous caller for its key first: 401.)
    public = {
        status
        for (who, address), status in answers.items()
        if not address.startswith("/admin/")
        and not (address.startswith("/api/v1/") and status == 401 and who == "visitor")
    }
    assert public <= {404, 405}
    assert 404 in public
