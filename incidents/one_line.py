"""Names and titles on one line. The console's inputs cannot hold a line break, but the API,
alert drafts and imports can, and a name that breaks a line splits an e-mail's subject, an
.ics SUMMARY or a Slack heading, and reads as two things on the page."""

import re

# What breaks a line (or jumps like one), with the spaces around it.
LINE_BREAKS = re.compile(r"\s*[\r\n\t\v\f\x1c-\x1e\x85\u2028\u2029]+\s*")


def one_line(value: str | None) -> str:
    """`value` on one line: each line break or tab, with the spaces around it, one space; the
    ends stripped. Other spaces, a full-width one in Japanese text, stay."""
    return LINE_BREAKS.sub(" ", value or "").strip()
