"""Subscribers' personal data as shown to a reader who may not see it: a Viewer of the console or
the management API ("Viewer keys read only, with personal data masked"). Who may see it whole
is one permission, the one that changes subscribers: whoever may unsubscribe someone may see
whom. One function masks every channel's address, so that each place that shows addresses
(the API's subscriber objects, its deliveries, …) masks them alike.

Not for logs: `notify.models.masked` writes an address into a log line, briefer still."""

import re
from urllib.parse import urlsplit

import phonenumbers

from notify.choices import Channel

# The permission that shows addresses whole (On-call and Owner hold it, Viewer not).
PERSONAL_DATA_PERMISSION = "notify.change_subscriber"
# The digits of a phone number left readable: enough to tell two numbers apart on a call.
SHOWN_DIGITS = 4
HIDDEN = "***"


def may_see_personal_data(user) -> bool:
    """Whether `user` may read subscribers' addresses whole."""
    return bool(user.has_perm(PERSONAL_DATA_PERMISSION))


def masked_address(channel: str, address: str) -> str:
    """`address` (in its stored form) masked for its channel: an e-mail address keeps its first
    letter and its domain (a***@example.com), a phone number its country code and last four
    digits (+81 ** **** 5678), and a webhook or Slack URL — a credential, whoever reads it may
    post to it — its host alone."""
    if channel == Channel.EMAIL:
        return masked_email(address)
    if channel == Channel.SMS:
        return masked_phone(address)
    return url_host(address)


def masked_email(address: str) -> str:
    name, at, domain = address.partition("@")
    if not at:
        return HIDDEN
    return f"{name[:1]}{HIDDEN}@{domain}"


def masked_phone(number: str) -> str:
    """An E.164 number written internationally, every digit after the country code but the
    last four starred, the groups separated by spaces."""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return HIDDEN
    country = f"+{parsed.country_code}"
    written = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return country + masked_digits(written.removeprefix(country))


def masked_digits(text: str, *, shown: int = SHOWN_DIGITS) -> str:
    """`text` with each digit but the last `shown` starred and its separators made spaces
    (090-1234-5678 → *** **** 5678)."""
    hidden = max(sum(c.isdigit() for c in text) - shown, 0)
    out = []
    for character in re.sub(r"[^0-9]+", " ", text):
        if character.isdigit() and hidden:
            hidden -= 1
            character = "*"
        out.append(character)
    return "".join(out)


def url_host(url: str) -> str:
    """The host a URL names (its path and query may hold a token)."""
    try:
        return urlsplit(url).hostname or HIDDEN
    except ValueError:
        return HIDDEN
