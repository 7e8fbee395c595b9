"""The shape of a portable page document: its header, its times, the checked reading of its
rows, and the sections other apps add to it.

Every time is ISO 8601 in UTC with microseconds and a `Z` (what PostgreSQL keeps, so that a
round trip loses nothing); every day is `YYYY-MM-DD`. Rows refer to one another by public id,
people by user name. docs/operations.md ("Moving house") describes the whole format.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.db import models

FORMAT = "noroshi-page"
VERSION = 1


class PortableError(Exception):
    """A document that cannot be imported (or a page that cannot take it); nothing was
    written. The message says where and why."""


def stamp(moment: datetime | None) -> str | None:
    """`moment` as ISO 8601 UTC with microseconds, e.g. 2026-03-07T11:07:15.773000Z."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def plain_value(value):
    """A field's value as JSON holds it."""
    if isinstance(value, datetime):
        return stamp(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def row_of(obj: models.Model, names: tuple[str, ...]) -> dict:
    """The named fields of `obj`, as JSON holds them."""
    return {name: plain_value(getattr(obj, name)) for name in names}


class Fields:
    """One row of a document being imported: each read checks the value's type (and, for a
    field with choices, that it is one of them) and names the row on failure."""

    def __init__(self, row, where: str) -> None:
        if not isinstance(row, dict):
            raise PortableError(f"{where}: expected an object.")
        self.row = row
        self.where = where

    def fail(self, key: str, why: str):
        return PortableError(f"{self.where}.{key}: {why}")

    def raw(self, key: str):
        if key not in self.row:
            raise self.fail(key, "missing.")
        return self.row[key]

    def text(self, key: str, *, choices=None) -> str:
        value = self.raw(key)
        if not isinstance(value, str):
            raise self.fail(key, "expected a string.")
        if choices is not None and value not in choices:
            raise self.fail(key, f"“{value}” is not one of {', '.join(map(str, choices))}.")
        return value

    def text_or_none(self, key: str, *, choices=None) -> str | None:
        return None if self.raw(key) is None else self.text(key, choices=choices)

    def time(self, key: str) -> datetime:
        value = self.raw(key)
        try:
            moment = datetime.fromisoformat(value)
        except (TypeError, ValueError):
            raise self.fail(key, f"“{value}” is not an ISO 8601 time.") from None
        if moment.tzinfo is None:
            raise self.fail(key, f"“{value}” has no time zone (write it in UTC, with Z).")
        return moment

    def time_or_none(self, key: str) -> datetime | None:
        return None if self.raw(key) is None else self.time(key)

    def day(self, key: str) -> date | None:
        value = self.raw(key)
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except (TypeError, ValueError):
            raise self.fail(key, f"“{value}” is not a day (YYYY-MM-DD).") from None

    def flag(self, key: str) -> bool:
        value = self.raw(key)
        if not isinstance(value, bool):
            raise self.fail(key, "expected true or false.")
        return value

    def number(self, key: str) -> int:
        value = self.raw(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.fail(key, "expected a whole number, 0 or more.")
        return value

    def number_or_none(self, key: str) -> int | None:
        return None if self.raw(key) is None else self.number(key)

    def rows(self, key: str) -> list["Fields"]:
        value = self.raw(key)
        if not isinstance(value, list):
            raise self.fail(key, "expected a list.")
        return [Fields(item, f"{self.where}.{key}[{n}]") for n, item in enumerate(value)]

    def mapping(self, key: str) -> dict:
        value = self.raw(key)
        if not isinstance(value, dict):
            raise self.fail(key, "expected an object.")
        return value

    def items(self, key: str) -> list:
        value = self.raw(key)
        if not isinstance(value, list):
            raise self.fail(key, "expected a list.")
        return value

    def texts(self, key: str) -> list[str]:
        value = self.raw(key)
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.fail(key, "expected a list of strings.")
        return value

    def value_for(self, model: type[models.Model], name: str):
        """The value of `model`'s field `name` in this row, read by the field's type."""
        field = model._meta.get_field(name)
        assert isinstance(field, models.Field)  # the names listed are the model's own fields
        if isinstance(field, models.DateTimeField):
            return self.time_or_none(name) if field.null else self.time(name)
        if isinstance(field, models.DateField):
            return self.day(name)
        if isinstance(field, models.BooleanField):
            return self.flag(name)
        if isinstance(field, models.IntegerField):
            return self.number_or_none(name) if field.null else self.number(name)
        if isinstance(field, models.JSONField):
            return self.items(name) if field.default is list else self.mapping(name)
        choices = [value for value, _label in field.choices] if field.choices else None
        if choices is not None and field.blank:
            choices.append("")
        if field.null:
            return self.text_or_none(name, choices=choices)
        return self.text(name, choices=choices)

    def values_for(self, model: type[models.Model], names: tuple[str, ...]) -> dict:
        return {name: self.value_for(model, name) for name in names}


def top_level(document, where: str = "document") -> Fields:
    """The document's top level, once its header says it is a version this code reads."""
    fields = Fields(document, where)
    if document.get("format") != FORMAT:
        raise PortableError(f'Not a Noroshi page export: "format" must be "{FORMAT}".')
    if document.get("version") != VERSION:
        raise PortableError(
            f"This export is version {document.get('version')!r}; this Noroshi reads "
            f"version {VERSION}."
        )
    return fields


@dataclass(frozen=True)
class Section:
    """A part of the page another app keeps (notify's subscribers): how to write it out, read
    it in (inside the import's transaction, after the incidents domain) and tell whether the
    page already holds any of it."""

    name: str
    export: Callable[[], list[dict]]
    load: Callable[[list[Fields]], int]
    has_rows: Callable[[], bool]


_sections: dict[str, Section] = {}


def install_section(section: Section) -> None:
    """Add `section` to every export and import from now on (an app's ready(), once)."""
    _sections[section.name] = section


def sections() -> list[Section]:
    return list(_sections.values())
