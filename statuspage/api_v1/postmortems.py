"""An incident's post-mortem as Statuspage's API has it (one Markdown `body`: read, write the
draft, publish, revert) and as Noroshi keeps it: structured sections, a timeline, and a review
by a second person before anything is published (submit, sign off, return to draft).

Statuspage's single Markdown body maps onto the sections: written out, each non-empty section
is a `## Heading`; a draft sent with those headings fills the matching sections, and text
before any known heading (or a draft without them) becomes the summary."""

import re

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from incidents import selectors, services
from incidents.choices import DetectionMethod
from incidents.models import Incident, PostMortem
from incidents.models.postmortems import SECTION_LABELS, SECTIONS
from incidents.representations import PageContext, page_context
from statuspage.api_v1 import examples
from statuspage.api_v1.base import ManagementView, twin
from statuspage.api_v1.errors import Conflict
from statuspage.api_v1.incidents import incident_or_404
from statuspage.api_v1.objects import body_of
from statuspage.api_v1.schema import IDEMPOTENCY_KEY, READ_ERRORS, WRITE_ERRORS, errors, text
from statuspage.api_v1.serializers import Flag, Text

POSTMORTEM_PERMISSIONS = {
    "GET": "incidents.view_postmortem",
    "PUT": "incidents.change_postmortem",
    "PATCH": "incidents.change_postmortem",
    "DELETE": "incidents.change_postmortem",
}
HEADING = re.compile(r"^##\s+(.+?)\s*$", re.MULTILINE)


def sections_of(markdown: str) -> dict[str, str]:
    """A Markdown document split back into sections by their English headings; the text
    before any known heading is the summary. Every section is named, so a section the
    document no longer has is emptied."""
    by_label = {str(label).lower(): name for name, label in SECTION_LABELS.items()}
    sections = dict.fromkeys(SECTIONS, "")
    current, start = "summary", 0
    for match in HEADING.finditer(markdown):
        name = by_label.get(match[1].lower())
        if name is None:
            continue
        sections[current] = (sections[current] + "\n\n" + markdown[start : match.start()]).strip()
        current, start = name, match.end()
    sections[current] = (sections[current] + "\n\n" + markdown[start:]).strip()
    return sections


def postmortem_object(ctx: PageContext, postmortem: PostMortem) -> dict:
    published = postmortem.is_published
    body = body_of(postmortem)
    return {
        "preview_key": None,
        "body": body if published else None,
        "body_updated_at": ctx.time(postmortem.published_at),
        "body_draft": body,
        "body_draft_updated_at": ctx.time(postmortem.updated_at),
        "published_at": ctx.time(postmortem.published_at),
        "notify_subscribers": postmortem.notify_subscribers,
        "notify_twitter": False,
        "custom_tweet": None,
        "created_at": ctx.time(postmortem.created_at),
        "updated_at": ctx.time(postmortem.updated_at),
        # Noroshi's own.
        "status": postmortem.status,
        "detection_method": postmortem.detection_method or None,
        "sections": {name: getattr(postmortem, name) for name in SECTIONS},
        "sections_ja": {name: getattr(postmortem, f"{name}_ja") for name in SECTIONS},
        "submitted_at": ctx.time(postmortem.submitted_at),
        "reviewed_at": ctx.time(postmortem.reviewed_at),
        "timeline": [
            {"occurred_at": ctx.time(e.occurred_at), "text": e.text, "text_ja": e.text_ja}
            for e in postmortem.timeline_entries.all()
        ],
    }


class SectionsField(serializers.DictField):
    child = Text(allow_blank=True)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        unknown = sorted(set(value) - set(SECTIONS))
        if unknown:
            raise serializers.ValidationError(
                f"“{unknown[0]}” is not a section; use {', '.join(SECTIONS)}."
            )
        return value


class PostmortemFields(serializers.Serializer):
    body_draft = Text(allow_blank=True, required=False)
    sections = SectionsField(required=False)
    sections_ja = SectionsField(required=False)
    detection_method = serializers.ChoiceField(DetectionMethod.values, required=False)
    notify_subscribers = Flag(required=False)
    notify_twitter = Flag(required=False)
    custom_tweet = Text(allow_blank=True, required=False)


class PostmortemRequest(serializers.Serializer):
    postmortem = PostmortemFields(required=False)


class PostmortemObject(serializers.Serializer):
    preview_key = text(allow_null=True)
    body = text(allow_null=True)
    body_updated_at = serializers.DateTimeField(read_only=True, allow_null=True)
    body_draft = text()
    body_draft_updated_at = serializers.DateTimeField(read_only=True)
    published_at = serializers.DateTimeField(read_only=True, allow_null=True)
    notify_subscribers = serializers.BooleanField(read_only=True)
    notify_twitter = serializers.BooleanField(read_only=True)
    custom_tweet = text(allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    status = text()
    detection_method = text(allow_null=True)
    sections = serializers.DictField(child=serializers.CharField(), read_only=True)
    sections_ja = serializers.DictField(child=serializers.CharField(), read_only=True)
    submitted_at = serializers.DateTimeField(read_only=True, allow_null=True)
    reviewed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    timeline = serializers.ListField(
        child=serializers.DictField(child=serializers.CharField(allow_null=True)), read_only=True
    )


def postmortem_or_404(incident: Incident) -> PostMortem:
    postmortem = selectors.postmortem_for_incident(incident)
    if postmortem is None:
        raise NotFound("This incident has no post-mortem yet; PUT one to start it.")
    return postmortem


def answer(incident: Incident, *, created: bool = False) -> Response:
    body = postmortem_object(page_context(), postmortem_or_404(incident))
    return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def changes_of(fields: dict) -> dict:
    """The service's fields for what a request sent."""
    changes: dict = {}
    if "body_draft" in fields:
        changes.update(sections_of(fields["body_draft"]))
    changes.update(fields.get("sections", {}))
    changes.update({f"{k}_ja": v for k, v in fields.get("sections_ja", {}).items()})
    for name in ("detection_method", "notify_subscribers"):
        if name in fields:
            changes[name] = fields[name]
    return changes


class Postmortem(ManagementView):
    required_permissions = POSTMORTEM_PERMISSIONS

    @extend_schema(
        tags=["postmortem"],
        summary="Get an incident's post-mortem",
        responses={200: PostmortemObject, **READ_ERRORS},
        examples=[examples.response("Post-mortem", examples.POSTMORTEM)],
    )
    def get(self, request: Request, page_id: str, incident_id: str) -> Response:
        return answer(incident_or_404(incident_id))

    @extend_schema(
        tags=["postmortem"],
        summary="Start or change the post-mortem's draft",
        description=(
            "`body_draft` (Statuspage's single Markdown body) is split into the sections by "
            "their `## Heading`s; `sections` and `sections_ja` set them by name. The first PUT "
            "starts the post-mortem (the incident must be resolved), its timeline prefilled "
            "from the incident's updates and status history."
        ),
        responses={200: PostmortemObject, 201: PostmortemObject, **WRITE_ERRORS},
        examples=[
            examples.WRITE_DRAFT,
            examples.WRITE_SECTIONS,
            examples.response("Post-mortem", examples.POSTMORTEM),
        ],
        request=PostmortemRequest,
        parameters=[IDEMPOTENCY_KEY],
    )
    def put(self, request: Request, page_id: str, incident_id: str) -> Response:
        incident = incident_or_404(incident_id)
        body = PostmortemRequest(data=request.data)
        body.is_valid(raise_exception=True)
        fields = body.validated_data.get("postmortem", {})

        def write() -> Response:
            postmortem = selectors.postmortem_for_incident(incident)
            created = postmortem is None
            if postmortem is None:
                postmortem = services.start_postmortem(incident=incident, actor=request.user)
            changes = changes_of(fields)
            if changes:
                services.edit_postmortem(postmortem=postmortem, actor=request.user, **changes)
            return answer(incident, created=created)

        return self.write(request, write)

    patch = twin(put, summary="Change the post-mortem's draft (as PUT)", tags=["postmortem"])

    @extend_schema(
        tags=["postmortem"],
        summary="Refused: post-mortems are kept (revert a published one to draft instead)",
        responses={204: None, **WRITE_ERRORS, **errors(409)},
    )
    def delete(self, request: Request, page_id: str, incident_id: str) -> Response:
        postmortem_or_404(incident_or_404(incident_id))
        raise Conflict("Post-mortems are never deleted: revert a published one to draft instead.")


class PostmortemStep(ManagementView):
    """One step of the post-mortem's life: publish, revert, submit, sign_off, return_to_draft."""

    required_permissions = {"PUT": "incidents.change_postmortem"}
    step = ""

    def put(self, request: Request, page_id: str, incident_id: str) -> Response:
        incident = incident_or_404(incident_id)
        postmortem = postmortem_or_404(incident)
        body = PostmortemRequest(data=request.data)
        body.is_valid(raise_exception=True)
        fields = body.validated_data.get("postmortem", {})

        def write() -> Response:
            take_step(type(self).step, postmortem, fields, actor=request.user)
            return answer(incident)

        return self.write(request, write)


def take_step(step: str, postmortem: PostMortem, fields: dict, *, actor) -> None:
    if step == "publish":
        if "notify_subscribers" in fields:
            services.edit_postmortem(
                postmortem=postmortem, actor=actor, notify_subscribers=fields["notify_subscribers"]
            )
        services.publish_postmortem(postmortem=postmortem, actor=actor)
    elif step == "revert":
        services.unpublish_postmortem(postmortem=postmortem, actor=actor)
    elif step == "submit":
        services.submit_for_review(postmortem=postmortem, actor=actor)
    elif step == "sign_off":
        services.sign_off_review(postmortem=postmortem, reviewer=actor)
    elif step == "return_to_draft":
        services.return_to_draft(postmortem=postmortem, actor=actor)


def step_view(step: str, summary: str, description: str = ""):
    documented = extend_schema(
        tags=["postmortem"],
        summary=summary,
        description=description,
        responses={200: PostmortemObject, **WRITE_ERRORS},
        examples=[
            examples.PUBLISH if step == "publish" else examples.NO_BODY,
            examples.response("Post-mortem", examples.POSTMORTEM),
        ],
        request=PostmortemRequest,
        parameters=[IDEMPOTENCY_KEY],
    )(PostmortemStep.put)
    return type(f"Postmortem_{step}", (PostmortemStep,), {"step": step, "put": documented})


PublishPostmortem = step_view(
    "publish",
    "Publish the post-mortem (with `notify_subscribers`, announce it)",
    "Noroshi publishes only a post-mortem signed off by a reviewer other than the person who "
    "submitted it (see submit and sign_off).",
)
RevertPostmortem = step_view("revert", "Unpublish the post-mortem (back to draft)")
SubmitPostmortem = step_view("submit", "Submit the draft for review (Noroshi)")
SignOffPostmortem = step_view(
    "sign_off", "Sign off the review (Noroshi; not by the person who submitted it)"
)
ReturnPostmortem = step_view("return_to_draft", "Send a post-mortem in review back (Noroshi)")
