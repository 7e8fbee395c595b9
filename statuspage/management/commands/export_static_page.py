"""`manage.py export_static_page DIR [--base-url URL]`: the public page as static files.

Writes every language's pages, /api/v2, the feeds, the badges and the assets into a new folder
beside DIR and then makes DIR point at it in one step (statuspage.static_export), so that a web
server, object storage sync or CDN origin reading DIR never sees half an export.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from statuspage.static_export import ExportError, export_static_page


class Command(BaseCommand):
    help = (
        "Write the public status page (HTML in every language, /api/v2/*.json, feeds, badges, "
        "CSS/JS) as static files into DIR, replacing the previous export in one step."
    )

    def add_arguments(self, parser):
        parser.add_argument("dir", help="the export's path (a link to the newest version)")
        parser.add_argument(
            "--base-url",
            default="",
            help="where the folder will be served (e.g. https://status.example.com): the "
            "feeds' links then lead there instead of to this Noroshi",
        )

    def handle(self, *args, dir: str, base_url: str, **options):
        try:
            count = export_static_page(Path(dir), base_url=base_url)
        except ExportError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{count} files written to {dir}")
