"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives: the network edge
of the e-mail tests. It can refuse chosen recipients with a 5xx or 4xx reply, answer every
MAIL or DATA with a reply of the test's choosing (a server in trouble: 421, 451…), and take a
chosen recipient's message but never answer its DATA (a server hung after taking it)."""

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


HANG_LIMIT = 120  # a hung DATA is answered at the latest when the sink stops, or after this


class Sink:
    def __init__(self):
        self.messages: list[Message] = []
        self.refuse: dict[str, str] = {}  # address -> SMTP reply, e.g. "550 no such user"
        # "MAIL" or "DATA" -> the reply to every such command until removed, e.g.
        # "421 4.3.2 Service shutting down"; a refused DATA keeps nothing.
        self.answers: dict[str, str] = {}
        # Recipients whose message is kept, and its DATA then never answered.
        self.hang: set[str] = set()
        self.released = threading.Event()
        self.lock = threading.Lock()
        self.arrivals: list[float] = []  # time.time() of each message kept, in order
        # (MAIL FROM address, its options, RCPT TO addresses) of each message kept, in order.
        self.envelopes: list[tuple[str, list[str], list[str]]] = []
        # Called with the count so far, in a thread of its own, after each message is kept and
        # before the reply: the sender waits for it (e.g. to throw the kill switch mid-send).
        self.on_message: Callable[[int], None] | None = None

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if "MAIL" in self.answers:
            return self.answers["MAIL"]
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if "DATA" in self.answers:
            return self.answers["DATA"]
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            for _ in envelope.rcpt_tos:
                self.messages.append(message)
                self.arrivals.append(time.time())
            self.envelopes.append(
                (envelope.mail_from, list(envelope.mail_options), list(envelope.rcpt_tos))
            )
            count = len(self.messages)
        if self.on_message is not None:
            await asyncio.get_running_loop().run_in_executor(None, self.on_message, count)
        if self.hang.intersection(envelope.rcpt_tos):
            deadline = time.monotonic() + HANG_LIMIT
            while not self.released.is_set() and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
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
        self.sink.released.set()
        self.controller.stop()

    @property
    def messages(self) -> list[Message]:
        return self.sink.messages
