"""The page in the management API: Statuspage's page object with Noroshi's own settings beside
its fields (the update reminder interval, the brand colours, the header and footer links, the
logo); an Owner's key changes them, each checked and audited as in the console, and a request
with any bad field is a 400 naming it that changes nothing; an On-call or Viewer key is
refused."""

import base64
from urllib.parse import urlencode

import pytest

from incidents import services
from incidents.models import AuditEntry, PageSettings
from statuspage.api_v1.schema import PageObject
from tests.security.payloads import HOSTILE_SCHEMES
from tests.statuspage.api_v1.conftest import audited_writes, signed_in
from tests.statuspage.test_branding_settings import HOSTILE_SVG
from tests.statuspage.test_branding_validation import png

pytestmark = pytest.mark.django_db

SANITISED = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
    b'<circle r="4" cx="5" cy="5" fill="#0550ae"></circle></svg>'
)
# Statuspage's page object (its management API's `Page`), every key of it.
STATUSPAGE_KEYS = {
    "id", "created_at", "updated_at", "name", "page_description", "headline", "branding",
    "subdomain", "domain", "url", "support_url", "hidden_from_search", "allow_page_subscribers",
    "allow_incident_subscribers", "allow_email_subscribers", "allow_sms_subscribers",
    "allow_rss_atom_feeds", "allow_webhook_subscribers", "notifications_from_email",
    "notifications_email_footer", "activity_score", "twitter_username",
    "viewers_must_be_team_members", "ip_restrictions", "city", "state", "country", "time_zone",
    "css_body_background_color", "css_font_color", "css_light_font_color", "css_greens",
    "css_yellows", "css_oranges", "css_blues", "css_reds", "css_border_color",
    "css_graph_color", "css_link_color", "css_no_data", "favicon_logo", "transactional_logo",
    "hero_cover", "email_logo", "twitter_logo",
}  # fmt: skip
NOROSHI_KEYS = {
    "update_reminder_minutes", "brand_colour", "brand_colour_dark", "header_links",
    "footer_links", "logo_url", "logo_content_type",
}  # fmt: skip
HOME = {"label": "Home", "label_ja": "ホーム", "url": "https://acme.example"}


@pytest.fixture
def page():
    return services.edit_page_settings(name="Acme", url="https://status.acme.example/")


@pytest.fixture
def owner_api(owner):
    return signed_in(owner)


def encoded(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def stored() -> tuple:
    page = PageSettings.objects.get()
    return (
        page.name,
        page.update_reminder_minutes,
        page.brand_colour,
        page.brand_colour_dark,
        page.header_links,
        page.footer_links,
        bytes(page.logo),
        page.logo_type,
    )


def test_the_page_shows_its_reminder_interval_and_branding_beside_statuspage_s_fields(
    viewer_api, base, page
):
    services.edit_page_settings(
        update_reminder_minutes=15, brand_colour="#6f42c1", header_links=[HOME]
    )
    logo = services.set_page_logo(data=SANITISED)

    body = viewer_api.get(base).json()

    assert set(body) == STATUSPAGE_KEYS | NOROSHI_KEYS == set(PageObject().fields)
    assert {key: body[key] for key in NOROSHI_KEYS} == {
        "update_reminder_minutes": 15,
        "brand_colour": "#6f42c1",
        "brand_colour_dark": None,
        "header_links": [HOME],
        "footer_links": [],
        "logo_url": f"https://status.acme.example/brand/logo-{logo.digest}.svg",
        "logo_content_type": "image/svg+xml",
    }
    # Statuspage's own colours and images stay as they were: Noroshi's design is its own.
    assert [body[key] for key in ("css_link_color", "favicon_logo", "branding")] == [
        None,
        None,
        "basic",
    ]
    assert viewer_api.get(base).json()["logo_url"] == body["logo_url"]
    assert viewer_api.get("/api/v1/pages").json() == [body]


def test_without_branding_the_page_object_says_none(api, base, page):
    body = api.get(base).json()

    assert {key: body[key] for key in NOROSHI_KEYS} == {
        "update_reminder_minutes": 30,
        "brand_colour": None,
        "brand_colour_dark": None,
        "header_links": [],
        "footer_links": [],
        "logo_url": None,
        "logo_content_type": None,
    }


def test_an_owner_key_changes_the_reminder_colours_and_links_audited_as_in_the_console(
    owner_api, base, page, client
):
    response = owner_api.patch(
        base,
        {
            "page": {
                "update_reminder_minutes": 20,
                "brand_colour": "#6F42C1",
                "brand_colour_dark": "c297ff",
                "header_links": [HOME, {"label": " Blog ", "url": "http://blog.acme.example"}],
                "footer_links": [],
            }
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert {key: response.json()[key] for key in ("brand_colour", "brand_colour_dark")} == {
        "brand_colour": "#6f42c1",
        "brand_colour_dark": "#c297ff",
    }
    blog = {"label": "Blog", "label_ja": "", "url": "http://blog.acme.example"}
    assert response.json()["header_links"] == [HOME, blog]
    assert stored()[1:6] == (20, "#6f42c1", "#c297ff", [HOME, blog], [])
    entry = AuditEntry.objects.order_by("pk").last()
    assert (entry.action, entry.actor_name, entry.source[:8], entry.summary) == (
        "edit",
        "owner",
        "api key ",
        "update_reminder_minutes, brand_colour, brand_colour_dark, header_links",
    )
    assert entry.changes["brand_colour"] == ["", "#6f42c1"]
    assert client.get("/").content.decode().count("https://acme.example") == 1


def test_an_owner_key_sets_a_logo_as_base64_sanitised_as_an_upload_is(
    owner_api, base, page, client
):
    response = owner_api.patch(base, {"page": {"logo": encoded(HOSTILE_SVG)}}, format="json")

    assert response.status_code == 200, response.json()
    assert stored()[6:] == (
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
        b'<circle r="4" cx="5" cy="5" fill="#0550ae"></circle></svg>',
        "image/svg+xml",
    )
    entry = AuditEntry.objects.order_by("pk").last()
    assert (entry.actor_name, entry.summary) == (
        "owner",
        f"logo image/svg+xml, {len(SANITISED)} bytes; removed <script>, onload=",
    )
    served = client.get(response.json()["logo_url"].removeprefix("https://status.acme.example"))
    assert (served.status_code, served.content) == (200, SANITISED)


def test_a_png_logo_in_a_data_address_with_line_breaks_and_its_removal(owner_api, base, page):
    image = png()
    wrapped = "\n".join(encoded(image)[i : i + 8] for i in range(0, len(encoded(image)), 8))

    sent = owner_api.patch(
        base, {"page": {"logo": f"data:image/png;base64,{wrapped}"}}, format="json"
    )
    removed = owner_api.patch(base, {"page": {"logo": None}}, format="json")

    assert sent.json()["logo_content_type"] == "image/png"
    assert (removed.json()["logo_url"], stored()[6:]) == (None, (b"", ""))
    summaries = AuditEntry.objects.order_by("pk").values_list("summary", flat=True)
    assert list(summaries)[-2:] == [f"logo image/png, {len(image)} bytes", "logo removed"]


def test_statuspage_s_form_encoding_sets_them_too(owner_api, base, page):
    response = owner_api.patch(
        base,
        urlencode(
            {
                "page[brand_colour]": "#0550ae",
                "page[update_reminder_minutes]": "0",
                "page[footer_links][0][label]": "Privacy",
                "page[footer_links][0][url]": "https://acme.example/privacy",
                "page[footer_links][1][label]": "Terms",
                "page[footer_links][1][url]": "https://acme.example/terms",
                "page[logo]": encoded(SANITISED),
            }
        ),
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200, response.json()
    assert stored()[1:] == (
        0,
        "#0550ae",
        "",
        [],
        [
            {"label": "Privacy", "label_ja": "", "url": "https://acme.example/privacy"},
            {"label": "Terms", "label_ja": "", "url": "https://acme.example/terms"},
        ],
        SANITISED,
        "image/svg+xml",
    )


def test_null_clears_a_colour_and_links(owner_api, base, page):
    services.edit_page_settings(brand_colour="#6f42c1", header_links=[HOME])

    response = owner_api.patch(
        base, {"page": {"brand_colour": None, "header_links": None}}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert stored()[2:5] == ("", "", [])


BOMB = b'<!DOCTYPE svg [<!ENTITY a "a">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>'


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"brand_colour": "#ffcc00"},
            "page.brand_colour",
            "#ffcc00 reaches only 1.51:1 against white (the light page and the text on the "
            "button) in light mode; WCAG AA asks for at least 4.5:1. Choose a darker colour.",
        ),
        (
            {"brand_colour_dark": "#0550ae"},
            "page.brand_colour_dark",
            "#0550ae reaches only 2.49:1 against the dark page (#0d1117, also the text on the "
            "button) in dark mode; WCAG AA asks for at least 4.5:1. Choose a lighter colour, or "
            "leave the dark-mode colour empty to have one derived.",
        ),
        (
            {"brand_colour": "blue"},
            "page.brand_colour",
            "“blue” is not a colour: write it as #rrggbb, e.g. #0550ae.",
        ),
        (
            {"header_links": [{"label": "Run", "url": "javascript:alert(1)"}]},
            "page.header_links.0.url",
            "Give a full http:// or https:// address of at most 500 characters.",
        ),
        (
            {"footer_links": [HOME, {"label": "Ftp", "url": "ftp://acme.example/"}]},
            "page.footer_links.1.url",
            "Give a full http:// or https:// address of at most 500 characters.",
        ),
        ({"header_links": [HOME] * 6}, "page.header_links", "At most 5 links."),
        (
            {"header_links": [{"label": "A | B", "url": "https://acme.example"}]},
            "page.header_links.0.label",
            "Write the label on one line, without “|”.",
        ),
        ({"header_links": [{"url": "https://a.example"}]}, "page.header_links.0.label",
         "This field is required."),
        ({"header_links": ["https://a.example"]}, "page.header_links.0",
         'Send a link as {"label": …, "label_ja": …, "url": …}.'),
        (
            {"logo": encoded(BOMB)},
            "page.logo",
            "The SVG declares XML entities; save it without them.",
        ),
        ({"logo": "not base64!"}, "page.logo", "Send the image's bytes as base64 text."),
        (
            {"logo": encoded(b"GIF89a" + b"\0" * 10)},
            "page.logo",
            "The logo must be an SVG or a PNG image.",
        ),
        (
            {"logo": encoded(b"<svg" * 2100)},
            "page.logo",
            "The logo is 8400 bytes; at most 8192 are accepted.",
        ),
        (
            {"update_reminder_minutes": 1441},
            "page.update_reminder_minutes",
            "Ensure this value is less than or equal to 1440.",
        ),
        (
            {"update_reminder_minutes": True},
            "page.update_reminder_minutes",
            "A valid integer is required.",
        ),
        ({"time_zone": "Mars/Olympus"}, "page.time_zone",
         "“Mars/Olympus” is not an IANA time zone."),
    ],
)  # fmt: skip
def test_a_bad_field_is_a_400_naming_it_and_nothing_changes(
    owner_api, base, page, fields, field, message
):
    before, audited = stored(), audited_writes()
    good = {"name": "Renamed", "brand_colour": "#6f42c1", "logo": encoded(SANITISED)}

    response = owner_api.patch(base, {"page": good | fields}, format="json")

    assert response.status_code == 400
    assert response.json() == {"error": f"{field}: {message}", "fields": {field: message}}
    assert (stored(), audited_writes()) == (before, audited)


@pytest.mark.parametrize("url", HOSTILE_SCHEMES, ids=repr)
def test_a_link_that_runs_is_refused_as_in_the_console(owner_api, base, page, url):
    before, audited = stored(), audited_writes()

    response = owner_api.patch(
        base, {"page": {"footer_links": [HOME, {"label": "Run", "url": url}]}}, format="json"
    )

    assert (response.status_code, list(response.json()["fields"])) == (
        400,
        ["page.footer_links.1.url"],
    )
    assert (stored(), audited_writes()) == (before, audited)


@pytest.mark.parametrize("role", ["oncall", "viewer"])
def test_an_oncall_or_viewer_key_is_refused_and_nothing_changes(role, base, page, request):
    api = signed_in(request.getfixturevalue(role))
    before, audited = stored(), audited_writes()

    response = api.patch(
        base,
        {"page": {"brand_colour": "#6f42c1", "logo": encoded(SANITISED), "header_links": []}},
        format="json",
    )

    assert response.status_code == 403
    assert response.json() == {
        "error": "Your role may not do this (it needs the incidents.change_pagesettings "
        "permission)."
    }
    assert (stored(), audited_writes()) == (before, audited)


def test_a_retried_logo_upload_is_answered_again_and_stored_once(owner_api, base, page):
    body = {"page": {"logo": encoded(HOSTILE_SVG), "brand_colour": "#6f42c1"}}
    first = owner_api.patch(base, body, format="json", HTTP_IDEMPOTENCY_KEY="brand-1")
    audited = audited_writes()

    again = owner_api.patch(base, body, format="json", HTTP_IDEMPOTENCY_KEY="brand-1")

    assert (again.status_code, again["Idempotent-Replayed"]) == (200, "true")
    assert again.json() == first.json()
    assert audited_writes() == audited
