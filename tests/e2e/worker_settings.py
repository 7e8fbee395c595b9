"""Settings of the worker that the end-to-end tests start: the project's own, on a queue of its
own, so that two runs sharing one Redis broker (a developer's and CI's) never take each other's
tasks — a task run by the wrong worker would run against the wrong test database."""

import os

from statuspage.settings import *  # noqa: F403

CELERY_TASK_DEFAULT_QUEUE = os.environ["NOROSHI_E2E_QUEUE"]
# No remote control: nothing here uses it, and its mailbox would leave its bindings in the
# Redis database the tests use (tests.cache_keys: the suite leaves it as it found it).
CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
