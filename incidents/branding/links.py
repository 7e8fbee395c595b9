"""The header and footer links: a few (label, address) pairs, typed one per line in the console
as `Label | https://…` or `Label | 日本語のラベル | https://…`, stored as a JSON list."""

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

MAX_LINKS = 5
MAX_LABEL = 40
MAX_URL = 500
web_address = URLValidator(schemes=["http", "https"])


def link_error(number: int, message) -> ValidationError:
    return ValidationError(
        _("Line %(number)s: %(problem)s"),
        code="invalid_link",
        params={"number": number, "problem": message},
    )


def parsed_link(number: int, line: str) -> dict[str, str]:
    parts = [part.strip() for part in line.split("|")]
    if len(parts) not in (2, 3) or not all(parts):
        raise link_error(number, _("write “Label | https://…” (a Japanese label may go between)."))
    label, url = parts[0], parts[-1]
    label_ja = parts[1] if len(parts) == 3 else ""
    if max(len(label), len(label_ja)) > MAX_LABEL:
        raise link_error(number, _("a label has at most 40 characters."))
    try:
        if len(url) > MAX_URL:
            raise ValidationError("too long")
        web_address(url)
    except ValidationError:
        raise link_error(number, _("the address must be a full http:// or https:// URL.")) from None
    return {"label": label, "label_ja": label_ja, "url": url}


def parsed_links(text: str) -> list[dict[str, str]]:
    """The links typed in `text`, one per non-empty line. Raises ValidationError naming the
    first bad line, or when there are more than MAX_LINKS."""
    lines = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
    if len(lines) > MAX_LINKS:
        raise ValidationError(
            _("At most %(limit)s links."), code="too_many_links", params={"limit": MAX_LINKS}
        )
    return [parsed_link(number, line) for number, line in lines]


def links_text(links: list[dict[str, str]]) -> str:
    """The console's text for stored links (the inverse of parsed_links)."""
    return "\n".join(
        " | ".join(
            part
            for part in (link.get("label", ""), link.get("label_ja", ""), link.get("url", ""))
            if part
        )
        for link in links
    )


def validate_links(value) -> None:
    """Model validator for a stored list of links (as a service or an import writes it)."""
    keys = ("label", "label_ja", "url")
    if not isinstance(value, list) or not all(
        isinstance(item, dict) and all(isinstance(item.get(key, ""), str) for key in keys)
        for item in value
    ):
        raise ValidationError(_("Links must be a list."), code="invalid_links")
    parsed_links(links_text(value))
