"""One incident update, as Statuspage's API has it: PATCH or PUT corrects its text (Noroshi
also takes the Japanese text). The correction is audited with the original text, marked as
edited on the public page and in the feeds, and announced to nobody."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from incidents import selectors, services
from incidents.models import Incident, IncidentUpdate
from incidents.representations import page_context, update_object
from statuspage.api_v1 import examples
from statuspage.api_v1.base import ManagementView
from statuspage.api_v1.postmortems import incident_or_404
from statuspage.api_v1.schema import IDEMPOTENCY_KEY, WRITE_ERRORS, IncidentUpdateObject
from statuspage.api_v1.serializers import Flag, Text, changes_of, validated

UPDATE_PERMISSIONS = {
    "PATCH": "incidents.change_incidentupdate",
    "PUT": "incidents.change_incidentupdate",
}


class IncidentUpdateFields(serializers.Serializer):
    body = Text(allow_blank=True, required=False)
    # Noroshi's own: the Japanese text shown to visitors reading in Japanese.
    body_ja = Text(allow_blank=True, required=False)
    # Statuspage's; accepted and ignored: a correction moves no time and notifies nobody.
    display_at = serializers.DateTimeField(required=False, allow_null=True)
    deliver_notifications = Flag(required=False)
    wants_twitter_update = Flag(required=False)
    tweet_id = Text(allow_blank=True, allow_null=True, required=False)
    custom_tweet = Text(allow_blank=True, allow_null=True, required=False)


class IncidentUpdateRequest(serializers.Serializer):
    incident_update = IncidentUpdateFields()


def update_or_404(incident: Incident, update_id: str) -> IncidentUpdate:
    try:
        return selectors.update_of_incident(incident, update_id)
    except IncidentUpdate.DoesNotExist:
        raise NotFound(f"This incident has no update “{update_id}”.") from None


def update_response(incident: Incident, update_id: str) -> Response:
    """The update as the management API writes it inside an incident (objects.py)."""
    body = update_object(page_context(), update_or_404(incident, update_id), incident)
    return Response(body | {"twitter_updated_at": None, "wants_twitter_update": False})


def documented(summary: str):
    """The description of PATCH and of PUT (its twin), each under its own summary."""
    return extend_schema(
        tags=["incidents"],
        summary=summary,
        description=(
            "`body` (and Noroshi's `body_ja`) replace the update's text on the public page, in "
            "the feeds and in both APIs, where the update is marked as edited and its "
            "`updated_at` moves to the time of the correction. Nobody is notified again; the "
            "original text is kept in the audit log. An empty `body` is refused; a text sent "
            "unchanged writes nothing. `display_at`, `deliver_notifications`, "
            "`wants_twitter_update`, `tweet_id` and `custom_tweet` are accepted and ignored. "
            "Works the same for an update of a scheduled maintenance."
        ),
        parameters=[IDEMPOTENCY_KEY],
        request=changes_of(IncidentUpdateRequest),
        responses={200: IncidentUpdateObject, **WRITE_ERRORS},
        examples=[
            examples.EDIT_UPDATE_TEXT,
            examples.EDIT_UPDATE_TEXT_JA,
            examples.response("Incident update", examples.EDITED_UPDATE),
        ],
    )


class IncidentUpdateDetail(ManagementView):
    required_permissions = UPDATE_PERMISSIONS

    @documented("Correct the text of an incident update (notifies nobody)")
    def patch(
        self, request: Request, page_id: str, incident_id: str, incident_update_id: str
    ) -> Response:
        incident = incident_or_404(incident_id)
        update = update_or_404(incident, incident_update_id)
        fields = validated(IncidentUpdateRequest, request.data, partial=True)["incident_update"]

        def edit() -> Response:
            services.edit_update_text(
                update=update,
                body=fields.get("body"),
                body_ja=fields.get("body_ja"),
                actor=request.user,
            )
            return update_response(incident, incident_update_id)

        return self.write(request, edit)

    @documented("Correct the text of an incident update (as PATCH)")
    def put(
        self, request: Request, page_id: str, incident_id: str, incident_update_id: str
    ) -> Response:
        return self.patch(request, page_id, incident_id, incident_update_id)
