"""Shared fixtures, and the guard that makes CI fail when its services are missing."""

import copy
import os
import uuid

import pytest
from django.conf import settings

from incidents import services
from tests.cache_keys import forget_keys, leftover_keys, redis_keys
from tests.console_client import ConsoleClient
from tests.factories import ComponentFactory, UserFactory
from tests.rabbitmq import rabbitmq_problem


def xdist_worker(config) -> bool:
    """Whether this process is one of pytest-xdist's workers (`pytest -n`), not the controller
    that starts them or a run without xdist. (Not PYTEST_XDIST_WORKER: a pytest that a test
    starts inherits it.)"""
    return hasattr(config, "workerinput")


def pytest_sessionstart(session):
    """With NOROSHI_REQUIRE_SERVICES set (CI sets it), refuse to run on anything but the real
    PostgreSQL and Redis, and without the RabbitMQ that tests.rabbitmq names: an unreachable
    service is an error, never a silent fall-back (or a skipped test). Under xdist the
    controller checks, once, before it starts the workers; they skip it."""
    import django

    django.setup()
    if xdist_worker(session.config):
        return
    _redis_keys_before.update(redis_keys())
    if os.environ.get("NOROSHI_REQUIRE_SERVICES", "") not in {"1", "true", "yes"}:
        return
    engine = settings.DATABASES["default"]["ENGINE"]
    problems = []
    if "postgresql" not in engine:
        problems.append(f"DATABASE_URL must point at PostgreSQL, got engine {engine}")
    if not settings.REDIS_URL:
        problems.append("REDIS_URL is not set")
    else:
        import redis

        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_timeout=3).ping()
        except redis.RedisError as error:
            problems.append(f"Redis at {settings.REDIS_URL} is unreachable: {error}")
    if "postgresql" in engine:
        import psycopg

        db = settings.DATABASES["default"]
        try:
            psycopg.connect(
                host=db["HOST"],
                port=db["PORT"] or 5432,
                user=db["USER"],
                password=db["PASSWORD"] or None,
                dbname="postgres",
                connect_timeout=3,
            ).close()
        except psycopg.Error as error:
            problems.append(f"PostgreSQL at {db['HOST']}:{db['PORT']} is unreachable: {error}")
    # RabbitMQ, the alternative broker: its variant of the end-to-end notification tests.
    if rabbitmq := rabbitmq_problem():
        problems.append(rabbitmq)
    if problems:
        pytest.exit(
            "NOROSHI_REQUIRE_SERVICES is set but:\n  " + "\n  ".join(problems), returncode=3
        )


_redis_keys_before: set[bytes] = set()


def pytest_sessionfinish(session, exitstatus):
    """The suite leaves the Redis database it used as it found it: a key that a run added and
    kept (a cache entry under no test's prefix, a queue, a broker's bookkeeping) fails it.
    Under xdist the controller counts, once every worker has finished: a worker would see the
    keys of the tests the others are running."""
    if xdist_worker(session.config):
        return
    left = leftover_keys(_redis_keys_before)
    if left:
        shown = ", ".join(sorted(key.decode(errors="replace") for key in left)[:20])
        writer = session.config.get_terminal_writer()
        if writer.width_of_current_line:  # after the progress dots: a line of its own
            writer.line()
        writer.line(
            f"The tests left {len(left)} keys in Redis ({settings.REDIS_URL}): {shown}", red=True
        )
        if session.exitstatus == 0:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def isolated_cache(settings, tmp_path_factory):
    """A cache key prefix of the test's own: tests share CI's Redis (and the e2e worker's
    broker), so clearing it would be wrong; a fresh prefix starts each test empty, and what the
    test wrote under it (or under one made from it: tests.cache_keys) is deleted after it. The
    file cache (no Redis) gets a folder of the test's own too: a shared one fills up across
    runs and culls a third of its entries at random (MAX_ENTRIES), under a test that counts
    hits."""
    caches = copy.deepcopy(settings.CACHES)
    prefix = caches["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex[:12]}"
    if caches["default"]["BACKEND"].endswith("FileBasedCache"):
        caches["default"]["LOCATION"] = str(tmp_path_factory.mktemp("cache"))
    settings.CACHES = caches
    yield
    if caches["default"]["BACKEND"].endswith("RedisCache"):
        forget_keys(caches["default"]["LOCATION"], prefix)


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the default language: a request in Japanese (LocaleMiddleware
    activates it for the thread) must not leave a later test's messages in Japanese."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def tasks_run_in_process(request):
    """Celery tasks queued by the code under test run at once, in the test's process, as a
    worker would run them — except in end-to-end tests, where real workers run them."""
    if request.node.get_closest_marker("e2e"):
        if "worker_queue" in request.fixturenames:
            yield
            return
        from tests.e2e.queues import queue_of_its_own

        with queue_of_its_own():  # no worker takes them: they go with the queue
            yield
        return
    from statuspage.celery import app

    app.conf.update(task_always_eager=True, task_eager_propagates=True)
    try:
        yield
    finally:
        app.conf.update(task_always_eager=False, task_eager_propagates=False)


@pytest.fixture
def client():
    """pytest-django's client, whose force_login also passes the console's second factor."""
    return ConsoleClient()


@pytest.fixture
def admin_client(db, admin_user):
    client = ConsoleClient()
    client.force_login(admin_user)
    return client


def member_of(group: str, username: str):
    """A staff user in one of the permission groups the migrations make."""
    from django.contrib.auth.models import Group

    user = UserFactory(username=username)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def owner(db):
    return member_of("Owner", "owner")


@pytest.fixture
def oncall(db):
    return member_of("On-call", "oncall")


@pytest.fixture
def viewer(db):
    return member_of("Viewer", "viewer")


@pytest.fixture
def components(db):
    """Three operational components: api, web, db."""
    return {name: ComponentFactory(name=name) for name in ("API", "Web", "Database")}


@pytest.fixture
def outage(components):
    """An incident on API, declared with notifications off (tests post the announced update)."""
    return services.declare_incident(
        name="Elevated API errors",
        body="Investigating.",
        component_statuses={components["API"]: "major_outage"},
        deliver_notifications=False,
    )
