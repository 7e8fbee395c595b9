"""Middleware of the project."""

from django.middleware.locale import LocaleMiddleware

from statuspage.public_cache import PUBLIC_MARK, served_from_memory


class ConsoleLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware for the console, leaving public responses alone.

    Public responses (statuspage.public_cache) choose their language themselves and set their own
    Content-Language and Vary; the stock middleware would add Vary: Accept-Language to the JSON
    API too, splitting every shared cache's entry by the clients' browser languages.
    """

    def process_response(self, request, response):
        if getattr(response, PUBLIC_MARK, False):
            return response
        return super().process_response(request, response)


class PublicPageMiddleware:
    """Answer a GET or HEAD of a public page this process holds in memory at once, before the
    session, CSRF, locale, authentication and message middleware run for a page that is the
    same for everyone (about half the cost of a cached hit). Anything else passes through."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD"):
            response = served_from_memory(request)
            if response is not None:
                return response
        return self.get_response(request)
