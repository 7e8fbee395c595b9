"""The notification channels' settings (webhook, Slack, SMS through Twilio, e-mail), the sign-up
limits and the storm guard: read from the environment like the rest of statuspage.settings,
which takes them all (its `.env` is loaded before this module is imported)."""

import os

from statuspage.envfile import env_bool, env_list

# Webhook and Slack targets (notify/netpolicy.py, notify/netguard.py): https only, no
# redirects, this many seconds for the whole exchange, at most this many bytes of the answer
# read. Addresses that are not public (private, loopback, link-local…) are refused at connect
# time unless one of these networks (CIDR) or host names lists them. TLS is verified against
# the CA bundle when set, else the system's store. meta.documentation of the payloads points at
# the documentation URL.
NOROSHI_WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("NOROSHI_WEBHOOK_TIMEOUT_SECONDS", "5"))
NOROSHI_WEBHOOK_MAX_RESPONSE_BYTES = int(
    os.environ.get("NOROSHI_WEBHOOK_MAX_RESPONSE_BYTES", str(64 * 1024))
)
NOROSHI_WEBHOOK_ALLOW_NETWORKS = env_list("NOROSHI_WEBHOOK_ALLOW_NETWORKS")
NOROSHI_WEBHOOK_CA_BUNDLE = os.environ.get("NOROSHI_WEBHOOK_CA_BUNDLE", "")
NOROSHI_WEBHOOK_DOCUMENTATION_URL = (
    os.environ.get("NOROSHI_WEBHOOK_DOCUMENTATION_URL")
    or "https://support.atlassian.com/statuspage/docs/enable-webhook-notifications/"
)
# The hosts of Slack incoming-webhook URLs (https://hooks.slack.com/services/…).
NOROSHI_SLACK_HOSTS = env_list("NOROSHI_SLACK_HOSTS", "hooks.slack.com")
# Messages per second to each Slack incoming webhook (Slack: about 1); 0 turns pacing off.
NOROSHI_SLACK_PER_SECOND = float(os.environ.get("NOROSHI_SLACK_PER_SECOND", "1"))

# Sign-up abuse limits (notify.abuse): per client network per hour, per phone number and per
# number prefix per UTC day, and a page-wide daily budget of SMS confirmation codes.
NOROSHI_SIGNUPS_PER_IP_HOUR = int(os.environ.get("NOROSHI_SIGNUPS_PER_IP_HOUR", "10"))
NOROSHI_SIGNUPS_PER_ADDRESS_HOUR = int(os.environ.get("NOROSHI_SIGNUPS_PER_ADDRESS_HOUR", "2"))
NOROSHI_SMS_CONFIRMATIONS_PER_NUMBER_DAY = int(
    os.environ.get("NOROSHI_SMS_CONFIRMATIONS_PER_NUMBER_DAY", "3")
)
NOROSHI_SMS_CONFIRMATIONS_PER_PREFIX_DAY = int(
    os.environ.get("NOROSHI_SMS_CONFIRMATIONS_PER_PREFIX_DAY", "20")
)
NOROSHI_SMS_DAILY_CONFIRMATIONS = int(os.environ.get("NOROSHI_SMS_DAILY_CONFIRMATIONS", "200"))

# Storm guard: at most this many messages per subscriber per window; the excess waits, and
# updates of the same incident are folded into its next message.
NOROSHI_STORM_MAX_MESSAGES = int(os.environ.get("NOROSHI_STORM_MAX_MESSAGES", "5"))
NOROSHI_STORM_WINDOW_SECONDS = float(os.environ.get("NOROSHI_STORM_WINDOW_SECONDS", "900"))

# SMS through Twilio: off until the account, its token and a sender are set.
TWILIO_ACCOUNT_SID = os.environ.get("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN", "")
TWILIO_FROM_NUMBER = os.environ.get("TWILIO_FROM_NUMBER", "")
TWILIO_MESSAGING_SERVICE_SID = os.environ.get("TWILIO_MESSAGING_SERVICE_SID", "")
# Seconds before a Twilio API call is given up (the SDK itself has no timeout).
NOROSHI_TWILIO_TIMEOUT = float(os.environ.get("NOROSHI_TWILIO_TIMEOUT", "10"))
# Another base URL for Twilio's REST API (the tests' fake server); empty: api.twilio.com.
NOROSHI_TWILIO_API_URL = os.environ.get("NOROSHI_TWILIO_API_URL", "").rstrip("/")
# Country calling codes SMS may go to, comma-separated; "*" for any.
NOROSHI_SMS_COUNTRY_CODES = os.environ.get("NOROSHI_SMS_COUNTRY_CODES", "1,44,81")
# Messages per second per sender (Twilio: about 1 for a long code); 0 turns pacing off.
NOROSHI_SMS_PER_SECOND = float(os.environ.get("NOROSHI_SMS_PER_SECOND", "1"))
# An SMS not handed to Twilio this long after its announcement, or not sent by Twilio this long
# after it was handed over, is dropped: stale news never lands after newer news.
NOROSHI_SMS_VALIDITY_SECONDS = int(os.environ.get("NOROSHI_SMS_VALIDITY_SECONDS", "600"))

# --- E-mail -----------------------------------------------------------------------------------
# The embedded default writes each message to a file of its own in var/mail/, whole or not at
# all (notify.channels.mail_files).
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or "notify.channels.mail_files.MessageFileBackend"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
# Seconds before an SMTP connection, command or reply is given up (a hung server).
EMAIL_TIMEOUT = float(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "status@localhost")
# An e-mail provider through django-anymail: EMAIL_BACKEND=anymail.backends.<esp>.EmailBackend
# and its settings as ANYMAIL_<NAME> variables (ANYMAIL_POSTMARK_SERVER_TOKEN, …).
# ANYMAIL_WEBHOOK_SECRET ("user:password") turns on its bounce and complaint webhooks at
# /anymail/<esp>/tracking/ (notify.email_feedback).
ANYMAIL = {
    name.removeprefix("ANYMAIL_"): value
    for name, value in os.environ.items()
    if name.startswith("ANYMAIL_") and value
}
