"""Subscribers in and out as CSV: the import (checked whole, with a dry run, all or nothing)
and the export, for a team moving from another status page or keeping its own records.

Columns: channel, address, language, components. `components` lists public ids or names,
separated by ";" (empty: the whole page). An import never re-adds an address that
unsubscribed (its owner said no), and skips one already subscribed. No cell is exported as a
spreadsheet formula (incidents.csv_cells).
"""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from incidents.csv_cells import as_read, as_written
from incidents.models import Component
from incidents.services.audit import record_audit
from notify.addresses import normalised_address
from notify.choices import Language
from notify.models import Subscriber
from notify.on_commit import confirmation_on_commit
from notify.owed_answers import ANSWER_GRACE

COLUMNS = ("channel", "address", "language", "components")
EXPORT_COLUMNS = (
    "public_id",
    "channel",
    "address",
    "language",
    "components",
    "state",
    "consent_at",
    "consent_source",
    "confirmed_at",
    "unsubscribed_at",
)
MAX_ROWS = 100_000


@dataclass
class ImportRow:
    line: int
    channel: str
    address: str
    language: str
    components: list[Component]


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do)."""

    to_add: list[ImportRow] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    dry_run: bool = True
    added: int = 0


def read_rows(text: str) -> tuple[list[dict[str, str]], list[tuple[int, str]]]:
    """The rows of a CSV text as dicts, or the reason the file as a whole is unreadable."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in ("channel", "address") if name not in header]
    if missing:
        return [], [(1, f"The header must name the columns {', '.join(COLUMNS)}; "
                        f"missing: {', '.join(missing)}.")]  # fmt: skip
    reader.fieldnames = header
    # Cells beyond the header (DictReader files them under None) are not ours to read.
    rows = [
        {name: as_read(value) for name, value in row.items() if name is not None} for row in reader
    ]
    if len(rows) > MAX_ROWS:
        return [], [(1, f"At most {MAX_ROWS:,} rows per file; this one has {len(rows):,}.")]
    return rows, []


def components_by_key() -> dict[str, Component]:
    found: dict[str, Component] = {}
    for component in Component.objects.filter(archived_at__isnull=True):
        found.setdefault(component.name.strip().lower(), component)
        found[component.public_id] = component
    return found


def check_row(line: int, row: dict[str, str], components: dict[str, Component]) -> ImportRow:
    """One row, checked as subscribe() checks a sign-up (ValidationError with the reason)."""
    channel = (row.get("channel") or "").strip().lower()
    address = normalised_address(channel, row.get("address") or "")
    language = (row.get("language") or "").strip().lower() or Language.EN
    if language not in Language.values:
        raise ValidationError(f"“{language}” is not a language of this page (en or ja).")
    chosen = []
    for name in filter(None, (part.strip() for part in (row.get("components") or "").split(";"))):
        component = components.get(name) or components.get(name.lower())
        if component is None:
            raise ValidationError(f"There is no component “{name}”.")
        chosen.append(component)
    return ImportRow(line, channel, address, language, chosen)


def check_import(text: str) -> ImportReport:
    """Check every row; nothing is written."""
    rows, errors = read_rows(text)
    report = ImportReport(errors=errors)
    components = components_by_key()
    checked: dict[tuple[str, str], int] = {}
    for line, row in enumerate(rows, start=2):
        try:
            item = check_row(line, row, components)
        except ValidationError as error:
            report.errors.append((line, " ".join(error.messages)))
            continue
        key = (item.channel, item.address)
        if key in checked:
            report.errors.append((line, f"The same address as line {checked[key]}."))
            continue
        checked[key] = line
        report.to_add.append(item)
    existing = existing_states([item for item in report.to_add])
    kept = []
    for item in report.to_add:
        state = existing.get((item.channel, item.address))
        if state == "unsubscribed":
            report.skipped.append((item.line, "Unsubscribed earlier: not added again."))
        elif state:
            report.skipped.append((item.line, "Already subscribed."))
        else:
            kept.append(item)
    report.to_add = kept
    return report


def existing_states(items: list[ImportRow]) -> dict[tuple[str, str], str]:
    addresses = {item.address for item in items}
    rows = Subscriber.objects.filter(address__in=addresses).values_list(
        "channel", "address", "unsubscribed_at"
    )
    return {
        (channel, address): "unsubscribed" if unsubscribed_at else "subscribed"
        for channel, address, unsubscribed_at in rows
    }


@transaction.atomic
def import_subscribers(*, text: str, confirmed: bool, dry_run: bool, actor=None) -> ImportReport:
    """Import the subscribers of a CSV text. With `dry_run`, or when any row is wrong, nothing
    is written. `confirmed`: they confirmed elsewhere (a move from another status page), so no
    confirmation is asked and their consent is recorded as imported; otherwise each is asked
    to confirm, as after a sign-up on the page."""
    report = check_import(text)
    report.dry_run = dry_run or bool(report.errors)
    if report.dry_run or not report.to_add:
        return report
    now = timezone.now()
    made = Subscriber.objects.bulk_create(
        [
            Subscriber(
                channel=item.channel,
                address=item.address,
                language=item.language,
                confirmed_at=now if confirmed else None,
                consent_at=now,
                consent_source="import" if confirmed else "import-unconfirmed",
                # Owed as after a sign-up: the sweep sends it if the broker cannot take it.
                confirmation_due_at=None if confirmed else now + ANSWER_GRACE,
                answer_owed_since=None if confirmed else now,
            )
            for item in report.to_add
        ]
    )
    through = Subscriber.components.through
    through.objects.bulk_create(
        [
            through(subscriber_id=subscriber.pk, component_id=component.pk)
            for subscriber, item in zip(made, report.to_add, strict=True)
            for component in item.components
        ]
    )
    report.added = len(made)
    record_audit(
        actor=actor,
        action="import_subscribers",
        target=Subscriber,
        summary=f"{len(made)} added ({'confirmed' if confirmed else 'asked to confirm'}), "
        f"{len(report.skipped)} skipped",
    )
    if not confirmed:
        for subscriber in made:
            confirmation_on_commit(subscriber.pk)
    return report


def subscriber_state(subscriber: Subscriber) -> str:
    if subscriber.suspended_at:
        return "suspended"
    if subscriber.unsubscribed_at:
        return "unsubscribed"
    return "confirmed" if subscriber.confirmed_at else "unconfirmed"


def export_rows(subscribers) -> list[list[str]]:
    """The export of these subscribers: a header row, then one row each."""
    rows = [list(EXPORT_COLUMNS)]
    for subscriber in subscribers.prefetch_related("components"):
        rows.append(
            [
                as_written(cell)
                for cell in (
                    subscriber.public_id,
                    subscriber.channel,
                    subscriber.address,
                    subscriber.language,
                    ";".join(c.public_id for c in subscriber.components.all()),
                    subscriber_state(subscriber),
                    stamp(subscriber.consent_at),
                    subscriber.consent_source,
                    stamp(subscriber.confirmed_at),
                    stamp(subscriber.unsubscribed_at),
                )
            ]
        )
    return rows


def stamp(moment) -> str:
    return moment.isoformat() if moment else ""
