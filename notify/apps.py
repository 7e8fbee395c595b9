from django.apps import AppConfig


class NotifyConfig(AppConfig):
    """Subscribers, notifications and deliveries."""

    name = "notify"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from anymail.signals import tracking

        from notify.email_feedback import on_tracking

        tracking.connect(on_tracking, dispatch_uid="noroshi-email-feedback")
