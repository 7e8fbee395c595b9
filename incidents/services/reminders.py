"""The claim of an update reminder: the row that makes an interval of silence reminded of once."""

from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from incidents.choices import UNRESOLVED_INCIDENT_STATUSES, DraftState, IncidentKind
from incidents.models import Incident, IncidentUpdate


def claim_update_reminder(*, incident: Incident, last_word_at: datetime, due_at: datetime) -> bool:
    """Mark the interval of silence ending at `due_at` reminded of, and commit; False when a
    concurrent run (another beat, a retried task) claimed it or a later one first, or when the
    incident has since been resolved, or has a newer update than `last_word_at`.

    The conditional UPDATE is the lock and its committed row the memory: of two runs at once,
    the second waits for the first's row and then finds nothing to change. The reminder itself
    is sent after this commits (notify.update_reminders), so a failed send is not retried:
    never twice, at worst once missed. The incident's updated_at is left alone: a reminder
    changes nothing the public page shows.
    """
    newer_update = IncidentUpdate.objects.filter(
        incident=OuterRef("pk"), created_at__gt=last_word_at
    )
    with transaction.atomic():
        claimed = (
            Incident.objects.filter(
                pk=incident.pk,
                kind=IncidentKind.INCIDENT,
                draft_state=DraftState.PUBLISHED,
                status__in=UNRESOLVED_INCIDENT_STATUSES,
                backfilled=False,
            )
            .filter(Q(silence_reminded_for__isnull=True) | Q(silence_reminded_for__lt=due_at))
            .exclude(Exists(newer_update))
            .update(silence_reminded_for=due_at)
        )
    return claimed == 1
