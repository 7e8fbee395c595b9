"""One first visit in Debian's headless Chromium (launched as tests/chromium.py does), with an
empty cache: every request and its bytes as the network reported them, what blocked rendering,
and when the page first painted.

Bytes are Chromium's own count (CDP `Network.loadingFinished.encodedDataLength`, which
Playwright reports as `sizes()`): the response headers plus the body as sent, compressed when
it was. A visit ends when the network has been idle for 500 ms after `load`; the live page's
first poll of /api/v2/summary.json comes 30 s later and is not part of it.
"""

import os
import shutil
import statistics
from dataclasses import dataclass, field
from urllib.parse import urlsplit

CHROMIUM = os.environ.get("NOROSHI_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# The same switches as tests/chromium.py: nothing in the background that would add requests.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCALES = {"en": "en-US", "ja": "ja-JP"}
VIEWPORT = {"width": 1280, "height": 800}

# Read once the network is idle. The paint entry can come after `load`, so it is awaited
# (5 s at most). renderBlockingStatus is Chromium's own verdict on each resource; the DOM scan
# says why: a classic script in <head> without defer/async, or a stylesheet.
PAGE_FACTS = """
() => new Promise((resolve) => {
  const paint = () => performance.getEntriesByName("first-contentful-paint")[0];
  const answer = () => resolve({
    fcp: paint() ? paint().startTime : null,
    lang: document.documentElement.lang,
    blocking: performance.getEntriesByType("resource")
      .filter((entry) => entry.renderBlockingStatus === "blocking")
      .map((entry) => entry.name),
    headScripts: [...document.head.querySelectorAll("script")]
      .filter((s) => !s.type || /javascript|module/.test(s.type))
      .map((s) => ({src: s.src || "(inline)", defer: s.defer, async: s.async,
                    module: s.type === "module"})),
    stylesheets: [...document.querySelectorAll('link[rel~="stylesheet"]')]
      .map((link) => ({href: link.href, media: link.media || "all"})),
  });
  if (paint()) { answer(); return; }
  new PerformanceObserver(() => { if (paint()) answer(); })
    .observe({type: "paint", buffered: true});
  setTimeout(answer, 5000);
})
"""


@dataclass
class Fetched:
    path: str
    kind: str
    status: int
    encoding: str
    header_bytes: int
    body_bytes: int
    cache: str = ""

    @property
    def transferred(self) -> int:
        return self.header_bytes + self.body_bytes


@dataclass
class Visit:
    language: str
    fetched: list[Fetched]
    fcp_ms: float | None
    html_lang: str
    blocking: list[str]
    blocking_scripts: list[str]
    stylesheets: list[str]
    failed: list[str] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return len(self.fetched) + len(self.failed)

    @property
    def transferred(self) -> int:
        return sum(item.transferred for item in self.fetched)


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def fetched(request) -> Fetched:
    response = request.response()
    headers = response.all_headers() if response else {}
    sizes = request.sizes()
    return Fetched(
        path=path_of(request.url),
        kind=request.resource_type,
        status=response.status if response else 0,
        encoding=headers.get("content-encoding", ""),
        header_bytes=sizes["responseHeadersSize"],
        body_bytes=sizes["responseBodySize"],
        cache=headers.get("x-cache-status", ""),
    )


def first_visit(browser, url: str, language: str) -> Visit:
    """Open `url` in a new context (empty cache, no cookies) in `language`."""
    context = browser.new_context(locale=LOCALES[language], viewport=VIEWPORT)
    try:
        page = context.new_page()
        started, finished, failed = [], set(), []
        network = ("http:", "https:")
        page.on("request", lambda r: started.append(r) if r.url.startswith(network) else 0)
        page.on("requestfinished", lambda r: finished.add(r))
        page.on("requestfailed", lambda r: failed.append(r.url) if r.url.startswith(network) else 0)
        page.goto(url, wait_until="load")
        page.wait_for_load_state("networkidle")
        facts = page.evaluate(PAGE_FACTS)
        return Visit(
            language=language,
            fetched=[fetched(request) for request in started if request in finished],
            fcp_ms=facts["fcp"],
            html_lang=facts["lang"],
            blocking=[path_of(name) for name in facts["blocking"]],
            blocking_scripts=[
                path_of(script["src"])
                for script in facts["headScripts"]
                if not (script["defer"] or script["async"] or script["module"])
            ],
            stylesheets=[path_of(sheet["href"]) for sheet in facts["stylesheets"]],
            failed=[path_of(address) for address in failed],
        )
    finally:
        context.close()


@dataclass
class Series:
    """The visits of one release, scenario and language."""

    release: str
    scenario: str
    language: str
    visits: list[Visit] = field(default_factory=list)

    @property
    def last(self) -> Visit:
        return self.visits[-1]

    @property
    def fcp_ms(self) -> float | None:
        paints = [visit.fcp_ms for visit in self.visits if visit.fcp_ms is not None]
        return statistics.median(paints) if paints else None

    @property
    def fcp_range(self) -> tuple[float, float] | None:
        paints = [visit.fcp_ms for visit in self.visits if visit.fcp_ms is not None]
        return (min(paints), max(paints)) if paints else None

    @property
    def most_requests(self) -> int:
        return max(visit.requests for visit in self.visits)

    @property
    def most_transferred(self) -> int:
        return max(visit.transferred for visit in self.visits)


def launch(playwright):
    if not os.access(CHROMIUM, os.X_OK):
        raise SystemExit(f"No Chromium at {CHROMIUM}: apt-get install -y chromium")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
