"""Make an uploaded SVG logo passive: rebuild it from an allow-list of elements and attributes.

Why not a library: the Python packages made for this are either a one-person binding of a Rust
crate or a self-declared prototype; a strict allow-list on the standard library's expat parser
is small enough to read in full, and it is what those do anyway. Why expat directly (not
ElementTree): its handlers let us refuse any entity declaration (billion laughs, external
entities) before anything is expanded, and never fetch anything.

What stays: shapes, paths, text, groups, gradients, clip paths and masks, with presentation
attributes, and `href`s that point inside the document (`#id`). What goes, silently: scripts,
`foreignObject`, event handlers (`on…`), any other element or attribute, comments, processing
instructions, and style text or values that reach outside the document (`url()` other than
`url(#…)`, at-rules but `@media`, escapes). What is refused: a file that is not well-formed
XML, whose root is not an SVG `<svg>`, that declares entities, or that is over the size limit.
"""

import re
from dataclasses import dataclass, field
from xml.parsers import expat
from xml.sax.saxutils import escape, quoteattr

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
XML = "http://www.w3.org/XML/1998/namespace"

ELEMENTS = frozenset(
    {
        "svg", "g", "defs", "title", "desc", "path", "rect", "circle", "ellipse", "line",
        "polyline", "polygon", "text", "tspan", "linearGradient", "radialGradient", "stop",
        "clipPath", "mask", "symbol", "use", "style",
    }
)  # fmt: skip
ATTRIBUTES = frozenset(
    {
        "id", "class", "style", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry",
        "fx", "fy", "fr", "dx", "dy", "d", "points", "width", "height", "viewBox",
        "preserveAspectRatio", "transform", "version", "offset", "gradientUnits",
        "gradientTransform", "spreadMethod", "clipPathUnits", "maskUnits", "maskContentUnits",
        "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-linecap",
        "stroke-linejoin", "stroke-miterlimit", "stroke-dasharray", "stroke-dashoffset",
        "stroke-opacity", "opacity", "clip-path", "clip-rule", "mask", "stop-color",
        "stop-opacity", "color", "display", "visibility", "paint-order", "vector-effect",
        "shape-rendering", "font-family", "font-size", "font-weight", "font-style",
        "text-anchor", "dominant-baseline", "letter-spacing", "textLength", "lengthAdjust",
        "role", "aria-label", "aria-hidden",
    }
)  # fmt: skip
LINKING = frozenset({"use", "linearGradient", "radialGradient"})  # may carry href="#id"
# A reference outside the document, or a way to spell one past a simple check.
# `@media` stays: a logo may carry its own colours for dark mode.
UNSAFE_STYLE = re.compile(
    r"@(?!media\b)|\\|<|expression|javascript:|url\s*\(\s*(?![\s'\"]*#)", re.I
)
INTERNAL_HREF = re.compile(r"#[A-Za-z_][\w.-]*")


@dataclass
class Element:
    name: str
    attributes: list[tuple[str, str]]
    children: list["Element | str"] = field(default_factory=list)


@dataclass
class SanitizedSvg:
    """The rebuilt document, and what was taken out (for the console and the tests)."""

    content: bytes
    removed: list[str]


def refuse(message, code: str, **params) -> ValidationError:
    return ValidationError(message, code=code, params=params)


class Rebuilder:
    """Feeds expat and keeps only what the allow-lists name."""

    def __init__(self) -> None:
        self.root: Element | None = None
        self.stack: list[Element | None] = []  # None: inside a dropped element
        self.removed: list[str] = []
        self.parser = expat.ParserCreate(namespace_separator=" ")
        self.parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.parser.EntityDeclHandler = self.entity_declared
        self.parser.ExternalEntityRefHandler = self.external_entity
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.CharacterDataHandler = self.text

    def entity_declared(self, *args) -> None:
        raise refuse(_("The SVG declares XML entities; save it without them."), "svg_entities")

    def external_entity(self, *args) -> int:
        raise refuse(_("The SVG refers to an external entity."), "svg_entities")

    def start(self, qualified: str, attributes: dict[str, str]) -> None:
        namespace, __, name = qualified.rpartition(" ")
        parent_dropped = bool(self.stack) and self.stack[-1] is None
        if self.root is None and not self.stack and (namespace, name) != (SVG, "svg"):
            raise refuse(_("The file is not an SVG image (its root is not <svg>)."), "not_svg")
        if parent_dropped or namespace != SVG or name not in ELEMENTS:
            if not parent_dropped:
                self.removed.append(f"<{name}>")
            self.stack.append(None)
            return
        element = Element(name, self.kept_attributes(name, attributes))
        if self.stack:
            parent = self.stack[-1]
            assert parent is not None
            parent.children.append(element)
        else:
            self.root = element
        self.stack.append(element)

    def end(self, qualified: str) -> None:
        self.stack.pop()

    def text(self, data: str) -> None:
        if self.stack and self.stack[-1] is not None:
            self.stack[-1].children.append(data)

    def kept_attributes(self, element: str, attributes: dict[str, str]) -> list[tuple[str, str]]:
        kept = []
        for qualified, value in attributes.items():
            namespace, __, name = qualified.rpartition(" ")
            if kept_attribute(element, namespace, name, value):
                kept.append((name if namespace != XML else f"xml:{name}", value))
            else:
                self.removed.append(f"{name}=")
        return kept


def kept_attribute(element: str, namespace: str, name: str, value: str) -> bool:
    if name == "href" and namespace in ("", XLINK):
        return element in LINKING and bool(INTERNAL_HREF.fullmatch(value.strip()))
    if namespace == XML:
        return name == "space"
    if namespace or name not in ATTRIBUTES:
        return False
    return not UNSAFE_STYLE.search(value)


def serialized(node: Element | str, removed: list[str]) -> str:
    if isinstance(node, str):
        return escape(node)
    if node.name == "style":
        css = "".join(child for child in node.children if isinstance(child, str))
        if UNSAFE_STYLE.search(css):
            removed.append("<style>")
            return ""
    attributes = "".join(f" {name}={quoteattr(value)}" for name, value in node.attributes)
    inner = "".join(serialized(child, removed) for child in node.children)
    return f"<{node.name}{attributes}>{inner}</{node.name}>"


def sanitized_svg(data: bytes, *, max_bytes: int) -> SanitizedSvg:
    """The SVG in `data`, rebuilt passive (see the module docstring).

    Raises ValidationError when it is refused.
    """
    if len(data) > max_bytes:
        raise refuse(
            _("The logo is %(size)s bytes; at most %(limit)s are accepted."),
            "too_big",
            size=len(data),
            limit=max_bytes,
        )
    rebuilder = Rebuilder()
    try:
        rebuilder.parser.Parse(data, True)
    except expat.ExpatError as error:
        raise refuse(
            _("The SVG is not well-formed XML (%(error)s)."), "svg_malformed", error=str(error)
        ) from None
    if rebuilder.root is None:
        raise refuse(_("The file is not an SVG image (its root is not <svg>)."), "not_svg")
    removed = rebuilder.removed
    root = rebuilder.root
    root.attributes = [(n, v) for n, v in root.attributes if n != "xmlns"]
    body = serialized(root, removed)
    # An href kept (on <use>, gradients) is written plain, as SVG 2 has it: no xlink needed.
    content = body.replace("<svg", f'<svg xmlns="{SVG}"', 1).encode()
    return SanitizedSvg(content=content, removed=removed)
