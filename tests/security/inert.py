"""Structural checks that hostile text stayed text: the document is parsed (HTML as a browser
tokenises it, XML by the standard library) and every place that could run code is listed —
a script element, an event-handler attribute, a javascript:, vbscript: or data: URL, a frame,
a <base> or a refresh. What Noroshi writes itself is named here and allowed; anything else is a
finding."""

import json
import re
from html import unescape
from html.parser import HTMLParser
from xml.etree import ElementTree

URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "xlink:href", "poster", "background", "cite",
    "data", "ping", "srcset", "codebase", "manifest",
}  # fmt: skip
NEVER_OURS = {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "math", "style"}
# Browsers drop these inside a URL before reading its scheme.
IGNORED_IN_URL = re.compile(r"[\x00-\x20\x7f]+")
RUNNING_SCHEMES = ("javascript:", "vbscript:", "data:")
# Our own scripts: the static files (relative to a page of the static export too), and the
# live page's config (json_script).
OUR_SCRIPT_SOURCE = re.compile(r"^(/|(\.\./)*)static/statuspage/[\w.-]+\.js$")
OUR_DATA_ICON = "data:image/svg+xml,"


def running_url(value: str) -> bool:
    cleaned = IGNORED_IN_URL.sub("", unescape(value)).lower()
    return cleaned.startswith(RUNNING_SCHEMES)


class Scanner(HTMLParser):
    """Collects what could run, as (tag, detail) findings."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.findings: list[str] = []
        self.script: dict | None = None
        self.script_text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.check(tag, dict((name, value or "") for name, value in attrs))
        if tag == "script":
            self.script, self.script_text = dict((n, v or "") for n, v in attrs), []

    handle_startendtag = handle_starttag

    def check(self, tag: str, attrs: dict[str, str]) -> None:
        if tag in NEVER_OURS:
            self.findings.append(f"<{tag}> element")
        if tag == "meta" and attrs.get("http-equiv", "").lower() == "refresh":
            self.findings.append("<meta http-equiv=refresh>")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.findings.append(f"<{tag} {name}=…> event handler")
            elif name in URL_ATTRIBUTES and running_url(value) and not our_icon(tag, attrs):
                self.findings.append(f"<{tag} {name}={value[:40]!r}> running URL")

    def handle_data(self, data):
        if self.script is not None:
            self.script_text.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self.script is not None:
            self.check_script(self.script, "".join(self.script_text))
            self.script = None

    def check_script(self, attrs: dict[str, str], text: str) -> None:
        if attrs.get("type") == "application/json":
            try:
                json.loads(text)
            except ValueError:
                self.findings.append(f"<script type=application/json> not JSON: {text[:60]!r}")
            return
        if text.strip() or not OUR_SCRIPT_SOURCE.match(attrs.get("src", "")):
            self.findings.append(f"<script src={attrs.get('src')!r}> {text[:60]!r}")


def our_icon(tag: str, attrs: dict[str, str]) -> bool:
    """The tab icon in the page's status colour (statuspage.branding), a data: SVG we draw."""
    href = attrs.get("href", "")
    return (
        tag == "link"
        and attrs.get("rel") == "icon"
        and href.startswith(OUR_DATA_ICON)
        and not re.search(r"script|%3Cscript|on\w+%3D|on\w+=", href, re.IGNORECASE)
    )


def html_findings(html: str | bytes) -> list[str]:
    """What could run in `html`."""
    scanner = Scanner()
    scanner.feed(html.decode() if isinstance(html, bytes) else html)
    scanner.close()
    if scanner.script is not None:
        scanner.findings.append("an unclosed <script>")
    return scanner.findings


def assert_inert_html(html: str | bytes, where: str) -> None:
    assert html_findings(html) == [], where


def xml_findings(document: str | bytes) -> list[str]:
    """What could run in an XML document (an SVG badge, a feed): script elements, event
    handlers, running URLs, foreign objects. ParseError when it is not XML at all."""
    root = ElementTree.fromstring(document)
    findings = []
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1].lower()
        if tag in {"script", "foreignobject", "iframe", "handler"}:
            findings.append(f"<{tag}> element")
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1].lower()
            if local.startswith("on"):
                findings.append(f"<{tag} {local}=…> event handler")
            elif local in URL_ATTRIBUTES and running_url(value):
                findings.append(f"<{tag} {local}={value[:40]!r}> running URL")
    return findings
