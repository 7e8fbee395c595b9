"""The console's home, in place of the stock admin index (statuspage/urls.py): the page's status
and what on-call acts on first (alerts' drafts to publish or discard, open incidents and how
long the public has heard nothing,
maintenance now and in the coming days, components not operational, the kill switch, stuck
deliveries, overdue recovery actions), then Django's list of screens. A section shows only
when its member may view its rows; the buttons only when they may write."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib import admin
from django.utils import timezone

from incidents import notification_figures, selectors
from incidents.admin.drafts import may_see_drafts
from incidents.models import Incident

# The template the admin site renders as its index (set in statuspage/urls.py).
HOME_TEMPLATE = "admin/incidents/console_home.html"
# An open incident whose newest public update is older than this is flagged.
SILENCE_FLAGGED_AFTER = timedelta(minutes=30)
UPCOMING_MAINTENANCE_DAYS = 7
OVERDUE_ACTIONS_LISTED = 5


@dataclass(frozen=True)
class OpenIncident:
    """An open incident as the home lists it: when its newest update was shown to the public,
    flagged when that is too long ago."""

    incident: Incident
    last_update_at: datetime | None
    silent_too_long: bool


def may_view(user, app_label: str, model: str) -> bool:
    """Whether `user` may open the model's screens (viewing or changing, as the admin has it)."""
    return user.has_perm(f"{app_label}.view_{model}") or user.has_perm(
        f"{app_label}.change_{model}"
    )


def open_incidents(incidents: list[Incident], *, now: datetime) -> list[OpenIncident]:
    rows = []
    for incident in incidents:
        # Annotated by selectors.console_incidents().
        last = incident.last_update_at  # type: ignore[attr-defined]
        silent = last is None or now - last > SILENCE_FLAGGED_AFTER
        rows.append(OpenIncident(incident, last_update_at=last, silent_too_long=silent))
    return rows


def home_context(user, *, now: datetime) -> dict:
    """What the home shows `user`: the page status and buttons always, each section only
    when its rows may be viewed (a section not shown is not read)."""
    page = selectors.page_settings()
    incidents = selectors.console_incidents(
        upcoming_until=now + timedelta(days=UPCOMING_MAINTENANCE_DAYS)
    )
    troubled = selectors.components_not_operational()
    context: dict = {
        "now": now,
        "page_status": selectors.console_page_status(incidents, troubled),
        "public_url": page.url,
        "can_declare": user.has_perm("incidents.add_incident"),
        "can_schedule": user.has_perm("incidents.add_scheduledmaintenance"),
        "silence_minutes": int(SILENCE_FLAGGED_AFTER.total_seconds() // 60),
        "upcoming_days": UPCOMING_MAINTENANCE_DAYS,
    }
    if may_view(user, "incidents", "incident"):
        context["open_incidents"] = open_incidents(incidents.unresolved, now=now)
    if may_see_drafts(user):
        context["drafts"] = incidents.drafts
    if may_view(user, "incidents", "scheduledmaintenance"):
        context["maintenances"] = incidents
    if may_view(user, "incidents", "component"):
        context["troubled_components"] = troubled
    if may_view(user, "notify", "sendingswitch"):
        context["switch"] = notification_figures.sending_switch()
        context["can_throw_switch"] = user.has_perm("notify.change_sendingswitch")
    if may_view(user, "notify", "delivery"):
        context["deliveries"] = notification_figures.watched_delivery_counts()
    if may_view(user, "incidents", "recoveryaction"):
        today = now.astimezone(selectors.time_zone_of(page)).date()
        context["overdue"] = selectors.overdue_actions_summary(today, limit=OVERDUE_ACTIONS_LISTED)
    return context


def console_home(request):
    """The admin index (its app list and recent actions) with the home's sections above."""
    context = home_context(request.user, now=timezone.now())
    return admin.site.index(request, extra_context=context)
