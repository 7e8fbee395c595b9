"""The fan-out's rows without their hand-over to the broker, for tests that send or sweep them
themselves."""

from notify import fanout


def fan_out(notification_id: int) -> int:
    """Write a notification's delivery rows, queueing none (as a fan-out whose hand-over was
    lost): how many were added."""
    return sum(len(ids) for ids in fanout.write_deliveries(notification_id))
