"""Hostile text, as an attacker (or a careless colleague) would type it into any field a visitor
or a subscriber reads. A payload that ran in a browser would set `window.noroshiXss` or open a
dialog: the browser test (tests/e2e/test_browser_hostile.py) looks for both."""

MARK = "noroshiXss"

PAYLOADS = {
    "script": f'<script>window.{MARK}="script"</script>',
    "img onerror": f"<img src=x onerror=\"window.{MARK}='img'\">",
    "markdown javascript link": f"[click](javascript:window.{MARK}=1)",
    "markdown data link": "[open](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "markdown javascript image": f"![x](javascript:window.{MARK}=1)",
    "html javascript link": f'<a href="JaVaScRiPt:window.{MARK}=1">x</a>',
    "end of script in json": f'</script><script>window.{MARK}="json"</script><!--',
    "attribute breakout": f'" onmouseover="window.{MARK}=1" autofocus onfocus="alert(1)" x="',
    "single-quote breakout": f"' onfocus='window.{MARK}=1' autofocus x='",
    "svg with script": f'<svg onload="window.{MARK}=1"><script>window.{MARK}=2</script></svg>',
    "iframe and style": '<iframe src="javascript:alert(1)"></iframe><style>*{color:red}</style>',
    "crlf": "Down\r\nBEGIN:VEVENT\r\nSUMMARY:injected\r\nEND:VEVENT\r\nBcc: victim@example.com",
    "slack control": "<!channel> <!here> <@U123> <http://evil.example|Click to fix>",
    "formula": '=HYPERLINK("http://evil.example","x")',
}

# A URL field holds a URL: these are refused by every link field, whatever the case or the
# whitespace a browser would ignore in it.
HOSTILE_SCHEMES = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "//evil.example/x",
]
# A URL that is a URL, with a quote to break out of the attribute it is written in.
BREAKOUT_URL = 'https://evil.example/"onmouseover="alert(1)'


def single_line(payload: str) -> str:
    """The payload as a one-line field (a name) keeps it: CR and LF as spaces."""
    return payload.replace("\r", " ").replace("\n", " ")


def joined(limit: int) -> str:
    """As many whole payloads as fit in `limit` characters, one after another."""
    text = ""
    for payload in PAYLOADS.values():
        if len(text) + len(payload) + 1 > limit:
            break
        text += payload + " "
    return text.strip()


def every_payload() -> str:
    """All the payloads in one text (a Markdown body), a paragraph each."""
    return "\n\n".join(PAYLOADS.values())
