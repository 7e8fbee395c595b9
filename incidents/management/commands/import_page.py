"""`manage.py import_page FILE`: read a document written by `export_page` into this
installation, whose page must be empty. One transaction; nothing is sent."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from incidents.portable import PortableError, import_page


class Command(BaseCommand):
    help = (
        "Import a page exported with export_page into this (empty) installation: all of it "
        "or nothing, and no notification is sent. See docs/operations.md, 'Moving house'."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="The document export_page wrote ('-': standard input).")

    def handle(self, *args, **options) -> None:
        document = read_document(options["file"])
        try:
            counts = import_page(document)
        except PortableError as error:
            raise CommandError(f"Nothing was imported. {error}") from None
        listed = ", ".join(f"{n} {what.replace('_', ' ')}" for what, n in counts.items())
        self.stdout.write(f"Imported: {listed}.")


def read_document(path: str):
    try:
        if path == "-":
            return json.load(sys.stdin)
        with open(path, encoding="utf-8") as file:
            return json.load(file)
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
    except json.JSONDecodeError as error:
        raise CommandError(f"{path} is not JSON: {error}.") from None
