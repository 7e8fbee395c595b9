"""Celery's transport options for the broker CELERY_BROKER_URL names: kombu's filesystem
transport (the embedded default, no server), Redis, or RabbitMQ (AMQP).

A publish must not hang on a broker that is down or hung: the console's post queues its
announcement on commit, and what could not be queued is left to the sweep anyway. So every
socket operation on a server broker gives up after NOROSHI_BROKER_TIMEOUT seconds, and a publish
is tried once (CELERY_TASK_PUBLISH_RETRY_POLICY).
"""

from pathlib import Path

AMQP_SCHEMES = ("amqp", "amqps", "pyamqp")


def broker_scheme(url: str) -> str:
    return url.split(":", 1)[0].lower()


def transport_options(url: str, *, timeout: float, folder: Path) -> dict:
    """The options for the broker at `url`; `folder` holds the filesystem broker's data."""
    scheme = broker_scheme(url)
    if scheme == "filesystem":
        return {
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "processed_folder": str(folder / "processed"),
            "control_folder": str(folder / "control"),
            "store_processed": False,
        }
    if scheme in AMQP_SCHEMES:
        # RabbitMQ confirms each publish (a message the broker did not take raises, and is
        # left to the sweep, instead of vanishing with a connection that died); reads and
        # writes on its socket, the wait for that confirmation included, give up after
        # `timeout` (the connect itself: CELERY_BROKER_CONNECTION_TIMEOUT). There is no
        # visibility timeout: an unacknowledged message returns when its consumer's connection
        # closes, whatever its ETA.
        return {"confirm_publish": True, "read_timeout": timeout, "write_timeout": timeout}
    # Redis. Measured against a local Redis behind a proxy: refused, a publish fails at once;
    # black-holed, after about the timeout (redis-py itself reconnects a pooled connection that
    # the server dropped, e.g. after a restart).
    return {
        "visibility_timeout": 3600,
        "socket_timeout": timeout,
        "socket_connect_timeout": timeout,
    }
