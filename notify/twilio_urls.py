"""Twilio's webhooks (included under /twilio/ by notify.urls).

Configure in Twilio: the number's (or Messaging Service's) "A message comes in" webhook is
SITE_URL/twilio/inbound (HTTP POST). Status callbacks need no setting: each message names its
own, SITE_URL/twilio/status/<delivery key>.
"""

from django.urls import path

from notify import twilio_hooks

urlpatterns = [
    path("status/<str:key>", twilio_hooks.message_status, name="twilio_status"),
    path("inbound", twilio_hooks.inbound_message, name="twilio_inbound"),
]
