"""Formula injection and running URLs, field by field.

Every formula lead a spreadsheet reads (= + - @ tab CR) at the start of anything a visitor or a
member can type is exported as text by both CSV exports, the subscribers' and the audit
trail's (tests/notify/test_admin_subscribers.py and tests/incidents/test_audit_trail_console.py
prove the import reads it back). And every link field refuses a URL that runs
(javascript:, vbscript:, data:, a scheme-relative //host), whatever its case or the whitespace
a browser ignores, writing nothing."""

import csv
import io

import pytest
from django.core.exceptions import ValidationError

from incidents import services
from incidents.csv_cells import FORMULA_STARTS
from incidents.models import AuditEntry, PageSettings, RecoveryAction
from notify.models import Subscriber
from tests.security.payloads import HOSTILE_SCHEMES

pytestmark = pytest.mark.django_db

FORMULA = "cmd|' /C calc'!A0"


def cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


@pytest.mark.parametrize("lead", FORMULA_STARTS, ids=repr)
def test_no_exported_cell_starts_a_formula(client, owner, lead):
    component = services.create_component(name=f"{lead}{FORMULA}", actor=owner)
    subscriber = Subscriber.objects.create(
        channel="email", address=f"{lead}{FORMULA}@example.com", consent_source=f"{lead}x"
    )
    subscriber.components.set([component])
    client.force_login(owner)

    subscribers = client.post(
        "/admin/notify/subscriber/",
        {"action": "export_csv", "_selected_action": [subscriber.pk]},
    ).content.decode()
    audit = client.get("/admin/incidents/auditentry/export/")
    trail = b"".join(audit.streaming_content).decode()

    exported = cells(subscribers) + cells(trail)
    assert f"'{lead}{FORMULA}@example.com" in exported
    name = component.name  # a name is stored stripped: a leading tab or CR is gone
    assert (f"'{name}" if name.startswith(FORMULA_STARTS) else name) in exported
    assert [cell for cell in exported if cell.startswith(FORMULA_STARTS)] == []


@pytest.mark.parametrize("url", HOSTILE_SCHEMES, ids=repr)
def test_every_link_field_refuses_a_url_that_runs(url, outage):
    page = PageSettings.objects.get()
    before = (list(PageSettings.objects.values()), AuditEntry.objects.count())
    for changes in (
        {"support_url": url},
        {"url": url},
        {"header_links": [{"label": "Home", "url": url}]},
        {"footer_links": [{"label": "Home", "label_ja": "ホーム", "url": url}]},
    ):
        with pytest.raises(ValidationError):
            services.edit_page_settings(**changes)
    with pytest.raises(ValidationError):
        services.create_recovery_action(
            incident=outage, title="Fix", kind="fix", tracker_url=url, public=True
        )
    assert (list(PageSettings.objects.values()), AuditEntry.objects.count()) == before
    assert not RecoveryAction.objects.exists()
    assert page.support_url == ""
