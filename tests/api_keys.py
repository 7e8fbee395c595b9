"""API keys for tests of the management API: made through the service, as the console does."""

from django.test import Client

from incidents import services


def api_key_for(user, **kw) -> str:
    """A new API key acting as `user` (`name`, `expires_at`, `actor` may be given); its secret."""
    kw.setdefault("name", "test script")
    kw.setdefault("actor", None)
    _, secret = services.create_api_key(user=user, **kw)
    return secret


def key_client(client: Client, user, scheme: str = "OAuth") -> Client:
    """`client`, sending a new key of `user` with every request (`Authorization: <scheme> …`)."""
    client.defaults["HTTP_AUTHORIZATION"] = f"{scheme} {api_key_for(user)}"
    return client
