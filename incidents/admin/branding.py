"""The branding part of the page settings form: the logo upload, the brand colours and the
header and footer links (incidents.branding checks them; services.set_page_logo stores the
logo)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from incidents import services
from incidents.branding.colours import normalized_colour
from incidents.branding.links import links_text, parsed_links
from incidents.branding.logo import MAX_LOGO_BYTES

BRANDING_FIELDS = ("brand_colour", "brand_colour_dark", "header_links", "footer_links")
LINKS_HELP = _(
    "One link per line, at most 5: “Label | https://…”, or “Label | 日本語のラベル | https://…”."
)


class LinksField(forms.CharField):
    """Links typed one per line, cleaned to the stored list."""

    widget = forms.Textarea(attrs={"rows": 3, "cols": 60})

    def prepare_value(self, value):
        return links_text(value) if isinstance(value, list) else value

    def to_python(self, value):
        return parsed_links(super().to_python(value) or "")


class ColourField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(required=False, max_length=7, **kwargs)
        self.widget.attrs.update({"placeholder": "#0550ae", "size": 8})

    def to_python(self, value):
        text = super().to_python(value)
        return normalized_colour(text) if text else ""


class BrandingFormMixin(forms.Form):
    """Fields for a ServiceForm of PageSettings; its commit() calls commit_logo()."""

    # Not named `logo`: that is the model's stored (non-editable) field.
    error_fields = {"logo": "logo_upload"}
    logo_upload = forms.FileField(
        label=_("logo"),
        required=False,
        help_text=_(
            "An SVG or PNG image, at most 8 KB, shown in place of the page's name in the "
            "header. Scripts, links to other sites and metadata are removed from it."
        ),
    )
    remove_logo = forms.BooleanField(label=_("remove the logo"), required=False)
    brand_colour = ColourField(
        label=_("brand colour"),
        help_text=_(
            "Colours the header's edge, the page's name and the Subscribe button. It must "
            "reach 4.5:1 against white (WCAG AA)."
        ),
    )
    brand_colour_dark = ColourField(
        label=_("brand colour in dark mode"),
        help_text=_(
            "For visitors whose system is in dark mode; it must reach 4.5:1 against the dark "
            "page. Empty: the brand colour, lightened until it does."
        ),
    )
    header_links = LinksField(label=_("header links"), required=False, help_text=LINKS_HELP)
    footer_links = LinksField(label=_("footer links"), required=False, help_text=LINKS_HELP)

    def clean_logo_upload(self):
        upload = self.cleaned_data.get("logo_upload")
        if upload and upload.size > MAX_LOGO_BYTES:
            raise ValidationError(
                _("The logo is %(size)s bytes; at most %(limit)s are accepted."),
                params={"size": upload.size, "limit": MAX_LOGO_BYTES},
            )
        return upload

    def page_field_values(self) -> dict:
        """model_field_values() without the logo's fields (the admin lists every form field
        in Meta.fields; the logo is stored by a service of its own)."""
        values = self.model_field_values()  # type: ignore[attr-defined]  # of ServiceForm
        return {k: v for k, v in values.items() if k not in ("logo_upload", "remove_logo")}

    def commit_logo(self) -> None:
        """Store the uploaded logo, or remove it when asked (inside commit's transaction)."""
        upload = self.cleaned_data.get("logo_upload")
        if upload:
            services.set_page_logo(data=upload.read(), actor=self.user)  # type: ignore[attr-defined]
        elif self.cleaned_data.get("remove_logo"):
            services.set_page_logo(data=None, actor=self.user)  # type: ignore[attr-defined]
