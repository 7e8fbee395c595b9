"""The benchmark's SMTP sink: a real SMTP server (aiosmtpd) in a process of its own, so that it
has its own share of the cores, writing one line per message and recipient as it arrives:

    <arrival time, s since the epoch> <X-Noroshi-Delivery key> <recipient>

The benchmark reads the file as it grows: arrivals per notification, duplicates, rates.

    python bench/fanout/sink.py PORT LOG_FILE
"""

import asyncio
import logging
import re
import sys
import time

from aiosmtpd.smtp import SMTP

KEY = re.compile(rb"^X-Noroshi-Delivery:[ \t]*(\S+)", re.MULTILINE | re.IGNORECASE)


class Recorder:
    def __init__(self, log) -> None:
        self.log = log

    async def handle_DATA(self, server, session, envelope):
        head = envelope.content.split(b"\r\n\r\n", 1)[0]
        match = KEY.search(head)
        key = match.group(1).decode() if match else "-"
        now = time.time()
        for recipient in envelope.rcpt_tos:
            self.log.write(f"{now:.6f} {key} {recipient}\n")
        return "250 Message accepted"


def main() -> None:
    port, path = int(sys.argv[1]), sys.argv[2]
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    with open(path, "a", buffering=1) as log:  # a line at a time: the reader sees it at once
        recorder = Recorder(log)
        loop = asyncio.new_event_loop()
        server = loop.run_until_complete(
            # A fixed hostname: the default asks DNS for this machine's name on each connection.
            loop.create_server(
                lambda: SMTP(recorder, hostname="bench-sink"), "127.0.0.1", port, backlog=256
            )
        )
        print("ready", flush=True)
        try:
            loop.run_forever()
        finally:
            server.close()


if __name__ == "__main__":
    main()
