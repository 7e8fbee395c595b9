"""Writes of what is kept of a console member."""

from django.conf import settings
from django.db import transaction

from incidents.models import MemberSettings


def remember_language(*, user, language: str) -> None:
    """Keep the language the console speaks to `user` in (one of settings.LANGUAGES; anything
    else is ignored). Written only when it changed."""
    if language not in dict(settings.LANGUAGES) or not getattr(user, "pk", None):
        return
    MemberSettings.objects.update_or_create(user=user, defaults={"language": language})


@transaction.atomic
def deactivate_member(*, member) -> bool:
    """Deactivate a console member (what a member who authored anything gets instead of being
    deleted): their sign-ins and API keys are refused from now on, and everything they wrote
    keeps their name. Whether it changed anything (a deactivated member stays so).

    The member's row is Django's: its audit row (old and new `is_active`, who did it, from
    where) is written by incidents.account_audit, as for any change of a member."""
    if not member.is_active:
        return False
    member.is_active = False
    member.save(update_fields=["is_active"])
    return True
