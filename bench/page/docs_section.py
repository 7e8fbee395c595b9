"""A benchmark's own section of docs/benchmarks.md: between its begin and end markers, an
introduction, then the newest runs first, the last few kept to show run-to-run variation.
The rest of the file is left as it is. Used by bench/page and bench/fanout."""

import re
from dataclasses import dataclass
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs" / "benchmarks.md"


@dataclass(frozen=True)
class Section:
    begin: str
    end: str
    run: str
    intro: str
    kept_runs: int = 4


def write_run(section: Section, run_markdown: str, docs: Path = DOCS) -> Path:
    """Put one run's markdown first in the section (made at the end when missing)."""
    text = docs.read_text() if docs.exists() else "# Benchmarks\n\n"
    found = re.search(re.escape(section.begin) + r"(.*?)" + re.escape(section.end), text, re.DOTALL)
    old_runs = found.group(1).split(section.run)[1:] if found else []
    runs = [run_markdown, *(old.strip("\n") + "\n" for old in old_runs)][: section.kept_runs]
    block = (
        section.begin
        + "\n"
        + section.intro
        + "".join(f"\n{section.run}\n{item}" for item in runs)
        + "\n"
        + section.end
    )
    if found:
        text = text[: found.start()] + block + text[found.end() :]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    docs.write_text(text)
    return docs
