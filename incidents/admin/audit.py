"""The audit log in the console: read-only, filtered by action, object type, actor and source,
drilled down by date, searched; and its CSV export (the list as filtered, for members with the
"export" permission — the Owner role), itself recorded in the trail."""

import csv
from collections.abc import Iterable, Iterator

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.db.models import Max, QuerySet
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from incidents import services
from incidents.admin.service_admin import ReadOnlyModelAdmin, StrOrPromise
from incidents.csv_cells import as_written
from incidents.export import export_stamp
from incidents.models import AuditEntry

EXPORT_PERMISSION = "incidents.export_auditentry"
EXPORT_COLUMNS = (
    "time",
    "actor",
    "action",
    "object_type",
    "object_id",
    "object",
    "summary",
    "changes",
    "source",
    "address",
)
# Rows read from the database at a time while the export streams.
EXPORT_CHUNK = 2000


def changes_text(entry: AuditEntry) -> str:
    """The entry's changes on one line: "field: old → new; …"."""
    return "; ".join(f"{field}: {old} → {new}" for field, (old, new) in entry.changes.items())


def export_cells(entry: AuditEntry) -> list[str]:
    cells = (
        entry.created_at.isoformat(),
        entry.actor_name,
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.object_repr,
        entry.summary,
        changes_text(entry),
        entry.source,
        entry.address or "",
    )
    return [as_written(cell) for cell in cells]


class Lines:
    """csv.writer's file: each row written comes back as its line."""

    def write(self, line: str) -> str:
        return line


def csv_lines(entries: Iterable[AuditEntry]) -> Iterator[str]:
    writer = csv.writer(Lines())
    yield writer.writerow(EXPORT_COLUMNS)
    for entry in entries:
        yield writer.writerow(export_cells(entry))


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyModelAdmin):
    list_display = (
        "created_at",
        "actor_name",
        "action",
        "object_type",
        "object_repr",
        "summary",
        "changed",
        "source",
        "address",
    )
    list_filter = (
        "action",
        "object_type",
        ("actor_name", admin.AllValuesFieldListFilter),
        ("source", admin.AllValuesFieldListFilter),
    )
    date_hierarchy = "created_at"
    search_fields = ("actor_name", "object_id", "object_repr", "summary", "address")
    # The trail only grows: counting all of it on every page is a cost with no use.
    show_full_result_count = False
    change_list_template = "admin/incidents/auditentry/change_list.html"

    @admin.display(description=_("changes"))
    def changed(self, entry: AuditEntry) -> StrOrPromise:
        rows = format_html_join(
            "",
            "<li>{}: {} → {}</li>",
            ((field, old, new) for field, (old, new) in entry.changes.items()),
        )
        return format_html("<ul>{}</ul>", rows) if entry.changes else ""

    def has_export_permission(self, request) -> bool:
        return request.user.has_perm(EXPORT_PERMISSION)

    def get_urls(self):
        export = self.admin_site.admin_view(self.export_view)
        return [path("export/", export, name="incidents_auditentry_export"), *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        context = {**(extra_context or {}), "can_export": self.has_export_permission(request)}
        return super().changelist_view(request, context)

    def export_view(self, request):
        """The entries the list shows with the same filters, date and search, as CSV (every
        page of them). The export's own audit row is written first and left out of it."""
        if not (self.has_view_permission(request) and self.has_export_permission(request)):
            raise PermissionDenied
        try:
            entries = self.get_changelist_instance(request).queryset
        except IncorrectLookupParameters:
            return HttpResponseRedirect(reverse("admin:incidents_auditentry_changelist"))
        newest = entries.aggregate(newest=Max("id"))["newest"] or 0
        exported = entries.filter(id__lte=newest)
        services.record_export(
            actor=request.user, target=AuditEntry, summary=export_summary(request, exported)
        )
        response = StreamingHttpResponse(
            csv_lines(exported.iterator(chunk_size=EXPORT_CHUNK)),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="audit-{export_stamp()}.csv"'
        return response


def export_summary(request, entries: QuerySet) -> str:
    """What an export of the trail took: how many entries, and the list's filters."""
    asked = request.GET.urlencode()
    return f"{entries.count()} audit entries as CSV" + (f"; filters: {asked}" if asked else "")
