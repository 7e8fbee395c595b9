"""Middleware of the project."""

from django.middleware.locale import LocaleMiddleware

from statuspage.public_cache import PUBLIC_MARK


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
