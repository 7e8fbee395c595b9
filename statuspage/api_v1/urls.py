"""/api/v1/pages/{page_id}/…, with or without Statuspage's `.json` suffix."""

from django.urls import re_path

from statuspage.api_v1 import components, incidents, pages, subscribers

app_name = "api_v1"

PAGE = r"^pages/(?P<page_id>[0-9a-z]+)"
ID = r"(?P<{}>[0-9a-z]+)"


def route(pattern: str, view, name: str):
    """`pattern` and `pattern.json`, as Statuspage's documentation writes the paths."""
    return re_path(pattern + r"(?:\.json)?$", view.as_view(), name=name)


def subscriber_routes(base: str, *, scope: str) -> list:
    """The subscribers under `base`: the page's, or one incident's."""
    one = base + "/subscribers/" + ID.format("subscriber_id")
    return [
        route(base + "/subscribers", subscribers.SubscriberList, f"{scope}subscribers"),
        route(one, subscribers.SubscriberDetail, f"{scope}subscriber"),
        route(
            one + "/resend_confirmation",
            subscribers.ResendConfirmation,
            f"{scope}subscriber_resend_confirmation",
        ),
    ]


urlpatterns = [
    route(r"^pages", pages.PageList, "pages"),
    route(PAGE, pages.PageDetail, "page"),
    route(PAGE + "/components", components.ComponentList, "components"),
    route(
        PAGE + "/components/" + ID.format("component_id"), components.ComponentDetail, "component"
    ),
    route(
        PAGE + "/components/" + ID.format("component_id") + "/uptime",
        components.ComponentUptime,
        "component_uptime",
    ),
    route(PAGE + "/component-groups", components.GroupList, "component_groups"),
    route(
        PAGE + "/component-groups/" + ID.format("group_id"),
        components.GroupDetail,
        "component_group",
    ),
    route(PAGE + "/incidents", incidents.IncidentList, "incidents"),
    route(PAGE + "/incidents/unresolved", incidents.UnresolvedIncidents, "incidents_unresolved"),
    route(PAGE + "/incidents/upcoming", incidents.UpcomingMaintenance, "incidents_upcoming"),
    route(PAGE + "/incidents/scheduled", incidents.ScheduledMaintenance, "incidents_scheduled"),
    route(
        PAGE + "/incidents/active_maintenance",
        incidents.ActiveMaintenance,
        "incidents_active_maintenance",
    ),
    route(PAGE + "/incidents/" + ID.format("incident_id"), incidents.IncidentDetail, "incident"),
    # The page's subscribers: the named resources first, then {subscriber_id}.
    route(PAGE + "/subscribers/count", subscribers.SubscriberCount, "subscribers_count"),
    route(
        PAGE + "/subscribers/histogram_by_state",
        subscribers.SubscriberHistogram,
        "subscribers_histogram",
    ),
    route(
        PAGE + "/subscribers/unsubscribed",
        subscribers.UnsubscribedList,
        "subscribers_unsubscribed",
    ),
    route(
        PAGE + "/subscribers/unsubscribe", subscribers.BatchUnsubscribe, "subscribers_unsubscribe"
    ),
    route(PAGE + "/subscribers/reactivate", subscribers.BatchReactivate, "subscribers_reactivate"),
    *subscriber_routes(PAGE, scope=""),
    *subscriber_routes(PAGE + "/incidents/" + ID.format("incident_id"), scope="incident_"),
]
