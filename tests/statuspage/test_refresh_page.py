"""`manage.py refresh_page`, run on each web host after a restore: this host's snapshots of the
public page are removed and the page stamp moved, so that no page cached or kept on disk from
before the restore is served again. With the cache unreachable it says so and fails, the
snapshots removed all the same."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from incidents.changes import forget_recent_stamp, page_changed_at
from statuspage import snapshots

pytestmark = pytest.mark.django_db


@pytest.fixture
def kept_pages(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    snapshots.write("public:overview:en", {"status": 200}, b"<p>before the restore</p>")
    snapshots.write("public:overview:ja", {"status": 200}, b"<p>before the restore</p>")
    return snapshots.snapshot_folder()


def test_the_snapshots_go_and_the_stamp_moves(kept_pages):
    before = page_changed_at()
    out = StringIO()

    call_command("refresh_page", stdout=out)

    assert list(kept_pages.glob("*.snap")) == []
    forget_recent_stamp()
    assert page_changed_at() > before
    assert out.getvalue().splitlines() == [
        f"Removed 2 snapshots of the public page from {kept_pages}.",
        "Moved the page stamp: every public page is rendered afresh from the database.",
    ]


def test_with_the_cache_unreachable_it_fails_saying_what_to_do(kept_pages, settings, tmp_path):
    broken = tmp_path / "cache"
    broken.write_bytes(b"")  # the file cache's folder is a file: every call fails
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(broken),
        }
    }
    settings.NOROSHI_CACHE_RETRY_SECONDS = 0

    with pytest.raises(CommandError) as raised:
        call_command("refresh_page", stdout=StringIO())

    assert str(raised.value) == (
        "The cache did not answer, so the page stamp was not moved: pages cached before the "
        "restore may still be served. Run refresh_page again once the cache answers."
    )
    assert list(kept_pages.glob("*.snap")) == []
