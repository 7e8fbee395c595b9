"""The page's logo in a page document: `page.logo` is null, or its stored bytes as base64 with
their content type, `{"content_type": "image/svg+xml", "base64": "PHN2Zy…"}`.

An imported logo goes through the upload's own checks (incidents.branding.logo): a file the
console would refuse is refused, and so is one its sanitiser would have to change (a script,
an event handler, PNG metadata…): an export only ever holds a logo that was checked already,
so such a file was written or altered by hand, and nothing of the document is imported. The
digest the logo is served under is computed again, never read from the document."""

import base64
import binascii

from django.core.exceptions import ValidationError

from incidents import selectors
from incidents.branding.logo import LogoType, checked_logo
from incidents.models import PageSettings
from incidents.portable.document import Fields, PortableError


def logo_row(page: PageSettings) -> dict | None:
    """The page's logo as a document holds it (None when it has none)."""
    found = selectors.page_logo() if page.logo_digest else None
    if found is None:
        return None
    content, content_type, _digest = found
    return {"content_type": content_type, "base64": base64.b64encode(content).decode("ascii")}


def logo_values(page: Fields) -> dict:
    """The logo fields of PageSettings for the document's `page.logo` (a document written
    before the logo travelled has none: no logo). Raises PortableError when it is refused."""
    if page.row.get("logo") is None:
        return {"logo": b"", "logo_type": "", "logo_digest": ""}
    row = Fields(page.row["logo"], f"{page.where}.logo")
    declared = row.text("content_type", choices=LogoType.values)
    try:
        data = base64.b64decode(row.text("base64"), validate=True)
    except (binascii.Error, ValueError):
        raise row.fail("base64", "not base64 text.") from None
    try:
        logo = checked_logo(data)
    except ValidationError as error:
        raise PortableError(f"{row.where}: {' '.join(error.messages)}") from None
    if logo.removed:
        raise PortableError(
            f"{row.where}: the image holds what a logo may not "
            f"({', '.join(sorted(set(logo.removed)))}); an export only holds a logo that was "
            "checked already, so this one was changed by hand."
        )
    if logo.content_type != declared:
        raise row.fail("content_type", f"“{declared}”, but the bytes are {logo.content_type}.")
    return {"logo": logo.content, "logo_type": logo.content_type, "logo_digest": logo.digest}
