"""`manage.py import_statuspage PATH…`: bring a page over from Atlassian Statuspage, given its
public /api/v2 JSON saved as files (a directory holding summary.json or components.json,
incidents.json and scheduled-maintenances.json, or the files themselves). Run it again with
newer files to add what is new; nothing is ever sent."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from incidents.portable import PortableError
from incidents.portable.statuspage_files import read_files
from incidents.portable.statuspage_import import import_statuspage


class Command(BaseCommand):
    help = (
        "Import components and groups, incidents and maintenance with their updates from a "
        "Statuspage page's public /api/v2 JSON files (e.g. saved with: curl -o summary.json "
        "https://status.example.com/api/v2/summary.json). Importing the same files again "
        "changes nothing. See docs/operations.md, 'Moving house'."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "paths", nargs="+", help="A directory holding the API's files, or the files."
        )

    def handle(self, *args, **options) -> None:
        try:
            page = read_files([Path(path) for path in options["paths"]])
            counts = import_statuspage(page)
        except PortableError as error:
            raise CommandError(f"Nothing was imported. {error}") from None
        if not counts:
            self.stdout.write(f"Nothing new: the page already holds all of {page.name}'s.")
            return
        listed = ", ".join(f"{n} {what}" for what, n in counts.items())
        self.stdout.write(f"Imported from {page.name}: {listed}.")
