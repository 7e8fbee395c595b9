"""The on-call console: Django admin screens whose every write goes through incidents.services.

Importing the submodules registers their ModelAdmins.
"""

from incidents.admin import components, incidents, maintenance, page

__all__ = ["components", "incidents", "maintenance", "page"]
