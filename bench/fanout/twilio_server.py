"""The benchmark's fake Twilio: tests/fake_twilio.py's server (the real twilio SDK talks to
it) in a process of its own, writing one line per message it takes:

    <arrival time, s since the epoch> <to>

    python bench/fanout/twilio_server.py ACCOUNT_SID AUTH_TOKEN LOG_FILE
"""

import signal
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.fake_twilio import FakeTwilio


class RecordingTwilio(FakeTwilio):
    log = sys.stdout

    def take(self, form):
        message = super().take(form)
        self.log.write(f"{time.time():.6f} {message.to}\n")
        return message


def main() -> None:
    account, token, path = sys.argv[1:4]
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with open(path, "a", buffering=1) as log, RecordingTwilio(account, token) as fake:
        fake.log = log
        print(fake.url, flush=True)
        stop.wait()


if __name__ == "__main__":
    main()
