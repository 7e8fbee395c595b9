"""`manage.py export_incident <public_id> --format markdown|json`: one incident, with its
timeline, post-mortem and recovery actions, for a team's own archive (recorded in the audit
trail, as every export is)."""

from django.core.management.base import BaseCommand, CommandError

from incidents import selectors, services
from incidents.export import FORMATS, export_incident
from incidents.models import Incident


class Command(BaseCommand):
    help = (
        "Print an incident with its updates, post-mortem (sections, timeline, key figures) "
        "and recovery actions as Markdown or JSON."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("public_id", help="The incident's id (as in /incidents/<id>).")
        parser.add_argument("--format", choices=FORMATS, default="markdown")
        parser.add_argument("--output", help="Write to this file instead of standard output.")

    def handle(self, *args, **options) -> None:
        try:
            incident = selectors.incident_for_export(options["public_id"])
        except Incident.DoesNotExist:
            raise CommandError(f"No incident has the id “{options['public_id']}”.") from None
        text = export_incident(incident, format=options["format"])
        services.record_export(actor=None, target=incident, summary=f"as {options['format']}")
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as file:
                file.write(text)
        else:
            self.stdout.write(text, ending="")
