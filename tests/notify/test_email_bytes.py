"""The e-mail channel's prepared bytes say what Django's own EmailMultiAlternatives says: the
same headers and, decoded, the same text and HTML — in English and Japanese, with long lines,
with lines that SMTP must dot-stuff, and through a real SMTP server."""

from email import message_from_bytes, policy

import pytest
from django.core.mail import get_connection

from notify.channels.base import Envelope
from notify.channels.email import EmailChannel
from notify.channels.mime import EmailContent, PreparedEmail

ENVELOPE = Envelope(
    address="Ann.Lee@Example.com",
    idempotency_key="7f1c9e2a-key",
    unsubscribe_url="https://status.example.com/subscriptions/unsubscribe/abc:" + "s" * 43,
    manage_url="https://status.example.com/subscriptions/manage/abc:" + "m" * 43,
)
FOOTER = "\n--\nManage: {manage_url}\nUnsubscribe: {unsubscribe_url}\n"
HTML_FOOTER = '<p><a href="{manage_url}">Manage</a> <a href="{unsubscribe_url}">Stop</a></p>\n'

CONTENTS = {
    "english": EmailContent(
        subject="[Acme] [Identified] Elevated API errors",
        text="[Identified] Elevated API errors\n\nA bad deploy; rolling back.\n" + FOOTER,
        html="<h1>Elevated API errors</h1>\n<p>A bad deploy; rolling back.</p>\n" + HTML_FOOTER,
    ),
    "japanese": EmailContent(
        subject="[エイクミー] [調査中] API のエラー率が上昇しています。影響範囲を調べています",
        text="API のエラー率が上昇しています。\n原因を調査中です。\n" + FOOTER,
        html="<h1>API のエラー率が上昇</h1>\n<p>原因を調査中です。</p>\n" + HTML_FOOTER,
    ),
    "long lines": EmailContent(
        subject="A" * 150,
        text="ログ: " + "あ" * 400 + "\n" + "x" * 1200 + FOOTER,
        html="<p>" + "é" * 490 + "</p>\n" + HTML_FOOTER,  # 987 octets: 8bit
    ),
    "dots and tabs": EmailContent(
        subject="Dots",
        text=".\n..leading dots\n\tindented\r\nwindows line\nno final newline" + FOOTER.rstrip(),
        html="<pre>\n.\n.hidden?\n</pre>" + HTML_FOOTER,
    ),
}


def django_bytes(content: EmailContent, from_email: str) -> bytes:
    channel = EmailChannel()
    channel.connection = get_connection("django.core.mail.backends.locmem.EmailBackend")
    email = channel.email(PreparedEmail(content, from_email), ENVELOPE)
    return email.message().as_bytes(linesep="\r\n")


def parsed(data: bytes):
    return message_from_bytes(data, policy=policy.default)


HEADERS = (
    "Subject",
    "From",
    "To",
    "MIME-Version",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
    "X-Noroshi-Delivery",
    "Auto-Submitted",
)


@pytest.mark.parametrize("name", CONTENTS)
@pytest.mark.parametrize("from_email", ["status@example.com", "ノロシ <status@example.com>"])
def test_prepared_bytes_read_as_djangos_message(name, from_email, settings):
    content = CONTENTS[name]
    to, data = PreparedEmail(content, from_email).fill(ENVELOPE)
    ours, theirs = parsed(data), parsed(django_bytes(content, from_email))
    assert to == "Ann.Lee@Example.com"
    for field in HEADERS:  # folding may leave a leading space: " <https…>"
        assert str(ours[field]).strip() == str(theirs[field]).strip(), field
    assert ours["Date"] and ours["Message-ID"]
    assert ours.get_content_type() == theirs.get_content_type() == "multipart/alternative"
    our_parts = [(p.get_content_type(), p.get_content()) for p in ours.iter_parts()]
    their_parts = [(p.get_content_type(), p.get_content()) for p in theirs.iter_parts()]
    assert our_parts == their_parts
    assert ENVELOPE.manage_url in our_parts[0][1]
    assert not ours.defects and all(not p.defects for p in ours.iter_parts())


@pytest.mark.parametrize("name", ["english", "japanese", "long lines"])
def test_a_text_only_answer_reads_as_djangos_message_without_unsubscribe_headers(name):
    content = EmailContent(CONTENTS[name].subject, CONTENTS[name].text, html="")
    prepared = PreparedEmail(content, "status@example.com", offer_unsubscribe=False)
    channel = EmailChannel()
    channel.connection = get_connection("django.core.mail.backends.locmem.EmailBackend")
    theirs = parsed(channel.email(prepared, ENVELOPE).message().as_bytes(linesep="\r\n"))
    ours = parsed(prepared.fill(ENVELOPE)[1])
    for field in HEADERS:
        assert str(ours[field]).strip() == str(theirs[field]).strip(), field
    assert ours["List-Unsubscribe"] is ours["List-Unsubscribe-Post"] is None
    assert ours.get_content_type() == theirs.get_content_type() == "text/plain"
    assert ours.get_content() == theirs.get_content()
    assert ENVELOPE.manage_url in ours.get_content()
    assert not ours.defects


def test_every_line_fits_smtp_and_long_ones_go_as_base64():
    _, data = PreparedEmail(CONTENTS["long lines"]).fill(ENVELOPE)
    assert max(len(line) for line in data.split(b"\r\n")) <= 998
    assert b"\n" not in data.replace(b"\r\n", b"")
    encodings = [p["Content-Transfer-Encoding"] for p in parsed(data).iter_parts()]
    assert encodings == ["base64", "8bit"]


def test_each_message_has_its_own_id_and_boundary():
    prepared = PreparedEmail(CONTENTS["english"])
    first, second = (parsed(prepared.fill(ENVELOPE)[1]) for _ in range(2))
    assert first["Message-ID"] != second["Message-ID"]
    assert first.get_boundary() != second.get_boundary()


def test_a_line_break_in_a_header_value_is_refused():
    envelope = Envelope(
        address="ann@example.com", idempotency_key="k\r\nBcc: x@example.com", unsubscribe_url="u"
    )
    with pytest.raises(ValueError, match="line break"):
        PreparedEmail(CONTENTS["english"]).fill(envelope)


@pytest.mark.parametrize("name", CONTENTS)
def test_a_real_smtp_server_receives_the_same_text(name, smtp):
    content = CONTENTS[name]
    channel = EmailChannel()
    try:
        assert channel.send(PreparedEmail(content), ENVELOPE) == ""
    finally:
        channel.close()
    (received,) = smtp.messages
    expected = parsed(django_bytes(content, "status@example.com"))
    assert [p.get_content() for p in received.iter_parts()] == [
        p.get_content() for p in expected.iter_parts()
    ]
    assert received["X-Noroshi-Delivery"] == ENVELOPE.idempotency_key


@pytest.mark.parametrize(
    ("address", "to"),
    [("ann@bücher.de", "ann@xn--bcher-kva.de"), ("ann+ops@example.com", "ann+ops@example.com")],
)
def test_the_recipient_is_encoded_as_django_would(address, to):
    envelope = Envelope(address=address, idempotency_key="k", unsubscribe_url="u")
    sent_to, data = PreparedEmail(CONTENTS["english"]).fill(envelope)
    assert sent_to == to
    assert parsed(data)["To"] == to


@pytest.mark.parametrize("from_email", ["status@example.com", "ノロシ <Status@Example.com>"])
@pytest.mark.parametrize(
    "address", ["Ann.Lee@Example.com", "ann@bücher.de", '"odd one"@example.com']
)
def test_the_smtp_envelope_is_the_one_djangos_backend_sends(from_email, address, smtp):
    """MAIL FROM (with SIZE), RCPT TO: written without smtplib's parsing, as it writes them."""
    envelope = Envelope(address=address, idempotency_key="k", unsubscribe_url="u")
    prepared = PreparedEmail(CONTENTS["japanese"], from_email)
    channel = EmailChannel()
    try:
        channel.send(prepared, envelope)
        channel.email(prepared, envelope).send()  # Django's SMTP backend, smtplib's sendmail
    finally:
        channel.close()
    (ours_from, ours_options, ours_to), (djangos_from, djangos_options, djangos_to) = (
        smtp.sink.envelopes
    )
    assert (ours_from, ours_to) == (djangos_from, djangos_to)
    # Each with the size of its own bytes (Django's message differs: its own boundary…).
    assert [option.split("=")[0] for option in ours_options] == ["SIZE"]
    assert [option.split("=")[0] for option in djangos_options] == ["SIZE"]
