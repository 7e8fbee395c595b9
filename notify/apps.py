from django.apps import AppConfig


class NotifyConfig(AppConfig):
    """Subscribers, notifications and deliveries (issue 4); installed and empty until then."""

    name = "notify"
    verbose_name = "Notifications"
