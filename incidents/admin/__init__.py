"""The on-call console: Django admin screens whose every write goes through incidents.services.

Importing the submodules registers their ModelAdmins.
"""

from incidents.admin import (
    actions,
    alerts,
    api_keys,
    audit,
    components,
    incidents,
    maintenance,
    members,
    page,
    postmortems,
)

__all__ = [
    "actions",
    "alerts",
    "api_keys",
    "audit",
    "components",
    "incidents",
    "maintenance",
    "members",
    "page",
    "postmortems",
]
