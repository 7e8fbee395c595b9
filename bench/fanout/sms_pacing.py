"""SMS pacing: SMS subscribers, NOROSHI_SMS_PER_SECOND for one sender, and the rate at which
a fake Twilio (tests/fake_twilio.py, reached by the real twilio SDK) takes the messages.

It needs notify/channels/sms.py, notify/ratelimit.py and tests/fake_twilio.py; when they are
missing or broken it is skipped, and the report says "SMS pacing: not measured (…)".
"""

import time
import uuid
from collections import Counter

from measure import rate
from report import SmsFigures
from stack import HERE, Stack, venv_python

ACCOUNT = "AC" + "b" * 32
FROM_NUMBER = "+15005550006"


def unavailable() -> str:
    """Why SMS cannot be measured here ('' when it can)."""
    try:
        import notify.channels.sms
        import notify.ratelimit  # noqa: F401
        import tests.fake_twilio  # noqa: F401
    except Exception as error:  # any failure to import means: not there yet
        return f"channel not available: {type(error).__name__}: {error}"
    return ""


def start_fake_twilio(stack: Stack, args) -> dict[str, str]:
    """Start the fake Twilio; the settings that point the SMS channel at it."""
    token = uuid.uuid4().hex
    log = stack.work / "twilio.log"
    out = stack.work / "twilio.out"
    process = stack.start(
        [venv_python(), str(HERE / "twilio_server.py"), ACCOUNT, token, str(log)], out, stack.env
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not (out.exists() and out.read_text().strip()):
        if process.poll() is not None:
            raise RuntimeError(f"the fake Twilio exited:\n{out.read_text()}")
        time.sleep(0.05)
    return {
        "TWILIO_ACCOUNT_SID": ACCOUNT,
        "TWILIO_AUTH_TOKEN": token,
        "TWILIO_FROM_NUMBER": FROM_NUMBER,
        "NOROSHI_TWILIO_API_URL": out.read_text().strip(),
        "NOROSHI_SMS_PER_SECOND": f"{args.sms_per_second:g}",
        "NOROSHI_SMS_COUNTRY_CODES": "*",
    }


def arrivals(stack: Stack) -> list[tuple[float, str]]:
    path = stack.work / "twilio.log"
    if not path.exists():
        return []
    lines = path.read_text().splitlines()
    return [(float(at), to) for at, to in (line.split(" ", 1) for line in lines if " " in line)]


def measure_sms_pacing(stack: Stack, scenario, args) -> SmsFigures:
    """Announce an incident to the SMS subscribers; the rate the fake Twilio saw."""
    print(f"  SMS pacing: {args.sms:,} messages at {args.sms_per_second:g}/s", flush=True)
    phones = scenario.components()["Phones"]
    notification, _ = scenario.declare_and_publish("Text messages", phones)
    deadline = time.monotonic() + args.sms / args.sms_per_second * 2 + 60
    while time.monotonic() < deadline and (
        scenario.open_count(notification) or not notification.deliveries.exists()
    ):
        time.sleep(0.5)
    seen = arrivals(stack)
    per_number = Counter(to for _, to in seen)
    expected = set(notification.deliveries.values_list("subscriber__address", flat=True))
    paced = rate(sorted(at for at, _ in seen))
    states = scenario.states(notification)
    return SmsFigures(
        messages=len(seen),
        configured=args.sms_per_second,
        measured=paced.per_second,
        steady=paced.steady_per_second,
        duplicates=sum(n - 1 for n in per_number.values()),
        lost=len(expected - set(per_number)),
        note=f"; rows not sent: {states.total() - states['sent']}",
    )
