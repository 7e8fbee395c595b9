"""Addresses in their one stored form, checked for their channel: an e-mail address, a mobile
number in E.164, a webhook URL the network policy allows, a Slack incoming-webhook URL.

Each check raises ValidationError({'address': …}) with a message for the person who typed it;
`normalised_address` also refuses a channel that is not usable here.
"""

import re
from collections.abc import Callable

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from notify import channels, netpolicy
from notify.channels.slack import slack_hosts
from notify.choices import Channel

SLACK_SERVICES_PATH = re.compile(r"^/services/[A-Za-z0-9]+/[A-Za-z0-9]+/[A-Za-z0-9]+$")

# Landlines, premium and service numbers cannot take SMS (and premium ones invite SMS pumping).
NOT_FOR_SMS = {
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.TOLL_FREE,
    phonenumbers.PhoneNumberType.PREMIUM_RATE,
    phonenumbers.PhoneNumberType.SHARED_COST,
    phonenumbers.PhoneNumberType.PAGER,
    phonenumbers.PhoneNumberType.UAN,
    phonenumbers.PhoneNumberType.VOICEMAIL,
}


def normalised_address(channel: str, address: str) -> str:
    """The address in its stored form, checked for its channel (ValidationError otherwise,
    {'channel': …} when the channel is not usable here)."""
    reason = channels.disabled_reason(channel)
    if reason:
        raise ValidationError({"channel": reason})
    return NORMALISERS[channel](address)


def email_address(address: str) -> str:
    address = (address or "").strip()
    try:
        validate_email(address)
    except ValidationError as error:
        message = _("“%(address)s” is not an e-mail address.") % {"address": address}
        raise invalid(message) from error
    # One stored form per mailbox: nobody relies on the case of a local part, and an
    # address typed in another case must find the subscription it already has.
    return address.lower()


def allowed_country_codes() -> set[int] | None:
    """The country calling codes numbers may have (None: any)."""
    value = str(getattr(settings, "NOROSHI_SMS_COUNTRY_CODES", "1,44,81")).strip()
    if value == "*":
        return None
    return {int(code) for code in value.replace("+", "").split(",") if code.strip().isdigit()}


def phone_number(address: str) -> str:
    """A mobile number of an allowed country, in E.164."""
    raw = (address or "").strip()
    number = parsed_number(raw)
    allowed = allowed_country_codes()
    if allowed is not None and number.country_code not in allowed:
        codes = ", ".join(f"+{code}" for code in sorted(allowed))
        raise invalid(
            _("SMS can only go to the country codes %(codes)s; “%(number)s” has +%(code)s.")
            % {"codes": codes, "number": raw[:40], "code": number.country_code}
        )
    if phonenumbers.number_type(number) in NOT_FOR_SMS:
        raise invalid(
            _("“%(number)s” is a landline or service number: SMS needs a mobile number.")
            % {"number": raw[:40]}
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def invalid(message: str) -> ValidationError:
    return ValidationError({"address": message}, code="invalid")


def parsed_number(raw: str) -> phonenumbers.PhoneNumber:
    """The number written in `raw` (international form), or ValidationError."""
    if not raw:
        raise invalid(_("Enter a mobile phone number, starting with + and the country code."))
    try:
        number = phonenumbers.parse(raw, None)
    except phonenumbers.NumberParseException as error:
        raise invalid(
            _(
                "“%(number)s” is not a phone number: write it with + and the country code, "
                "e.g. +81 90 1234 5678."
            )
            % {"number": raw[:40]}
        ) from error
    if not phonenumbers.is_valid_number(number):
        raise invalid(
            _("“%(number)s” is not a phone number in use: check its digits and country code.")
            % {"number": raw[:40]}
        )
    return number


def webhook_url(address: str) -> str:
    try:
        return netpolicy.normalised_url(address)
    except netpolicy.Refused as error:
        raise invalid(str(error)) from error


def slack_webhook_url(address: str) -> str:
    """A Slack incoming-webhook URL on one of the configured Slack hosts."""
    try:
        target = netpolicy.check_url((address or "").strip())
    except netpolicy.Refused as error:
        raise invalid(str(error)) from error
    if (
        target.scheme != "https"
        or target.host not in slack_hosts()
        or not SLACK_SERVICES_PATH.match(target.path)
    ):
        raise invalid(
            _("“%(url)s” is not a Slack incoming-webhook URL (https://hooks.slack.com/services/…).")
            % {"url": address.strip()}
        )
    return target.url


NORMALISERS: dict[str, Callable[[str], str]] = {
    Channel.EMAIL: email_address,
    Channel.SMS: phone_number,
    Channel.WEBHOOK: webhook_url,
    Channel.SLACK: slack_webhook_url,
}
