from django.apps import AppConfig


class StatuspageConfig(AppConfig):
    name = "statuspage"
    verbose_name = "Status page"

    def ready(self) -> None:
        # Registered on import: the deploy checks, and the clocks of a console session.
        from statuspage import checks, console_sessions  # noqa: F401
