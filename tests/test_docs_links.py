"""The README and the docs point only at files that are in the repository: a reader who
follows a link or a path finds what it names."""

import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
DOCUMENTS = sorted(
    [
        ROOT / "README.md",
        *ROOT.glob("docs/**/*.md"),
        *ROOT.glob("bench/**/README.md"),
        *ROOT.glob("deploy/**/*.md"),
    ]
)
LINK = re.compile(r"\]\(([^)#\s]+)")
# A file or folder written in code style from the repository's top level (API paths such as
# `incidents/unresolved.json` are addresses, not files: .json is left out).
TOP_LEVEL = ("statuspage/", "incidents/", "notify/", "tests/", "bench/", "docs/", "deploy/")
FILE_ENDING = r"(?:\.(?:py|md|txt|toml|ya?ml|conf|service|sh|html|css|js|ini)|/)"
STARTS = "|".join(map(re.escape, TOP_LEVEL))
CODE_PATH = re.compile(rf"`((?:{STARTS})[\w./-]*{FILE_ENDING})`")


def relative(document: Path) -> str:
    return str(document.relative_to(ROOT))


@pytest.mark.parametrize("document", DOCUMENTS, ids=relative)
def test_every_link_and_path_names_a_file_of_the_repository(document):
    text = document.read_text()
    missing = [
        target
        for target in LINK.findall(text)
        if not target.startswith(("http://", "https://", "mailto:"))
        and not (document.parent / target).exists()
    ]
    missing += [path for path in CODE_PATH.findall(text) if not (ROOT / path).exists()]
    assert missing == []
