"""What Noroshi keeps of a console member beside Django's user."""

from django.conf import settings
from django.db import models


class MemberSettings(models.Model):
    """The language the console last spoke to a member in (at sign-in, from the browser):
    what is written to them alone, such as the reminder of an overdue recovery action, is
    written in it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="noroshi_settings"
    )
    language = models.CharField(
        max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )

    class Meta:
        verbose_name = "member settings"
        verbose_name_plural = "member settings"

    def __str__(self) -> str:
        return f"{self.user} ({self.language})"
