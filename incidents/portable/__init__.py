"""Moving house: the whole page out as one JSON document and back in elsewhere, and a page
brought over from Atlassian Statuspage through its public /api/v2 JSON.

- export.py / importing.py (with load.py): the portable page document (format "noroshi-page",
  version 1); document.py holds its header, times and checked reading, fields.py which fields
  travel as they are, people.py how people are named.
- Other apps add their part through document.install_section (notify: its subscribers with
  their consent records), as they fill incidents.announcements: incidents imports no app above
  it.
- statuspage_files.py / statuspage_import.py: the importer of a Statuspage page's JSON.

docs/operations.md ("Moving house") describes the format and the commands.
"""

from incidents.portable.document import (
    FORMAT,
    VERSION,
    Fields,
    PortableError,
    Section,
    install_section,
)
from incidents.portable.export import export_page
from incidents.portable.importing import import_page

__all__ = [
    "FORMAT",
    "VERSION",
    "Fields",
    "PortableError",
    "Section",
    "export_page",
    "import_page",
    "install_section",
]
