"""Reads of what is kept of a console member."""

from collections import defaultdict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import PROTECT, ForeignObjectRel, Q

from incidents.models import MemberSettings


def member_language(user) -> str:
    """The language the console last spoke to `user` in; the default language for a member
    who never signed in to it."""
    kept = MemberSettings.objects.filter(user=user).values_list("language", flat=True).first()
    return kept or settings.LANGUAGE_CODE


def member_by_username(username: str):
    """The console member signing in as `username`, or None."""
    return get_user_model().objects.filter(username=username).first()


def authored_records(members) -> list[str]:
    """What these members wrote or did that the records keep, as "<count> <kind>" per kind of
    row that names one of them as its author or actor (through any foreign key to a user that
    protects it from deletion: the audit trail, incidents, updates, post-mortems, API keys…);
    empty when there is none and they may be deleted."""
    naming: dict = defaultdict(Q)
    # Hidden relations too: most authorships have no reverse accessor (related_name="+").
    for relation in get_user_model()._meta.get_fields(include_hidden=True):
        if isinstance(relation, ForeignObjectRel) and relation.on_delete is PROTECT:
            naming[relation.related_model] |= Q(**{f"{relation.field.name}__in": members})
    kept = []
    for model, condition in naming.items():
        count = model._default_manager.filter(condition).count()
        if count:
            meta = model._meta
            kept.append(f"{count} {meta.verbose_name if count == 1 else meta.verbose_name_plural}")
    return sorted(kept)
