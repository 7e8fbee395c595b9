"""Update bodies are Markdown, rendered and sanitised: hostile input renders inert."""

import pytest

from incidents.rendering import render_markdown


def test_markdown_renders_the_usual_formatting():
    html = render_markdown(
        "We **rolled back** the [deploy](https://example.com/d).\n\n- one\n- two"
    )
    assert html == (
        '<p>We <strong>rolled back</strong> the <a href="https://example.com/d" '
        'rel="nofollow noopener noreferrer">deploy</a>.</p>\n'
        "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"
    )


@pytest.mark.parametrize(
    ("body", "forbidden"),
    [
        ("<script>alert(1)</script>", "<script"),
        ('<img src=x onerror="alert(1)">', "onerror"),
        ("[click](javascript:alert(1))", "javascript:"),
        ('<a href="javascript:alert(1)">x</a>', "javascript:"),
        ('<p style="position:fixed">x</p>', "style="),
        ('<iframe src="https://evil.example"></iframe>', "<iframe"),
        ("<svg onload=alert(1)>", "<svg"),
    ],
)
def test_hostile_markup_renders_inert(body, forbidden):
    assert forbidden not in render_markdown(body).lower()


def test_empty_body_renders_empty():
    assert render_markdown("") == ""
