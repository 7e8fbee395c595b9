"""An uploaded logo, whichever its format: told apart by its bytes (never by its name or the
browser's word for it), made passive, and named by a digest of what is stored."""

import hashlib
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from incidents.branding.png_logo import SIGNATURE, checked_png
from incidents.branding.svg_logo import sanitized_svg

# The logo is fetched on a visitor's first visit beside the page (about 12 KB gzipped): this
# keeps that first visit within its 20 KB budget.
MAX_LOGO_BYTES = 8 * 1024


class LogoType(models.TextChoices):
    SVG = "image/svg+xml", "SVG"
    PNG = "image/png", "PNG"


EXTENSIONS: dict[str, str] = {LogoType.SVG: "svg", LogoType.PNG: "png"}


@dataclass(frozen=True)
class Logo:
    content: bytes
    content_type: str
    removed: tuple[str, ...]

    @property
    def digest(self) -> str:
        return logo_digest(self.content)


def logo_digest(content: bytes) -> str:
    """The name a stored logo is served under: a new logo is a new address, so the old one may
    be cached for ever."""
    return hashlib.sha256(content).hexdigest()[:16]


def looks_like_svg(data: bytes) -> bool:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<?xml", b"<svg", b"<!--", b"<!doctype svg"))


def checked_logo(data: bytes) -> Logo:
    """The logo to store for an upload: a sanitized SVG or a checked PNG.

    Raises ValidationError for anything else, or when the file is refused.
    """
    if data.startswith(SIGNATURE):
        png = checked_png(data, max_bytes=MAX_LOGO_BYTES)
        return Logo(png.content, LogoType.PNG, tuple(png.removed))
    if looks_like_svg(data):
        svg = sanitized_svg(data, max_bytes=MAX_LOGO_BYTES)
        return Logo(svg.content, LogoType.SVG, tuple(svg.removed))
    raise ValidationError(_("The logo must be an SVG or a PNG image."), code="logo_format")
