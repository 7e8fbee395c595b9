"""Text made safe to place in XML (Atom, RSS, SVG) and iCalendar.

XML 1.0 forbids most C0 control characters even when escaped, and RFC 5545 text forbids them
too; a body pasted from a terminal may carry one. They are dropped rather than letting one
update break the whole feed.
"""

import re

FORBIDDEN_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """`text` without the characters that XML 1.0 and iCalendar text do not allow."""
    return FORBIDDEN_CHARACTERS.sub("", text or "")
