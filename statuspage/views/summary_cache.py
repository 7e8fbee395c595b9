"""Past incidents' summaries, kept rendered in the process between page versions.

Each update posted during an outage moves the page version, and the overview renders again with
every past incident of the last days beside the open one; the history page renders a month of
them. A summary (statuspage/includes/incident_summary.html) shows only its incident's own rows,
so it is kept under a key made of exactly what it reads: every stored field of the incident, of
its post-mortem and of each of its updates, the page's zone, the language, whether the visitor
chose the language by query (its links keep ?lang=), the heading level and the fold. An edit, a
status change, a new update, a published post-mortem or a new zone changes the key; nothing is
invalidated by hand, and nothing is shared between processes (a release restarts them, so a
changed template never meets a summary rendered by the old one).
"""

import hashlib
import threading
from collections import OrderedDict

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model
from django.http import HttpRequest
from django.template import Context, Engine
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from incidents.models import Incident
from statuspage.languages import explicit_language

TEMPLATE = "statuspage/includes/incident_summary.html"
MAX_KEPT = 2000  # a few KB each: a few MB per process at most


class RenderedSummaries:
    """The newest MAX_KEPT summaries by key, the least recently used dropped first."""

    def __init__(self, max_kept: int = MAX_KEPT) -> None:
        self.max_kept = max_kept
        self._kept: OrderedDict[str, SafeString] = OrderedDict()
        self._lock = threading.Lock()  # gthread workers render in threads

    def get(self, key: str) -> SafeString | None:
        with self._lock:
            html = self._kept.get(key)
            if html is not None:
                self._kept.move_to_end(key)
            return html

    def put(self, key: str, html: SafeString) -> None:
        with self._lock:
            self._kept[key] = html
            self._kept.move_to_end(key)
            while len(self._kept) > self.max_kept:
                self._kept.popitem(last=False)

    def __len__(self) -> int:
        return len(self._kept)


kept = RenderedSummaries()


def stored_fields(row: Model | None) -> tuple:
    """Every stored field's value of `row` (its columns), or () for none."""
    if row is None:
        return ()
    return tuple(getattr(row, field.attname) for field in row._meta.concrete_fields)


def postmortem_of(incident: Incident):
    try:
        return incident.postmortem
    except ObjectDoesNotExist:
        return None


def summary_key(incident: Incident, *, level: int, fold_after, context: Context) -> str:
    request: HttpRequest | None = context.get("request")
    facts = repr(
        (
            level,
            fold_after,
            context["tz"].key,
            get_language(),
            explicit_language(request) if request is not None else None,
            stored_fields(incident),
            stored_fields(postmortem_of(incident)),
            [stored_fields(update) for update in incident.updates.all()],
        )
    )
    return hashlib.blake2b(facts.encode(), digest_size=16).hexdigest()


def rendered_summary(context: Context, incident: Incident, level: int) -> SafeString:
    """The summary of `incident` as TEMPLATE renders it in `context`, rendered once per key."""
    fold_after = context.get("shown_updates")
    key = summary_key(incident, level=level, fold_after=fold_after, context=context)
    html = kept.get(key)
    if html is None:
        template = Engine.get_default().get_template(TEMPLATE)
        with context.push(incident=incident, level=level):
            html = template.render(context)
        kept.put(key, html)
    return html
