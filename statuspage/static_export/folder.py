"""Publishing an export in one step: readers see the old folder or the new one, never half.

The export's path (DIR) is a symbolic link to a version folder beside it (`.DIR.<random>`).
Each export writes a new version folder in full, then replaces the link with one rename, which
is atomic on POSIX file systems: a web server, an `aws s3 sync` or `rclone` run reading DIR
follows either the old link or the new one. The version just replaced is kept until the next
export (a reader may still be in it); older ones are deleted.
"""

import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from statuspage.static_export.render import ExportError


def version_prefix(target: Path) -> str:
    return f".{target.name}."


def publish(files: Iterable[tuple[str, bytes]], target: Path) -> int:
    """Write `files` (relative path, content) into a new version folder beside `target`, then
    point `target` at it. Return how many files were written. Raises ExportError, leaving
    `target` as it was, when `target` is a folder or file this did not make; whatever raises
    while the files are written leaves it as it was too."""
    target = target.absolute()
    make_room(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    previous = os.readlink(target) if target.is_symlink() else None
    version = Path(tempfile.mkdtemp(prefix=version_prefix(target), dir=target.parent))
    try:
        count = write_files(files, version)
        version.chmod(0o755)  # mkdtemp's 0700 would hide it from the web server's user
        link = version.with_name(version.name + ".link")
        # Relative, so that the link and its versions can be moved or mounted together.
        link.symlink_to(version.name)
        os.replace(link, target)
    except BaseException:
        shutil.rmtree(version, ignore_errors=True)
        raise
    forget_old_versions(target, keep={version.name, previous or ""})
    return count


def write_files(files: Iterable[tuple[str, bytes]], root: Path) -> int:
    count = 0
    for name, content in files:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        count += 1
    return count


def make_room(target: Path) -> None:
    """An empty folder (made ready for the export) gives way to the link; anything else that
    is not a link is somebody's data, never replaced."""
    if target.is_symlink() or not target.exists():
        return
    if target.is_dir() and not any(target.iterdir()):
        target.rmdir()
        return
    raise ExportError(
        f"{target} exists and is not an export's link: remove it or choose another folder"
    )


def forget_old_versions(target: Path, *, keep: set[str]) -> None:
    for path in target.parent.glob(version_prefix(target) + "*"):
        if path.name not in keep and path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
