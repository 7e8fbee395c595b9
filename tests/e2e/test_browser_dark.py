"""The demo page, branded, in real headless Chromium, light and dark (the visitor's system
preference, emulated as Emulation.setEmulatedMedia does): on every public page the text that
shows reaches WCAG AA against what it is drawn on, status colours stand out from the page, the
brand colour fills the button, and nothing is styled inline. Screenshots of `/` in both
schemes, both languages, on a desktop and a phone (for docs/screenshots/, which README links,
with NOROSHI_DOC_SCREENSHOTS=1)."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command

from incidents import services
from incidents.models import Incident
from tests.chromium import chromium

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SCHEMES = {"light": "rgb(255, 255, 255)", "dark": "rgb(13, 17, 23)"}
# A wordmark with its own dark-mode colours, and a script and a handler the upload strips.
LOGO = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 40" width="200" height="40" '
    b'onload="alert(1)"><script>alert(2)</script><style>.t{fill:#1f2328}'
    b"@media (prefers-color-scheme: dark){.t{fill:#e6edf3}}</style>"
    b'<rect width="40" height="40" rx="9" fill="#6f42c1"/>'
    b'<path d="M20 7c6 7 9 12 9 17a9 9 0 0 1-18 0c0-5 3-10 9-17z" fill="#fff"/>'
    b'<text class="t" x="50" y="27" font-family="system-ui, sans-serif" font-size="19" '
    b'font-weight="700">Hoshizora</text></svg>'
)
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}

# Each visible text node's colour against the first opaque background behind it (up the tree),
# and each status swatch or bar day against the page behind it; the failures, as text.
CONTRAST_FAILURES = """() => {
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(c => c / 255)
    .map(c => c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)
    .reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i], 0);
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05); };
  const behind = el => { for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || c[3] > 0) return c.slice(0, 3); }
    return [255, 255, 255]; };
  const shown = el => { const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return r.width > 2 && r.height > 2 && s.visibility !== "hidden"; };
  const failures = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.textContent.trim() || !shown(el)) continue;
    const s = getComputedStyle(el);
    const size = parseFloat(s.fontSize);
    const large = size >= 24 || (size >= 18.66 && s.fontWeight >= 700);
    const got = ratio(rgb(s.color), behind(el));
    const text = node.textContent.trim().slice(0, 30);
    if (got < (large ? 3 : 4.5))
      failures.push(`${el.tagName}.${el.className} "${text}" ${got.toFixed(2)}`);
  }
  for (const el of document.querySelectorAll(".bar > li, .swatch, .status")) {
    if (!shown(el)) continue;
    const style = getComputedStyle(el);
    const own = rgb(el.matches(".status") ? style.color : style.backgroundColor);
    const got = ratio(own, behind(el.parentElement));
    if (got < 3) failures.push(`${el.tagName}.${el.className} ${got.toFixed(2)}`);
  }
  return failures;
}"""


# Each refusal of the page's Content-Security-Policy, as the page hears of it.
LISTEN_FOR_VIOLATIONS = """
window.violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.violations.push(`${event.effectiveDirective} ${event.blockedURI}`);
});
"""
ONE_STYLE_IN_HEAD = """document.querySelectorAll('[style]').length === 0
  && document.querySelectorAll('style').length === 1
  && document.querySelector('style').parentElement === document.head"""


def url_of(page) -> str:
    return page.url.split("/", 3)[0] + "//" + page.url.split("/", 3)[2]


def watched(page):
    """`page`, recording its policy's refusals (window.violations) and console errors."""
    page.add_init_script(LISTEN_FOR_VIOLATIONS)
    page.errors = []
    page.on(
        "console",
        lambda m: page.errors.append((m.location["url"], m.text)) if m.type == "error" else None,
    )
    return page


@pytest.fixture
def branded_demo(live_server):
    call_command("seed_demo", verbosity=0)
    services.edit_page_settings(
        brand_colour="#6f42c1",
        header_links=[{"label": "Home", "label_ja": "ホーム", "url": "https://example.com/"}],
        footer_links=[{"label": "Privacy", "label_ja": "", "url": "https://example.com/p"}],
    )
    services.set_page_logo(data=LOGO)
    incident = Incident.objects.filter(postmortem__status="published").first()
    paths = ["/", "/history", "/maintenance", "/uptime", "/subscribe", "/incidents/nosuchthing"]
    if incident is not None:
        paths += [f"/incidents/{incident.public_id}", f"/incidents/{incident.public_id}/postmortem"]
    return live_server.url, paths


@pytest.fixture
def browser(branded_demo):
    with chromium() as launched:
        yield launched


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_public_page_reaches_aa_in_both_schemes(branded_demo, browser, scheme):
    url, paths = branded_demo
    page = watched(browser.new_page(viewport=SIZES["desktop"]))
    page.emulate_media(color_scheme=scheme)
    for language in ("en", "ja"):
        for path in paths:
            separator = "&" if "?" in path else "?"
            page.goto(f"{url}{path}{separator}lang={language}")
            body = page.evaluate("getComputedStyle(document.body).backgroundColor")
            assert body == SCHEMES[scheme], path
            assert page.evaluate(CONTRAST_FAILURES) == [], (scheme, language, path)
            # The brand colours are the page's one <style>, which its policy lets apply.
            assert page.evaluate(ONE_STYLE_IN_HEAD), path
            assert page.evaluate("window.violations") == [], path
    # The one answer that is an error is the page that does not exist, itself.
    assert {url.split("?")[0].removeprefix(url_of(page)) for url, _ in page.errors} <= {
        "/incidents/nosuchthing"
    }


@pytest.mark.parametrize(
    ("scheme", "fill", "text"),
    [
        ("light", "rgb(111, 66, 193)", "rgb(255, 255, 255)"),
        ("dark", "rgb(147, 113, 208)", "rgb(13, 17, 23)"),  # derived: #9371d0
    ],
)
def test_the_brand_colour_fills_the_button_and_the_logo_loads(
    branded_demo, browser, scheme, fill, text
):
    url, _ = branded_demo
    page = watched(browser.new_page())
    page.emulate_media(color_scheme=scheme)
    page.goto(url + "/")
    assert page.evaluate("window.violations") == []
    assert page.errors == []
    button = page.locator("header a.button")
    assert button.evaluate("b => getComputedStyle(b).backgroundColor") == fill
    assert button.evaluate("b => getComputedStyle(b).color") == text
    logo = page.locator("header a.brand img")
    assert logo.evaluate("img => img.complete && img.naturalWidth === 200")
    assert logo.get_attribute("alt") == "Hoshizora Cloud"


@pytest.mark.parametrize("language", ["en", "ja"])
def test_screenshots_of_the_overview_for_the_docs(branded_demo, browser, language, tmp_path):
    """Into the test's tmp_path; into docs/screenshots/ only when asked
    (NOROSHI_DOC_SCREENSHOTS=1), so that a test run leaves the checkout as it was."""
    url, _ = branded_demo
    folder = DOCS if os.environ.get("NOROSHI_DOC_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    for scheme in SCHEMES:
        for size, viewport in SIZES.items():
            page = browser.new_page(viewport=viewport, locale=language, color_scheme=scheme)
            page.goto(f"{url}/?lang={language}")
            page.wait_for_function("document.querySelector('header img').complete")
            path = folder / f"page-{scheme}-{language}-{size}.png"
            page.screenshot(path=str(path))
            assert path.stat().st_size > 10_000
            page.close()
