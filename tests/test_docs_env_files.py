"""The env files the docs give can be used as systemd's EnvironmentFile: systemd keeps a
"# …" written after a value as part of the value (TRUST_X_FORWARDED_PROTO=1  # note is then
silently off, and NOROSHI_TRUSTED_PROXIES=1  # note stops every process), so a comment is only
ever on a line of its own."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
ASSIGNMENT = re.compile(r"^\s*([A-Z][A-Z0-9_]*)=(.*)$")


def assignments(text: str) -> dict[str, str]:
    """NAME=value lines as systemd reads them: the value verbatim, trailing blanks dropped."""
    found = {}
    for line in text.splitlines():
        match = ASSIGNMENT.match(line)
        if match:
            found[match[1]] = match[2].rstrip()
    return found


def env_block_of_deployment_md() -> str:
    """The code block of docs/deployment.md that holds /etc/noroshi/env."""
    text = (ROOT / "docs" / "deployment.md").read_text()
    blocks = re.findall(r"```sh\n(.*?)```", text, re.S)
    return next(block for block in blocks if "SECRET_KEY=" in block)


def test_the_env_file_of_deployment_md_has_no_comment_after_a_value():
    values = assignments(env_block_of_deployment_md())
    assert values["TRUST_X_FORWARDED_PROTO"] == "1"
    assert values["NOROSHI_TRUSTED_PROXIES"] == "1"
    assert [name for name, value in values.items() if "#" in value] == []


def test_env_example_has_no_comment_after_a_value():
    values = assignments((ROOT / ".env.example").read_text())
    assert values["NOROSHI_TRUSTED_PROXIES"] == "0"
    assert [name for name, value in values.items() if "#" in value] == []
