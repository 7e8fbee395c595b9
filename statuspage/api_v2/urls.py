"""Routes of the Statuspage v2 compatible JSON API, mounted at /api/v2/."""

from django.urls import path

from statuspage.api_v2 import views

app_name = "api_v2"

urlpatterns = [
    path("summary.json", views.summary, name="summary"),
    path("status.json", views.status, name="status"),
    path("components.json", views.components, name="components"),
    path("incidents.json", views.incidents, name="incidents"),
    path("incidents/unresolved.json", views.unresolved_incidents, name="unresolved-incidents"),
    path(
        "scheduled-maintenances.json",
        views.scheduled_maintenances,
        name="scheduled-maintenances",
    ),
    path(
        "scheduled-maintenances/upcoming.json",
        views.upcoming_maintenances,
        name="upcoming-maintenances",
    ),
    path(
        "scheduled-maintenances/active.json",
        views.active_maintenances,
        name="active-maintenances",
    ),
]
