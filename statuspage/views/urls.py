"""Routes of the public HTML pages, reversed as "public:<name>"."""

from django.urls import path

from statuspage.views import (
    branding,
    embed,
    history,
    incident,
    maintenance,
    overview,
    postmortem,
    uptime,
)

app_name = "public"

urlpatterns = [
    path("", overview.overview, name="overview"),
    path("incidents/<slug:public_id>", incident.incident, name="incident"),
    path("incidents/<slug:public_id>/postmortem", postmortem.postmortem, name="postmortem"),
    path("history", history.history, name="history"),
    path("maintenance", maintenance.maintenance, name="maintenance"),
    path("uptime", uptime.uptime, name="uptime"),
    path("uptime/<slug:public_id>", uptime.uptime, name="component_uptime"),
    path("embed.js", embed.embed_script, name="embed"),
    path("brand/logo-<slug:digest>.<str:extension>", branding.logo, name="logo"),
    path("favicon.ico", branding.favicon, name="favicon"),
]
