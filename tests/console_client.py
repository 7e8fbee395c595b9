"""The test client of a console member who has passed the second factor."""

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice


class ConsoleClient(Client):
    """force_login as it is for a staff member who enrolled an authenticator app and typed its
    code after signing in (statuspage.second_factor): the session names the confirmed device,
    as django_otp.login writes it. Tests of the second factor itself use the plain Client."""

    def force_login(self, user, backend=None) -> None:
        super().force_login(user, backend)
        device, _ = TOTPDevice.objects.get_or_create(
            user=user, name="Authenticator app", defaults={"confirmed": True}
        )
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
