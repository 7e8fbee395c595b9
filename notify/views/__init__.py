"""The public subscription pages: subscribe, the SMS code, and the subscriber's signed links
(confirm, manage, unsubscribe), in the status page's own look and language.

None of them is cached (each says `no-store`), and none keeps a session: a signed link is the
authority of the pages it opens. The forms that write carry Django's CSRF token (the cookie it
needs is the only one set); confirm and unsubscribe take a POST without it, because RFC 8058's
one-click List-Unsubscribe-Post comes from a mail client with no page and no cookie. A GET never
changes anything (mail scanners fetch links): it shows a page with one button.

The answer to a sign-up never says whether the address was already subscribed, nothing on that
page gives power over an existing subscription, and a sign-up never changes one (the address is
told instead): a webhook's signing secret is shown once, to whoever opens the verification link
sent to the webhook itself.

pages (shared) · signup (the form and its answer) · links (code, confirm, unsubscribe, manage)
"""

from notify.views.links import code, confirm, manage, unsubscribe
from notify.views.signup import subscribe, subscribe_to_incident

__all__ = ["code", "confirm", "manage", "subscribe", "subscribe_to_incident", "unsubscribe"]
