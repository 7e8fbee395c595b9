"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives: the network edge
of the e-mail tests. It can refuse chosen recipients with a 5xx or 4xx reply."""

import asyncio
import logging
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from email import message_from_bytes, policy
from email.message import Message

from aiosmtpd.controller import Controller

logging.getLogger("mail.log").setLevel(logging.WARNING)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Sink:
    def __init__(self):
        self.messages: list[Message] = []
        self.refuse: dict[str, str] = {}  # address -> SMTP reply, e.g. "550 no such user"
        self.lock = threading.Lock()
        self.arrivals: list[float] = []  # time.time() of each message kept, in order
        # Called with the count so far, in a thread of its own, after each message is kept and
        # before the reply: the sender waits for it (e.g. to throw the kill switch mid-send).
        self.on_message: Callable[[int], None] | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            for _ in envelope.rcpt_tos:
                self.messages.append(message)
                self.arrivals.append(time.time())
            count = len(self.messages)
        if self.on_message is not None:
            await asyncio.get_running_loop().run_in_executor(None, self.on_message, count)
        return "250 Message accepted"

    def per_recipient(self) -> Counter:
        with self.lock:
            return Counter(m["To"] for m in self.messages)


class SmtpSink:
    def __init__(self):
        self.sink = Sink()
        self.port = free_port()
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> "SmtpSink":
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()

    @property
    def messages(self) -> list[Message]:
        return self.sink.messages
