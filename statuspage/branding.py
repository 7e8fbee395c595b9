"""The page's branding as the public pages use it: the logo's address, the brand colours'
style, the header and footer links in the visitor's language, and the tab icon.

The logo's address carries a digest of its bytes, so that it can be cached for a year: a new
logo is a new address, and the pages, which are rebuilt on every change, name the new one.
The brand colours are two lines of CSS in the page's own <style>, which its
Content-Security-Policy allows by their hash and nothing else (statuspage.page_frame sets it
on the response, so that every cache keeps the policy with the body it belongs to): no request,
nothing to block the first rendering but page.css. Without a brand colour there is no style and
no hash. The tab icon is an SVG in a data: address, coloured by the page's status on the
overview: it costs no request, and it is cached with the page it belongs to.

The public site's views and notify's pages both use this (through statuspage.page_frame), so it
imports neither.
"""

import base64
import hashlib
from dataclasses import dataclass
from urllib.parse import quote

from django.urls import reverse

from incidents.branding.colours import HEX_COLOUR, dark_variant
from incidents.branding.logo import EXTENSIONS
from incidents.models import PageSettings

# The page's colours for each roll-up indicator (page.css's status colours, light palette).
INDICATOR_COLOURS = {
    "none": "#1a7f37",
    "minor": "#9a6700",
    "major": "#bc4c00",
    "critical": "#cf222e",
    "maintenance": "#0969da",
}
DEFAULT_ICON_COLOUR = "#0550ae"  # page.css's link colour
# The white mark inside the tab icon, per indicator: a tick, a bar and dot, a clock's hands.
ICON_MARKS = {
    "none": "<path d='M9.5 16.5l4.5 4.5 9-10' fill='none' stroke='#fff' stroke-width='3.4'/>",
    "maintenance": "<path d='M16 9v8l5 3' fill='none' stroke='#fff' stroke-width='3.4'/>",
    "issue": "<path d='M16 8v10' stroke='#fff' stroke-width='3.6'/>"
    "<circle cx='16' cy='23.5' r='2.1' fill='#fff'/>",
}


@dataclass(frozen=True)
class BrandLink:
    label: str
    url: str


@dataclass(frozen=True)
class Brand:
    """What base.html needs of the branding (empty strings: not set)."""

    logo_url: str
    style: str  # the brand colours as CSS, for the page's <style>
    style_source: str  # its hash as a CSP source ('sha256-…'), for style-src
    colour: str
    header_links: list[BrandLink]
    footer_links: list[BrandLink]


def colours_of(page: PageSettings) -> tuple[str, str] | None:
    """The brand colour for light and for dark mode (derived when the page gives none)."""
    if not page.brand_colour:
        return None
    return page.brand_colour, page.brand_colour_dark or dark_variant(page.brand_colour)


def brand_style(colours: tuple[str, str]) -> str:
    """The CSS that hands the brand colours to page.css's brand rules. Colours are checked
    when stored (incidents.branding.colours); one that is not a plain hex colour gives no style,
    so that nothing in it is ever escaped: the hash is of the text as the page carries it."""
    if not all(HEX_COLOUR.fullmatch(colour) for colour in colours):
        return ""
    light, dark = colours
    return (
        f":root{{--brand:{light};--on-brand:#ffffff}}"
        f"@media (prefers-color-scheme: dark){{:root{{--brand:{dark};--on-brand:#0d1117}}}}"
    )


def style_source(style: str) -> str:
    """`style` (the text of a <style> element) as a Content-Security-Policy source."""
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    return f"'sha256-{digest}'"


def localized_links(links: list[dict], language: str) -> list[BrandLink]:
    japanese = language.split("-")[0] == "ja"
    return [
        BrandLink((japanese and link.get("label_ja")) or link["label"], link["url"])
        for link in links
    ]


def brand_of(page: PageSettings, language: str) -> Brand:
    """The branding of `page` for a page in `language`."""
    logo_url = ""
    if page.logo_digest:
        extension = EXTENSIONS.get(page.logo_type, "")
        logo_url = reverse("public:logo", args=[page.logo_digest, extension])
    colours = colours_of(page)
    style = brand_style(colours) if colours else ""
    return Brand(
        logo_url=logo_url,
        style=style,
        style_source=style_source(style) if style else "",
        colour=page.brand_colour,
        header_links=localized_links(page.header_links or [], language),
        footer_links=localized_links(page.footer_links or [], language),
    )


def icon_svg(colour: str, mark: str = "") -> str:
    return (
        "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'>"
        f"<circle cx='16' cy='16' r='15' fill='{colour}'/>{mark}</svg>"
    )


def status_icon_svg(indicator: str) -> str:
    """The tab icon for a roll-up indicator: its colour, and a mark so that it is told apart
    without colour too."""
    colour = INDICATOR_COLOURS.get(indicator, INDICATOR_COLOURS["none"])
    mark = ICON_MARKS.get(indicator, ICON_MARKS["issue"])
    return icon_svg(colour, mark)


def icon_href(brand: Brand | None, indicator: str = "") -> str:
    """The data: address of the tab icon: the status's on the overview, else the brand's.

    Percent-encoded but for a few characters that need no escaping in a double-quoted
    attribute (the SVG quotes with '), so that it may be written into the page as it is.
    """
    colour = (brand.colour if brand else "") or DEFAULT_ICON_COLOUR
    svg = status_icon_svg(indicator) if indicator else icon_svg(colour)
    return "data:image/svg+xml," + quote(svg, safe=":/='.,-")
