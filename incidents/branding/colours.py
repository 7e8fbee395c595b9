"""Brand colours and WCAG 2 contrast.

The brand colour fills the page's main button (its text is white in light mode, the page's
dark background in dark mode), marks the header and colours the page's name in the header. So in
light mode it must reach 4.5:1 (WCAG AA for text) against white and the light header, and in
dark mode against the dark background and the dark header. No colour reaches 4.5:1 against both
white and near-black, so dark mode has a colour of its own: given by the page, or else derived
from the light one by mixing in white until it reaches the ratio.

The page's own colours here must stay those of statuspage/static/statuspage/page.css (a test
compares them).
"""

import math
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

AA_TEXT = 4.5
LIGHT_BACKGROUND = "#ffffff"
LIGHT_HEADER = "#f6f8fa"
DARK_BACKGROUND = "#0d1117"
DARK_HEADER = "#161b22"
HEX_COLOUR = re.compile(r"#(?:[0-9a-f]{3}|[0-9a-f]{6})")


@dataclass(frozen=True)
class Mode:
    """The colours a brand colour meets in one colour scheme, named for error messages."""

    name: str
    against: tuple[tuple[str, object], ...]  # (colour, its description)
    advice: object


LIGHT = Mode(
    name="light",
    against=(
        (LIGHT_BACKGROUND, _("white (the light page and the text on the button)")),
        (LIGHT_HEADER, _("the light header (#f6f8fa)")),
    ),
    advice=_("Choose a darker colour."),
)
DARK = Mode(
    name="dark",
    against=(
        (DARK_BACKGROUND, _("the dark page (#0d1117, also the text on the button)")),
        (DARK_HEADER, _("the dark header (#161b22)")),
    ),
    advice=_("Choose a lighter colour, or leave the dark-mode colour empty to have one derived."),
)


def normalized_colour(value: str) -> str:
    """`value` as #rrggbb in lower case; ValidationError when it is no hex colour."""
    text = value.strip().lower()
    if not text.startswith("#"):
        text = "#" + text
    if not HEX_COLOUR.fullmatch(text):
        raise ValidationError(
            _("“%(value)s” is not a colour: write it as #rrggbb, e.g. #0550ae."),
            code="invalid_colour",
            params={"value": value},
        )
    if len(text) == 4:
        text = "#" + "".join(digit * 2 for digit in text[1:])
    return text


def relative_luminance(colour: str) -> float:
    """WCAG 2's relative luminance of a #rrggbb colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(a: str, b: str) -> float:
    high, low = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def shown_ratio(ratio: float) -> str:
    """A ratio for people, rounded down: 4.499 must not read as 4.5."""
    return f"{math.floor(ratio * 100) / 100:.2f}"


def check_contrast(colour: str, mode: Mode) -> None:
    """Raise ValidationError naming the first colour of `mode` that `colour` fails against."""
    for other, description in mode.against:
        ratio = contrast_ratio(colour, other)
        if ratio < AA_TEXT:
            raise ValidationError(
                _(
                    "%(colour)s reaches only %(ratio)s:1 against %(against)s in %(mode)s mode; "
                    "WCAG AA asks for at least 4.5:1. %(advice)s"
                ),
                code="low_contrast",
                params={
                    "colour": colour,
                    "ratio": shown_ratio(ratio),
                    "against": description,
                    "mode": _("light") if mode is LIGHT else _("dark"),
                    "advice": mode.advice,
                },
            )


def validate_brand_colour(value: str) -> None:
    """The light-mode brand colour (model validator)."""
    check_contrast(normalized_colour(value), LIGHT)


def validate_brand_colour_dark(value: str) -> None:
    """The dark-mode brand colour (model validator)."""
    check_contrast(normalized_colour(value), DARK)


def mix(colour: str, other: str, share: float) -> str:
    """`colour` with `share` (0–1) of `other` mixed in, channel by channel."""
    channels = [
        round(int(colour[i : i + 2], 16) * (1 - share) + int(other[i : i + 2], 16) * share)
        for i in (1, 3, 5)
    ]
    return "#" + "".join(f"{c:02x}" for c in channels)


def meets(colour: str, mode: Mode) -> bool:
    return all(contrast_ratio(colour, other) >= AA_TEXT for other, __ in mode.against)


def dark_variant(colour: str) -> str:
    """The dark-mode colour derived from a light-mode one: the least white mixed in (in steps
    of 5 %) that reaches AA on the dark page. White itself always does."""
    for step in range(21):
        candidate = mix(colour, "#ffffff", step / 20)
        if meets(candidate, DARK):
            return candidate
    return "#ffffff"
