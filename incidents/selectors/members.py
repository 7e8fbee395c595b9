"""Reads of what is kept of a console member."""

from django.conf import settings
from django.contrib.auth import get_user_model

from incidents.models import MemberSettings


def member_language(user) -> str:
    """The language the console last spoke to `user` in; the default language for a member
    who never signed in to it."""
    kept = MemberSettings.objects.filter(user=user).values_list("language", flat=True).first()
    return kept or settings.LANGUAGE_CODE


def member_by_username(username: str):
    """The console member signing in as `username`, or None."""
    return get_user_model().objects.filter(username=username).first()
