"""Probes of what Noroshi depends on, by name: the database, the cache, the broker, and the
worker and beat processes (their heartbeats, notify.models.ProcessHeartbeat). /readyz reports
them; /metrics reads the broker's queue depth here too.

Each probe answers with a Check and never raises: an unreachable dependency is an answer, not
an error. Their details are short and name no host, address or credential.
"""

import os
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from kombu import Connection

from notify.choices import ProcessRole
from notify.selectors import heartbeat_summary
from statuspage.celery import app

# Seconds one network probe of the broker may take.
BROKER_TIMEOUT = 1.0
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
# kombu's Redis transport keeps a queue's messages of priority 3, 6 and 9 in lists of their own.
REDIS_PRIORITY_SUFFIXES = ("", "\x06\x163", "\x06\x166", "\x06\x169")


@dataclass(frozen=True)
class Check:
    ok: bool
    detail: str
    # The newest heartbeat of a worker or beat, if any (the others leave it None).
    last_beat: datetime | None = None

    def as_json(self) -> dict:
        answer: dict = {"status": "ok" if self.ok else "down", "detail": self.detail}
        if self.last_beat is not None:
            answer["last_beat"] = self.last_beat.isoformat()
        return answer


def failed(error: BaseException) -> Check:
    return Check(False, f"error: {type(error).__name__}")


def database_and_heartbeats() -> dict[str, Check]:
    """The database, and the worker and beat heartbeats it holds (unknown without it)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {
            "database": Check(True, "answering"),
            "worker": heartbeat(ProcessRole.WORKER, settings.NOROSHI_WORKER_STALE_SECONDS),
            "beat": heartbeat(ProcessRole.BEAT, settings.NOROSHI_BEAT_STALE_SECONDS),
        }
    except DatabaseError as error:
        unknown = Check(False, "unknown: the database is unavailable")
        return {"database": failed(error), "worker": unknown, "beat": unknown}
    finally:
        connection.close()


def heartbeat(role: str, stale_seconds: float) -> Check:
    """Up when a running process of `role` beat within `stale_seconds`."""
    fresh, newest = heartbeat_summary(role, stale_seconds=stale_seconds)
    if fresh:
        return Check(True, f"{fresh} running", newest)
    if newest is not None:
        return Check(False, f"no beat within {stale_seconds:g} s", newest)
    return Check(False, "none running")


def cache_probe() -> dict[str, Check]:
    """The shared cache: one small value written and read back."""
    key = "readyz:probe"
    try:
        cache.set(key, "1", 30)
        answered = cache.get(key)
    except Exception as error:  # each cache backend raises its own errors
        return {"cache": failed(error)}
    if answered != "1":
        return {"cache": Check(False, "wrote a value and read back another")}
    return {"cache": Check(True, "answering")}


def broker_probe() -> dict[str, Check]:
    """The broker: PING for Redis, the folders for the filesystem transport, else a connection."""
    url = settings.CELERY_BROKER_URL
    try:
        if url.startswith("filesystem://"):
            unwritable = [name for name, folder in broker_folders().items() if not writable(folder)]
            if unwritable:
                return {"broker": Check(False, f"folder not writable: {', '.join(unwritable)}")}
            return {"broker": Check(True, "folders writable")}
        if url.startswith(REDIS_SCHEMES):
            with redis_client(url) as client:
                client.ping()
        else:
            with Connection(url, connect_timeout=BROKER_TIMEOUT) as broker:
                broker.ensure_connection(max_retries=1)
    except Exception as error:  # redis, kombu and the OS each raise their own errors
        return {"broker": failed(error)}
    return {"broker": Check(True, "answering")}


def broker_folders() -> dict[str, Path]:
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    return {
        "queue": Path(str(options["data_folder_in"])),
        "processed": Path(str(options["processed_folder"])),
        "control": Path(str(options["control_folder"])),
    }


def writable(folder: Path) -> bool:
    return folder.is_dir() and os.access(folder, os.W_OK | os.X_OK)


def redis_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(
        url, socket_connect_timeout=BROKER_TIMEOUT, socket_timeout=BROKER_TIMEOUT
    )


def queue_names() -> list[str]:
    """The queues the workers consume: Celery's default one and any configured."""
    names = {app.conf.task_default_queue}
    names.update(queue.name for queue in app.conf.task_queues or ())
    return sorted(names)


def queue_depths() -> dict[str, int]:
    """Messages waiting in each queue of the broker (not those a worker holds unacknowledged).
    Raises the broker's error when it cannot be asked."""
    url = settings.CELERY_BROKER_URL
    if url.startswith("filesystem://"):
        # kombu names each message file "<time>_<uuid>.<queue>.msg".
        found = Counter(
            name.partition(".")[2].removesuffix(".msg")
            for name in os.listdir(broker_folders()["queue"])
            if name.endswith(".msg")
        )
        return {name: found.get(name, 0) for name in sorted({*queue_names(), *found})}
    if url.startswith(REDIS_SCHEMES):
        with redis_client(url) as client:
            return {
                name: sum(client.llen(name + suffix) for suffix in REDIS_PRIORITY_SUFFIXES)
                for name in queue_names()
            }
    with Connection(url, connect_timeout=BROKER_TIMEOUT) as broker:
        channel = broker.default_channel
        return {
            name: channel.queue_declare(name, passive=True).message_count for name in queue_names()
        }
