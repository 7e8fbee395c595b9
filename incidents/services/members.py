"""Writes of what is kept of a console member."""

from django.conf import settings

from incidents.models import MemberSettings


def remember_language(*, user, language: str) -> None:
    """Keep the language the console speaks to `user` in (one of settings.LANGUAGES; anything
    else is ignored). Written only when it changed."""
    if language not in dict(settings.LANGUAGES) or not getattr(user, "pk", None):
        return
    MemberSettings.objects.update_or_create(user=user, defaults={"language": language})
