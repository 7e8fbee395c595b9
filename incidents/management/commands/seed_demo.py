"""`manage.py seed_demo`: load the demo status page, adding only what is missing."""

from django.core.management.base import BaseCommand

from incidents.demo import seed_demo


class Command(BaseCommand):
    help = (
        "Load the demo status page (components, 90 days of history, an open incident, "
        "maintenance, update templates, published post-mortems with their recovery actions). "
        "Safe to run again: it adds only what is missing."
    )

    def handle(self, *args, **options) -> None:
        summary = seed_demo()
        self.stdout.write("\n".join(summary.lines()))
