from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = "Incidents"

    def ready(self) -> None:
        # The audit rows of sign-ins, members and roles (Django's writes, not our services').
        from incidents import account_audit

        account_audit.connect()
