"""The page's request body (`{"page": {…}}`): Statuspage's fields Noroshi has (name, url,
time_zone, support_url) and Noroshi's own settings (the update reminder interval and the
branding), each checked as the console checks it (incidents.branding), and the services a
change calls, their ValidationError under the request's names (`page.<field>`)."""

import base64
import binascii

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from incidents import services
from incidents.branding.colours import (
    normalized_colour,
    validate_brand_colour,
    validate_brand_colour_dark,
)
from incidents.branding.links import MAX_LABEL, MAX_LINKS, MAX_URL, web_address
from incidents.branding.logo import checked_logo
from incidents.models.incidents import MAX_UPDATE_REMINDER_MINUTES
from statuspage.api_v1.errors import from_django
from statuspage.api_v1.serializers import Text

LINK_KEYS = ("label", "label_ja", "url")


class BrandColour(Text):
    """A colour as #rrggbb (or #rgb, or without the #), stored as #rrggbb in lower case; empty
    or null: none."""

    def __init__(self, **kwargs):
        super().__init__(max_length=7, allow_blank=True, allow_null=True, required=False, **kwargs)

    def to_internal_value(self, data) -> str:
        try:
            return normalized_colour(super().to_internal_value(data))
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None


@extend_schema_field(
    {
        "type": "object",
        "properties": {key: {"type": "string"} for key in LINK_KEYS},
        "required": ["label", "url"],
    }
)
class LinkField(serializers.Field):
    """One header or footer link: {"label": …, "label_ja": … (may be empty), "url": …}."""

    def to_internal_value(self, data) -> dict[str, str]:
        if not isinstance(data, dict):
            raise serializers.ValidationError(
                'Send a link as {"label": …, "label_ja": …, "url": …}.', code="not_object"
            )
        link, errors = {}, {}
        for key in LINK_KEYS:
            value = data.get(key, "")
            problem = link_problem(key, value)
            if problem:
                errors[key] = [problem]
            else:
                link[key] = value.strip()
        if errors:
            raise serializers.ValidationError(errors)
        return link

    def to_representation(self, value):
        return value


def link_problem(key: str, value) -> str:
    """What is wrong with one part of a link ("" when nothing is)."""
    if not isinstance(value, str):
        return "Send text (a string)."
    value = value.strip()
    if not value and key != "label_ja":
        return "This field is required."
    if key == "url":
        try:
            if len(value) > MAX_URL:
                raise DjangoValidationError("too long")
            web_address(value)
        except DjangoValidationError:
            return f"Give a full http:// or https:// address of at most {MAX_URL} characters."
        return ""
    if len(value) > MAX_LABEL:
        return f"A label has at most {MAX_LABEL} characters."
    if "|" in value or "\n" in value or "\r" in value:
        return "Write the label on one line, without “|”."
    return ""


class Links(serializers.ListField):
    """Up to MAX_LINKS links; null or empty: none. A form-encoded body may number them:
    `page[header_links][0][label]=…`."""

    def __init__(self, **kwargs):
        super().__init__(
            child=LinkField(),
            max_length=MAX_LINKS,
            allow_empty=True,
            allow_null=True,
            required=False,
            error_messages={"max_length": f"At most {MAX_LINKS} links."},
            **kwargs,
        )

    def to_internal_value(self, data):
        if data == "":
            return []
        if isinstance(data, dict) and data and all(key.isascii() and key.isdigit() for key in data):
            data = [data[key] for key in sorted(data, key=int)]
        return super().to_internal_value(data)


class Logo(Text):
    """The logo's bytes as base64 (a `data:…;base64,` address too; line breaks are ignored),
    checked as an upload in the console is: an SVG or a PNG of at most 8 KB. Empty or null:
    remove the logo."""

    default_error_messages = {"not_base64": "Send the image's bytes as base64 text."}

    def __init__(self, **kwargs):
        super().__init__(allow_blank=True, allow_null=True, required=False, **kwargs)

    def to_internal_value(self, data) -> bytes:
        text = super().to_internal_value(data)
        if text.startswith("data:"):
            header, _comma, text = text.partition(",")
            if not header.endswith(";base64"):
                self.fail("not_base64")
        try:
            content = base64.b64decode("".join(text.split()), validate=True)
        except (binascii.Error, ValueError):
            self.fail("not_base64")
        try:
            checked_logo(content)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None
        return content


class PageFields(serializers.Serializer):
    name = Text(max_length=100, required=False)
    url = serializers.URLField(required=False)
    time_zone = Text(max_length=64, required=False)
    support_url = serializers.URLField(required=False, allow_blank=True)
    # Noroshi's own.
    update_reminder_minutes = serializers.IntegerField(
        min_value=0,
        max_value=MAX_UPDATE_REMINDER_MINUTES,
        required=False,
        help_text="Remind on-call when an open incident has had no public update for this "
        "many minutes, and again after each as many; 0: never.",
    )
    brand_colour = BrandColour(
        validators=[validate_brand_colour],
        help_text="The header's edge, the page's name and the Subscribe button; it must reach "
        "4.5:1 (WCAG AA) against white and the light header. Null: the page's own colours.",
    )
    brand_colour_dark = BrandColour(
        validators=[validate_brand_colour_dark],
        help_text="The same in dark mode, 4.5:1 against the dark page and header. Null: "
        "derived from brand_colour.",
    )
    header_links = Links(help_text="Up to 5 links in the page's header; http(s) only.")
    footer_links = Links(help_text="Up to 5 links in the page's footer; http(s) only.")
    logo = Logo(
        help_text="An SVG or PNG image of at most 8 KB, as base64. Scripts, links to other "
        "sites and metadata are removed from it, as from an upload in the console. Null: no "
        "logo."
    )


class PageRequest(serializers.Serializer):
    page = PageFields()


def change_page(*, actor, fields: dict) -> None:
    """Call the services the validated `fields` ask for: the settings, then the logo (each
    audited as the console's edits are). A service's ValidationError is raised under the
    request's names; the caller's transaction then writes nothing."""
    settings = {
        name: ("" if value is None else value)
        for name, value in fields.items()
        if name not in ("logo", "header_links", "footer_links")
    }
    settings |= {
        name: fields[name] or [] for name in ("header_links", "footer_links") if name in fields
    }
    try:
        services.edit_page_settings(actor=actor, **settings)
        if "logo" in fields:
            services.set_page_logo(data=fields["logo"] or None, actor=actor)
    except DjangoValidationError as error:
        raise ValidationError({"page": from_django(error).detail}) from None
