from django.apps import AppConfig


class NotifyConfig(AppConfig):
    """Subscribers, notifications and deliveries."""

    name = "notify"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from anymail.signals import tracking

        from incidents import announcements, notification_figures, portable
        from notify import outbox, selectors
        from notify.email_feedback import on_tracking
        from notify.portable import SUBSCRIBERS

        announcements.install(outbox)  # what the incidents announce is written to the outbox
        notification_figures.install(selectors)  # what the console shows of the notifications
        portable.install_section(SUBSCRIBERS)  # subscribers move with the page
        tracking.connect(on_tracking, dispatch_uid="noroshi-email-feedback")
