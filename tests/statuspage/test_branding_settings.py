"""Branding in the console's page settings: colours checked for contrast, links checked, a logo
uploaded (an SVG stripped of what could run, a PNG checked), each through the services, audited,
and nothing written when anything is refused."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from incidents import services
from incidents.models import AuditEntry, PageSettings
from tests.incidents.test_admin import form_data, form_errors
from tests.statuspage.test_branding_validation import CLEAN_SVG, png

pytestmark = pytest.mark.django_db

URL = "/admin/incidents/pagesettings/1/change/"
HOSTILE_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" onload="alert(1)">'
    b'<script>alert(2)</script><circle r="4" cx="5" cy="5" fill="#0550ae"/></svg>'
)


@pytest.fixture
def page():
    return services.edit_page_settings(name="Acme")


def settings_form(client) -> dict:
    data = form_data(client.get(URL), "pagesettings_form")
    data.pop("logo_upload", None)
    return data


def test_the_console_saves_colours_links_and_an_svg_logo_without_its_script(admin_client, page):
    data = settings_form(admin_client) | {
        "brand_colour": "#6F42C1",
        "header_links": "Home | ホーム | https://acme.example\nBlog | https://blog.acme.example",
        "footer_links": "Privacy | https://acme.example/privacy",
        "logo_upload": SimpleUploadedFile("logo.svg", HOSTILE_SVG, content_type="image/svg+xml"),
    }

    response = admin_client.post(URL, data)

    assert response.status_code == 302, form_errors(response)
    page = PageSettings.objects.get()
    assert (page.brand_colour, page.brand_colour_dark) == ("#6f42c1", "")
    assert page.header_links == [
        {"label": "Home", "label_ja": "ホーム", "url": "https://acme.example"},
        {"label": "Blog", "label_ja": "", "url": "https://blog.acme.example"},
    ]
    assert page.footer_links == [
        {"label": "Privacy", "label_ja": "", "url": "https://acme.example/privacy"}
    ]
    assert bytes(page.logo) == (
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
        b'<circle r="4" cx="5" cy="5" fill="#0550ae"></circle></svg>'
    )
    assert page.logo_type == "image/svg+xml"
    assert len(page.logo_digest) == 16
    summaries = list(AuditEntry.objects.order_by("id").values_list("summary", flat=True))
    assert summaries[-2:] == [
        "brand_colour, header_links, footer_links",
        f"logo image/svg+xml, {len(page.logo)} bytes; removed <script>, onload=",
    ]
    # The form shows the links as typed, and saving it untouched writes nothing.
    again = settings_form(admin_client)
    assert again["header_links"] == (
        "Home | ホーム | https://acme.example\nBlog | https://blog.acme.example"
    )
    assert admin_client.post(URL, again).status_code == 302
    assert AuditEntry.objects.count() == len(summaries)


def test_a_colour_without_contrast_is_refused_with_its_ratio_and_nothing_is_written(
    admin_client, page
):
    data = settings_form(admin_client) | {
        "name": "Renamed",
        "brand_colour": "#ffcc00",
        "brand_colour_dark": "#0550ae",
        "logo_upload": SimpleUploadedFile("logo.svg", CLEAN_SVG),
    }

    response = admin_client.post(URL, data)

    assert response.status_code == 200
    assert form_errors(response) == {
        "brand_colour": [
            "#ffcc00 reaches only 1.51:1 against white (the light page and the text on the "
            "button) in light mode; WCAG AA asks for at least 4.5:1. Choose a darker colour."
        ],
        "brand_colour_dark": [
            "#0550ae reaches only 2.49:1 against the dark page (#0d1117, also the text on "
            "the button) in dark mode; WCAG AA asks for at least 4.5:1. Choose a lighter "
            "colour, or leave the dark-mode colour empty to have one derived."
        ],
    }
    page = PageSettings.objects.get()
    assert (page.name, page.brand_colour, page.logo_digest) == ("Acme", "", "")
    assert AuditEntry.objects.filter(summary__startswith="logo").count() == 0


def test_bad_links_and_a_bad_logo_are_refused_beside_their_fields(admin_client, page):
    data = settings_form(admin_client) | {
        "footer_links": "Home | https://acme.example\nEvil | javascript:alert(1)",
        "logo_upload": SimpleUploadedFile("logo.png", png()[:-3]),
    }

    response = admin_client.post(URL, data)

    assert form_errors(response) == {
        "footer_links": ["Line 2: the address must be a full http:// or https:// URL."],
    }
    data["footer_links"] = ""
    data["logo_upload"] = SimpleUploadedFile("logo.png", png()[:-3])
    response = admin_client.post(URL, data)
    assert form_errors(response) == {
        "logo_upload": ["The PNG is damaged or not a PNG: it ends inside a chunk."]
    }
    assert PageSettings.objects.get().footer_links == []


def test_a_png_logo_is_stored_and_removed(admin_client, page):
    data = settings_form(admin_client) | {"logo_upload": SimpleUploadedFile("l.png", png())}
    assert admin_client.post(URL, data).status_code == 302
    page = PageSettings.objects.get()
    assert (bytes(page.logo), page.logo_type) == (png(), "image/png")

    data = settings_form(admin_client) | {"remove_logo": "on"}
    assert admin_client.post(URL, data).status_code == 302
    page = PageSettings.objects.get()
    assert (bytes(page.logo), page.logo_type, page.logo_digest) == (b"", "", "")
    assert AuditEntry.objects.order_by("-id").values_list("summary", flat=True)[0] == (
        "logo removed"
    )


def test_the_service_refuses_a_bad_logo_under_its_field():
    with pytest.raises(ValidationError) as error:
        services.set_page_logo(data=b"GIF89a")
    assert error.value.message_dict == {"logo": ["The logo must be an SVG or a PNG image."]}
    assert not PageSettings.objects.exclude(logo_type="").exists()
    assert not AuditEntry.objects.exists()


def test_an_oncall_member_cannot_change_the_branding(client, oncall, page):
    client.force_login(oncall)
    response = client.post(URL, {"brand_colour": "#000000"})
    assert response.status_code == 403
    assert PageSettings.objects.get().brand_colour == ""
