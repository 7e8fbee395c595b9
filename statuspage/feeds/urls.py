"""Routes of the feeds and embeds, at the root of the page, reversed as "feeds:<name>"."""

from django.urls import path

from statuspage.feeds import badges, calendar, history

app_name = "feeds"

urlpatterns = [
    path("history.atom", history.history_atom, name="history-atom"),
    path("history.rss", history.history_rss, name="history-rss"),
    path("maintenance.ics", calendar.maintenance_ics, name="maintenance-ics"),
    path("badge.svg", badges.page_badge, name="page-badge"),
    path("components/<slug:public_id>/badge.svg", badges.component_badge, name="component-badge"),
]
