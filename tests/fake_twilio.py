"""A fake Twilio REST API on 127.0.0.1 that the real twilio SDK talks to: the network edge of
the SMS tests.

It speaks enough of /2010-04-01 for the SDK: creating a message (form body, HTTP basic auth,
JSON answer with an SM… sid, status "queued") and listing them. It records every message it
took, and can be told to refuse the next ones (or all of them, until it recovers) with a
Twilio error, to hang past the client's timeout, or to drop the connection after reading the
request (the message was taken: Twilio would send it). It signs status callbacks and inbound
messages as Twilio does, with RequestValidator and the account's auth token.
"""

import base64
import json
import threading
import urllib.parse
import urllib.request
import uuid
from collections import Counter, deque
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from twilio.request_validator import RequestValidator

API = "/2010-04-01/Accounts/{account}/Messages.json"
HANG_LIMIT = 60  # a hung request is let go at the latest when the server stops, or after this


@dataclass
class SentMessage:
    sid: str
    to: str
    from_: str
    messaging_service_sid: str
    body: str
    validity_period: str
    status_callback: str
    status: str = "queued"

    def resource(self, account: str) -> dict:
        return {
            "sid": self.sid,
            "account_sid": account,
            "to": self.to,
            "from": self.from_ or None,
            "messaging_service_sid": self.messaging_service_sid or None,
            "body": self.body,
            "status": self.status,
            "direction": "outbound-api",
            "num_segments": "1",
            "num_media": "0",
            "api_version": "2010-04-01",
            "date_created": formatdate(usegmt=True),
            "date_updated": formatdate(usegmt=True),
            "date_sent": None,
            "error_code": None,
            "error_message": None,
            "price": None,
            "price_unit": "USD",
            "uri": f"/2010-04-01/Accounts/{account}/Messages/{self.sid}.json",
            "subresource_uris": {},
        }


@dataclass
class Plan:
    """What to do with the next create: answer an error, hang, or drop the connection."""

    action: str
    status: int = 0
    code: int = 0
    message: str = ""


@dataclass
class FakeTwilio:
    account_sid: str = "AC" + "f" * 32
    auth_token: str = field(default_factory=lambda: uuid.uuid4().hex)
    messages: list[SentMessage] = field(default_factory=list)

    def __post_init__(self):
        self.lock = threading.Lock()
        self.plans: deque[Plan] = deque()
        self.standing: Plan | None = None  # what every create gets once the plans run out
        self.hung: list[SentMessage] = []  # taken, and never answered
        self.released = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(self))
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> "FakeTwilio":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    # --- What the next creates do -----------------------------------------------------------

    def refuse_next(self, *, status: int, code: int, message: str = "", times: int = 1) -> None:
        """Answer the next `times` creates with a Twilio error (e.g. 400 and 21211)."""
        self.plans.extend([Plan("error", status, code, message or f"Error {code}")] * times)

    def hang_next(self, times: int = 1) -> None:
        """Take the next creates and never answer (until the server stops)."""
        self.plans.extend([Plan("hang")] * times)

    def drop_next(self, times: int = 1) -> None:
        """Take the next creates and close the connection without an answer."""
        self.plans.extend([Plan("drop")] * times)

    def refuse_all(self, *, status: int, code: int, message: str = "") -> None:
        """Answer every create with a Twilio error until recover() (an outage, a rate limit)."""
        self.standing = Plan("error", status, code, message or f"Error {code}")

    def hang_all(self) -> None:
        """Take every create and never answer, until recover()."""
        self.standing = Plan("hang")

    def recover(self) -> None:
        self.standing = None

    # --- What it saw ------------------------------------------------------------------------

    def per_recipient(self) -> Counter:
        with self.lock:
            return Counter(message.to for message in self.messages)

    def bodies(self) -> list[str]:
        with self.lock:
            return [message.body for message in self.messages]

    # --- Twilio calling us ------------------------------------------------------------------

    def sign(self, url: str, params: dict[str, str]) -> str:
        return RequestValidator(self.auth_token).compute_signature(url, params)

    def status_callback(
        self, message: SentMessage, status: str, error_code: str = ""
    ) -> tuple[str, dict[str, str], str]:
        """The status callback Twilio would make: (url, form fields, X-Twilio-Signature)."""
        params = {
            "MessageSid": message.sid,
            "SmsSid": message.sid,
            "MessageStatus": status,
            "SmsStatus": status,
            "AccountSid": self.account_sid,
            "From": message.from_,
            "To": message.to,
            "ApiVersion": "2010-04-01",
        }
        if error_code:
            params["ErrorCode"] = error_code
        url = message.status_callback
        return url, params, self.sign(url, params)

    def inbound(self, url: str, *, from_: str, body: str) -> tuple[dict[str, str], str]:
        """An SMS from `from_` to our number, as Twilio posts it: (form fields, signature)."""
        params = {
            "MessageSid": "SM" + uuid.uuid4().hex,
            "AccountSid": self.account_sid,
            "From": from_,
            "To": "+15005550006",
            "Body": body,
            "NumMedia": "0",
            "ApiVersion": "2010-04-01",
        }
        return params, self.sign(url, params)

    def fire_status_callback(self, message: SentMessage, status: str, error_code: str = "") -> int:
        """Make the status callback over HTTP, as Twilio does; the HTTP status it got."""
        url, params, signature = self.status_callback(message, status, error_code)
        request = urllib.request.Request(
            url,
            data=urllib.parse.urlencode(params).encode(),
            headers={"X-Twilio-Signature": signature},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status

    # --- Serving ----------------------------------------------------------------------------

    def authorised(self, path: str, header: str) -> bool:
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return path == API.format(account=self.account_sid) and header == f"Basic {expected}"

    def listing(self) -> dict:
        path = API.format(account=self.account_sid)
        with self.lock:
            records = [m.resource(self.account_sid) for m in self.messages]
        return {
            "messages": records,
            "page": 0,
            "page_size": len(records),
            "start": 0,
            "end": max(len(records) - 1, 0),
            "uri": path,
            "first_page_uri": path,
            "next_page_uri": None,
            "previous_page_uri": None,
        }

    def create(self, form: dict[str, str]) -> tuple[int, dict] | None:
        """Take (or refuse) a message: the answer, or None when there is to be none."""
        plan = self.plans.popleft() if self.plans else self.standing
        if plan is not None and plan.action == "error":
            more_info = f"https://www.twilio.com/docs/errors/{plan.code}"
            error = {"code": plan.code, "message": plan.message, "more_info": more_info}
            return plan.status, {**error, "status": plan.status}
        message = self.take(form)
        if plan is None:
            return 201, message.resource(self.account_sid)
        if plan.action == "hang":
            with self.lock:
                self.hung.append(message)
            self.released.wait(HANG_LIMIT)
        return None  # hang (then) or drop: the connection closes without an answer

    def take(self, form: dict[str, str]) -> SentMessage:
        message = SentMessage(
            sid="SM" + uuid.uuid4().hex,
            to=form.get("To", ""),
            from_=form.get("From", ""),
            messaging_service_sid=form.get("MessagingServiceSid", ""),
            body=form.get("Body", ""),
            validity_period=form.get("ValidityPeriod", ""),
            status_callback=form.get("StatusCallback", ""),
        )
        with self.lock:
            self.messages.append(message)
        return message


class Handler(BaseHTTPRequestHandler):
    fake: FakeTwilio  # set on a subclass per server

    def log_message(self, *args) -> None:  # quiet
        pass

    def answer(self, status: int, payload: dict) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def authorised(self) -> bool:
        path = self.path.split("?")[0]
        if self.fake.authorised(path, self.headers.get("Authorization", "")):
            return True
        self.answer(401, {"code": 20003, "message": "Authenticate", "status": 401})
        return False

    def do_GET(self) -> None:
        if self.authorised():
            self.answer(200, self.fake.listing())

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
        if not self.authorised():
            return
        answer = self.fake.create(form)
        if answer is None:
            self.close_connection = True
        else:
            self.answer(*answer)


def handler_for(fake: FakeTwilio) -> type[BaseHTTPRequestHandler]:
    return type("FakeTwilioHandler", (Handler,), {"fake": fake})
