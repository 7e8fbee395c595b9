"""The management API's docs in real headless Chromium: Swagger UI renders every resource from
this site's own files, under the page's Content-Security-Policy, with no console error.
A screenshot lands in test-artifacts/."""

import pytest

from tests.chromium import chromium, screenshot

pytestmark = pytest.mark.e2e


def test_the_api_docs_render_under_the_content_security_policy(live_server):
    problems: list[str] = []
    outside: list[str] = []
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on(
            "request",
            lambda r: None if r.url.startswith(live_server.url) else outside.append(r.url),
        )
        page.goto(live_server.url + "/api/v1/docs/")
        page.wait_for_selector(".opblock-tag", timeout=20_000)
        tags = [t.strip() for t in page.locator(".opblock-tag").all_inner_texts()]
        operations = page.locator(".opblock").count()
        screenshot(page, "api-docs")

    assert {"incidents", "components", "component groups", "pages"} <= {
        t.split("\n")[0] for t in tags
    }
    assert operations >= 20
    assert outside == []
    assert problems == []
