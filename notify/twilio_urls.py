"""Twilio's webhooks (included under /twilio/ by notify.urls).

Configure in Twilio: the number's (or Messaging Service's) "A message comes in" webhook is
SITE_URL/twilio/inbound (HTTP POST). Status callbacks need no setting: each message names its
own, SITE_URL/twilio/status/<delivery key>.

A key of any other shape than ours (noroshi-<notification>-<subscriber>) is not found (404),
before its signature is even checked.
"""

from django.urls import path, re_path

from notify import twilio_hooks

urlpatterns = [
    re_path(
        r"^status/(?P<key>noroshi-[0-9]{1,19}-[0-9]{1,19})\Z",
        twilio_hooks.message_status,
        name="twilio_status",
    ),
    path("inbound", twilio_hooks.inbound_message, name="twilio_inbound"),
]
