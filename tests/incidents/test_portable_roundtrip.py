"""Moving house between two real PostgreSQL databases, through the commands as an operator runs
them (docs/operations.md, "Moving house"): the demo page with subscribers, an edited update and
an alert integration, the page's branding (logo, colour, links) and reminder setting is
exported from one installation and imported into a new one; exporting
the new one gives the same document (plus the import's own audit row), every table of records
has the same number of rows, and nothing was announced on the new page."""

import base64
import json

import psycopg
import pytest
from django.conf import settings
from psycopg import sql

from tests.e2e.test_restore_drill import databases, manage, server  # noqa: F401

# What the demo lacks and a real page has: subscribers in several states with their consent
# and scopes, a corrected update, an alert integration with a label rule, an open action owner,
# a logo (uploaded with a handler, which the sanitiser took out), a brand colour, links and its
# own reminder interval.
ENRICH = """
from django.contrib.auth import get_user_model
from incidents import services
from incidents.models import Component, Incident
from notify.models import Subscriber
from notify.services import confirm, subscribe, subscribe_confirmed, unsubscribe

api = Component.objects.order_by("pk").first()
current = Incident.objects.filter(kind="incident", resolved_at__isnull=True).first()
confirm(subscriber=subscribe(channel="email", address="hana@example.test", language="ja",
                             components=[api], ip="192.0.2.7"))
unsubscribe(subscriber=subscribe(channel="email", address="gone@example.test", ip="192.0.2.8"))
subscribe(channel="email", address="pending@example.test", incident=current, ip="192.0.2.9")
owner = get_user_model().objects.create(username="owner", email="owner@example.test")
subscribe_confirmed(channel="webhook", address="https://hooks.example.test/noroshi",
                    actor=owner)
update = current.updates.order_by("pk").first()
services.edit_update_text(update=update, body=update.body + " (corrected)", actor=owner)
made = services.create_alert_integration(name="Prometheus", actor=owner)
services.save_alert_rule(integration=made.integration, label="service", value="api",
                         component=api, actor=owner)
services.edit_page_settings(
    actor=owner, update_reminder_minutes=15, brand_colour="#6f42c1",
    header_links=[{"label": "Home", "label_ja": "ホーム", "url": "https://example.test"}],
    footer_links=[{"label": "Privacy", "label_ja": "", "url": "https://example.test/privacy"}],
)
services.set_page_logo(actor=owner, data=b'<svg xmlns="http://www.w3.org/2000/svg" '
                       b'viewBox="0 0 10 10" onload="alert(1)"><circle r="4"/></svg>')
"""

# Tables an export carries whole (the audit log gains the import's and the exports' own rows;
# notifications and deliveries stay behind).
CARRIED = (
    "incidents_pagesettings",
    "incidents_componentgroup",
    "incidents_component",
    "incidents_componentstatuschange",
    "incidents_incident",
    "incidents_incident_components",
    "incidents_incidentupdate",
    "incidents_incidentupdatecomponent",
    "incidents_updatetemplate",
    "incidents_postmortem",
    "incidents_postmortemtimelineentry",
    "incidents_recoveryaction",
    "incidents_recoveryaction_components",
    "incidents_alertintegration",
    "incidents_alertrule",
    "notify_subscriber",
    "notify_subscriber_components",
    "auth_user",
)

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="the round trip between two databases runs on PostgreSQL (CI runs it there)",
)


def row_counts(database: str, tables: tuple[str, ...]) -> dict[str, int]:
    with psycopg.connect(**{**server(), "dbname": database}) as conn:
        return {
            table: conn.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
            ).fetchone()[0]
            for table in tables
        }


def test_a_page_exported_and_imported_elsewhere_exports_the_same(databases, tmp_path):  # noqa: F811
    live, moved = databases
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    manage(live, tmp_path, "migrate", "--noinput")
    manage(live, tmp_path, "seed_demo")
    manage(live, tmp_path, "shell", "--command", ENRICH)
    manage(live, tmp_path, "export_page", str(first))

    manage(moved, tmp_path, "migrate", "--noinput")
    manage(moved, tmp_path, "import_page", str(first))
    manage(moved, tmp_path, "export_page", str(second))

    before = json.loads(first.read_text(encoding="utf-8"))
    after = json.loads(second.read_text(encoding="utf-8"))
    assert len(before["subscribers"]) == 4 and len(before["alert_integrations"]) == 1
    assert any(update["edited_at"] for i in before["incidents"] for update in i["updates"])
    page = before["page"]
    assert (page["update_reminder_minutes"], page["brand_colour"], page["logo"]) == (
        15,
        "#6f42c1",
        {
            "content_type": "image/svg+xml",
            "base64": base64.b64encode(
                b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
                b'<circle r="4"></circle></svg>'
            ).decode("ascii"),
        },
    )
    assert [link["label"] for link in page["header_links"] + page["footer_links"]] == [
        "Home",
        "Privacy",
    ]
    del before["exported_at"], after["exported_at"]
    imported = after["audit_log"].pop()
    assert (imported["action"], imported["object_type"]) == ("import_page", "pagesettings")
    assert after == before
    assert row_counts(moved, CARRIED) == row_counts(live, CARRIED)
    outbox = ("notify_notification", "notify_delivery")
    assert row_counts(moved, outbox) == {"notify_notification": 0, "notify_delivery": 0}
