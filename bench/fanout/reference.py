"""The reference that e-mail delivery is measured against: the same messages sent with raw
smtplib to the same sink on one connection, as fast as it goes. Used by bench/fanout and
bench/worstday, a turn before and a turn after the sending they compare."""

import smtplib

from measure import SinkLog, rate, wait


def reference_turn(stack, sink: SinkLog, messages, tag: str) -> float:
    """Send `messages` ((from, to, bytes), keyed `<tag>-<n>`) to `stack`'s sink; return the
    messages per second at the sink."""
    print(f"  reference {tag}: {len(messages):,} messages through raw smtplib", flush=True)
    with smtplib.SMTP("127.0.0.1", stack.sink_port) as smtp:
        for sender, recipients, data in messages:
            smtp.sendmail(sender, recipients, data)
    wait(lambda: sink.count(f"{tag}-") >= len(messages), "the reference", 60, 0.1)
    return rate(sink.arrivals(f"{tag}-")).per_second
