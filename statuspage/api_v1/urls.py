"""/api/v1/pages/{page_id}/…, each path also with Statuspage's `.json` suffix; and the alert
integrations' addresses, /api/v1/integrations/{kind}/{token}."""

from django.urls import re_path

from statuspage.api_v1 import (
    actions,
    alerts,
    components,
    incidents,
    notifications,
    pages,
    postmortems,
    subscribers,
    templates,
    updates,
)

app_name = "api_v1"

PAGE = r"^pages/(?P<page_id>[0-9a-z]+)"
COMPONENT = PAGE + r"/components/(?P<component_id>[0-9a-z]+)"
GROUP = PAGE + r"/component-groups/(?P<group_id>[0-9a-z]+)"
INCIDENT = PAGE + r"/incidents/(?P<incident_id>[0-9a-z]+)"
ACTION = INCIDENT + r"/recovery_actions/(?P<action_id>[0-9a-z]+)"
NOTIFICATION = PAGE + r"/notifications/(?P<notification_id>[0-9]+)"
# Written the way Statuspage's documentation writes its paths (the schema lists it once).
JSON_SUFFIX = r"\.json"


def route(pattern: str, view, name: str) -> list:
    """`pattern`, and `pattern.json` as Statuspage's documentation writes the paths."""
    as_view = view.as_view()
    return [
        re_path(pattern + "$", as_view, name=name),
        re_path(pattern + JSON_SUFFIX + "$", as_view, name=f"{name}-json"),
    ]


def subscriber_routes(base: str, *, scope: str) -> list:
    """The subscribers under `base`: the page's, or one incident's."""
    one = base + r"/subscribers/(?P<subscriber_id>[0-9a-z]+)"
    return [
        *route(base + "/subscribers", subscribers.SubscriberList, f"{scope}subscribers"),
        *route(one, subscribers.SubscriberDetail, f"{scope}subscriber"),
        *route(
            one + "/resend_confirmation",
            subscribers.ResendConfirmation,
            f"{scope}subscriber_resend_confirmation",
        ),
    ]


urlpatterns = [
    # The kill switch's first address, outside the page (kept for the scripts that use it).
    *route(r"^sending-switch", notifications.SendingSwitchShortcut, "sending_switch_shortcut"),
    *route(r"^pages", pages.PageList, "pages"),
    *route(PAGE, pages.PageDetail, "page"),
    *route(PAGE + "/components", components.ComponentList, "components"),
    *route(COMPONENT, components.ComponentDetail, "component"),
    *route(COMPONENT + "/uptime", components.ComponentUptime, "component_uptime"),
    *route(PAGE + "/component-groups", components.GroupList, "component_groups"),
    *route(GROUP, components.GroupDetail, "component_group"),
    *route(GROUP + "/uptime", components.GroupUptime, "component_group_uptime"),
    *route(PAGE + "/incidents", incidents.IncidentList, "incidents"),
    # Before INCIDENT: these words would match an incident id.
    *route(PAGE + "/incidents/unresolved", incidents.UnresolvedIncidents, "incidents_unresolved"),
    *route(PAGE + "/incidents/upcoming", incidents.UpcomingMaintenance, "incidents_upcoming"),
    *route(PAGE + "/incidents/scheduled", incidents.ScheduledMaintenance, "incidents_scheduled"),
    *route(
        PAGE + "/incidents/active_maintenance",
        incidents.ActiveMaintenance,
        "incidents_active_maintenance",
    ),
    *route(INCIDENT, incidents.IncidentDetail, "incident"),
    *route(INCIDENT + "/postmortem", postmortems.Postmortem, "postmortem"),
    *route(INCIDENT + "/postmortem/publish", postmortems.PublishPostmortem, "postmortem_publish"),
    *route(INCIDENT + "/postmortem/revert", postmortems.RevertPostmortem, "postmortem_revert"),
    *route(INCIDENT + "/postmortem/submit", postmortems.SubmitPostmortem, "postmortem_submit"),
    *route(INCIDENT + "/postmortem/sign_off", postmortems.SignOffPostmortem, "postmortem_sign_off"),
    *route(
        INCIDENT + "/postmortem/return_to_draft",
        postmortems.ReturnPostmortem,
        "postmortem_return_to_draft",
    ),
    *route(PAGE + "/incident_templates", templates.TemplateList, "incident_templates"),
    *route(PAGE + "/recovery_actions", actions.PageActions, "recovery_actions"),
    *route(INCIDENT + "/recovery_actions", actions.IncidentActions, "incident_recovery_actions"),
    *route(ACTION, actions.IncidentAction, "recovery_action"),
    *route(ACTION + "/start", actions.StartAction, "recovery_action_start"),
    *route(ACTION + "/complete", actions.CompleteAction, "recovery_action_complete"),
    *route(ACTION + "/decline", actions.DeclineAction, "recovery_action_decline"),
    *route(ACTION + "/reopen", actions.ReopenAction, "recovery_action_reopen"),
    *route(PAGE + "/notifications", notifications.NotificationList, "notifications"),
    *route(NOTIFICATION, notifications.NotificationDetail, "notification"),
    *route(NOTIFICATION + "/deliveries", notifications.NotificationDeliveries, "deliveries"),
    *route(PAGE + "/sending-switch", notifications.SendingSwitchView, "sending_switch"),
    *route(PAGE + "/sending-switch/pause", notifications.PauseSending, "sending_switch_pause"),
    *route(PAGE + "/sending-switch/resume", notifications.ResumeSending, "sending_switch_resume"),
    # The page's subscribers: the named resources first, then {subscriber_id}.
    *route(PAGE + "/subscribers/count", subscribers.SubscriberCount, "subscribers_count"),
    *route(
        PAGE + "/subscribers/histogram_by_state",
        subscribers.SubscriberHistogram,
        "subscribers_histogram",
    ),
    *route(
        PAGE + "/subscribers/unsubscribed", subscribers.UnsubscribedList, "subscribers_unsubscribed"
    ),
    *route(
        PAGE + "/subscribers/unsubscribe", subscribers.BatchUnsubscribe, "subscribers_unsubscribe"
    ),
    *route(PAGE + "/subscribers/reactivate", subscribers.BatchReactivate, "subscribers_reactivate"),
    *subscriber_routes(PAGE, scope=""),
    *subscriber_routes(INCIDENT, scope="incident_"),
    # Alerts in (statuspage.api_v1.alerts): a draft's two steps, and the addresses monitoring
    # posts to (the token in the path is the credential).
    *route(INCIDENT + "/publish", alerts.PublishDraft, "incident_publish"),
    *route(INCIDENT + "/discard", alerts.DiscardDraft, "incident_discard"),
    re_path(
        r"^integrations/alertmanager/(?P<token>[0-9A-Za-z_-]+)/?$",
        alerts.AlertmanagerWebhook.as_view(),
        name="alertmanager_webhook",
    ),
    re_path(
        r"^integrations/generic/(?P<token>[0-9A-Za-z_-]+)/?$",
        alerts.GenericWebhook.as_view(),
        name="generic_webhook",
    ),
    *route(
        INCIDENT + r"/incident_updates/(?P<incident_update_id>[0-9a-z]+)",
        updates.IncidentUpdateDetail,
        "incident_update",
    ),
]
