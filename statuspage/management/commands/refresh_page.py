"""`manage.py refresh_page`: after a restore or an upgrade, on each web host, stop serving the
public page as it was before. Removes this host's snapshots of the public page (var/snapshots,
the last good renderings served while the database is down) and moves the page stamp in the
shared cache, so that every cached page is rendered afresh from the database."""

import time

from django.core.management.base import BaseCommand, CommandError

from incidents.changes import move_page_stamp
from incidents.shared_cache import CacheDown
from statuspage import snapshots


class Command(BaseCommand):
    help = (
        "Remove this host's snapshots of the public page and move the page stamp, so that "
        "nothing cached before a restore or an upgrade is served again."
    )

    def handle(self, *args, **options):
        removed = snapshots.clear()
        folder = snapshots.snapshot_folder()
        self.stdout.write(f"Removed {removed} snapshots of the public page from {folder}.")
        try:
            move_page_stamp(time.time())
        except CacheDown as error:
            raise CommandError(
                "The cache did not answer, so the page stamp was not moved: pages cached "
                "before the restore may still be served. Run refresh_page again once the cache "
                "answers."
            ) from error
        self.stdout.write(
            "Moved the page stamp: every public page is rendered afresh from the database."
        )
