"""`manage.py export_page FILE`: the whole page as one JSON document ("-": standard output),
for `import_page` on another installation. It holds every subscriber's address and secret:
keep it as carefully as a database backup."""

import json

from django.core.management.base import BaseCommand

from incidents.portable import export_page


class Command(BaseCommand):
    help = (
        "Write the whole page (settings, components and their history, incidents and "
        "maintenance with their updates, templates, post-mortems, recovery actions, alert "
        "integrations, the audit log, subscribers with their consent records) to FILE as JSON "
        "('-' for standard output). See docs/operations.md, 'Moving house'."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="Where to write the document ('-': standard output).")

    def handle(self, *args, **options) -> None:
        text = json.dumps(export_page(), ensure_ascii=False, indent=1) + "\n"
        if options["file"] == "-":
            self.stdout.write(text, ending="")
            return
        with open(options["file"], "w", encoding="utf-8") as file:
            file.write(text)
        self.stderr.write(f"Exported the page to {options['file']}.")
