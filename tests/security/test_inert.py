"""The checker of the XSS matrix sees what it must: each HTML payload written raw into a page,
or raw into an attribute, is a finding; the same text escaped is none."""

import pytest
from django.utils.html import escape

from tests.security.inert import html_findings, xml_findings
from tests.security.payloads import PAYLOADS

RUNS_IN_HTML = [
    "script", "img onerror", "html javascript link", "end of script in json", "svg with script",
    "iframe and style",
]  # fmt: skip


@pytest.mark.parametrize("name", RUNS_IN_HTML)
def test_a_payload_written_raw_is_found(name):
    assert html_findings(f"<p>{PAYLOADS[name]}</p>") != []
    assert html_findings(f"<p>{escape(PAYLOADS[name])}</p>") == []


@pytest.mark.parametrize("name", ["attribute breakout", "single-quote breakout"])
def test_an_attribute_breakout_written_raw_is_found(name):
    quote = '"' if name == "attribute breakout" else "'"
    assert html_findings(f"<a title={quote}{PAYLOADS[name]}{quote}>x</a>") != []
    assert html_findings(f'<a title="{escape(PAYLOADS[name])}">x</a>') == []


def test_our_own_scripts_and_json_pass():
    page = (
        '<script src="/static/statuspage/live.js" defer></script>'
        '<script id="c" type="application/json">{"a": "\\u003C/script\\u003E"}</script>'
    )
    assert html_findings(page) == []
    assert html_findings('<script src="https://cdn.example/x.js"></script>') != []
    assert html_findings('<a href=" java\tscript:alert(1)">x</a>') != []


def test_an_svg_with_a_handler_or_script_is_found():
    svg = '<svg xmlns="http://www.w3.org/2000/svg"><g onload="alert(1)"/><script>x</script></svg>'
    assert xml_findings(svg) == ["<g onload=…> event handler", "<script> element"]
    assert (
        xml_findings('<svg xmlns="http://www.w3.org/2000/svg"><text>&lt;x&gt;</text></svg>') == []
    )
