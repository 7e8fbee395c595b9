"""The forms of the public subscription pages: subscribe, manage, and the SMS code.

They parse and check what a visitor typed; the address itself is checked for its channel by
notify.addresses, so the rules live in one place. A service's
ValidationError is shown beside the field it names, translated when the catalogue has it.
"""

from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from incidents.models import Incident
from incidents.selectors import ComponentEntry
from notify import addresses
from notify.choices import Channel, Language

SCOPE_ALL = "all"
SCOPE_COMPONENTS = "components"


@dataclass(frozen=True)
class AddressInput:
    """How the address field of one channel is labelled, typed and explained."""

    label: Promise
    input_type: str
    autocomplete: str
    hint: Promise
    missing: Promise
    placeholder: str = ""


ADDRESS_INPUTS: dict[str, AddressInput] = {
    Channel.EMAIL: AddressInput(
        _("E-mail address"),
        "email",
        "email",
        _("We will send you a link to confirm. Nothing else is sent until you do."),
        _("Enter your e-mail address."),
    ),
    Channel.SMS: AddressInput(
        _("Mobile number"),
        "tel",
        "tel",
        _(
            "With the country code, for example +81 90 1234 5678. We will text you a 6-digit "
            "code to enter on the next page. SMS are sent only when an incident starts or is "
            "resolved, and when maintenance starts."
        ),
        _("Enter your mobile number."),
        "+81 90 1234 5678",
    ),
    Channel.WEBHOOK: AddressInput(
        _("Webhook URL"),
        "url",
        "url",
        _(
            "An https:// address that accepts POST requests. We will POST a verification "
            "request to it with a link to open; bodies are signed so that you can check them."
        ),
        _("Enter the webhook URL."),
        "https://example.com/hooks/status",
    ),
    Channel.SLACK: AddressInput(
        _("Slack incoming webhook URL"),
        "url",
        "off",
        _(
            "Create one in Slack (Apps → Incoming Webhooks) for the channel that should get "
            "the updates. We will post a message there with a link to confirm."
        ),
        _("Enter the Slack incoming webhook URL."),
        "https://hooks.slack.com/services/…",
    ),
}


def choose(field: forms.Field, choices: list[tuple[str, Any]]) -> None:
    """Set the choices of a choice field (known only when the form is made)."""
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def add_service_error(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError beside the fields it names (the form as a whole for
    any other), each message translated when the catalogue knows it."""
    named = error.error_dict if hasattr(error, "error_dict") else {None: error.error_list}
    for field, errors in named.items():
        target = field if field in form.fields else None
        for each in errors:
            message = gettext(str(each.message))
            form.add_error(target, message % each.params if each.params else message)


class ScopeForm(forms.Form):
    """What a subscriber follows and reads: the language, and the whole page or components.
    On a subscription to one incident there is no choice of components."""

    language = forms.ChoiceField(
        label=_("Language of the messages"),
        choices=Language.choices,
        error_messages={
            "required": _("Choose a language."),
            "invalid_choice": _("Choose English or Japanese."),
        },
    )
    scope = forms.ChoiceField(
        choices=((SCOPE_ALL, SCOPE_ALL), (SCOPE_COMPONENTS, SCOPE_COMPONENTS)),
        error_messages={
            "required": _("Choose what to be told about."),
            "invalid_choice": _("Choose what to be told about."),
        },
    )
    components = forms.MultipleChoiceField(
        required=False,
        error_messages={"invalid_choice": _("Choose components from the list.")},
    )

    def __init__(self, *args, entries: list[ComponentEntry], incident: Incident | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.incident = incident
        # The page's groups and lone components, in its order, for the checkboxes.
        self.entries = [entry for entry in entries if entry.components]
        self.by_public_id = {c.public_id: c for entry in self.entries for c in entry.components}
        if incident is None:
            choose(self.fields["components"], [(key, key) for key in self.by_public_id])
        else:
            del self.fields["scope"], self.fields["components"]

    def clean(self):
        cleaned = super().clean()
        chosen = cleaned.get("components") or []
        if cleaned.get("scope") == SCOPE_COMPONENTS and not chosen and "components" in cleaned:
            self.add_error(
                "components",
                _("Choose at least one component, or choose everything on this page."),
            )
        wanted = cleaned.get("scope") == SCOPE_COMPONENTS
        cleaned["chosen"] = [self.by_public_id[key] for key in chosen] if wanted else []
        return cleaned

    def chosen_ids(self) -> set[str]:
        """The components ticked (as submitted, or as stored) for the checkboxes."""
        if "components" not in self.fields:
            return set()
        return {str(key) for key in self["components"].value() or ()}

    def value_of(self, name: str) -> str:
        return str(self[name].value() or "") if name in self.fields else ""


class SubscribeForm(ScopeForm):
    """A new subscription: a channel offered here, an address it accepts, a language, a scope."""

    channel = forms.ChoiceField(
        choices=(),
        error_messages={
            "required": _("Choose how to receive updates."),
            "invalid_choice": _("Choose one of the ways to receive updates offered here."),
        },
    )
    address = forms.CharField(max_length=500, required=False, strip=True)

    field_order = ("channel", "address", "language", "scope", "components")

    def __init__(self, *args, channels: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choose(self.fields["channel"], [(name, Channel(name).label) for name in channels])
        self.fields["address"].error_messages["max_length"] = _("This address is too long.")

    def clean(self):
        cleaned = super().clean()
        channel = cleaned.get("channel")
        if not channel:
            return cleaned
        address = cleaned.get("address", "")
        if not address:
            self.add_error("address", ADDRESS_INPUTS[Channel(channel)].missing)
            return cleaned
        try:
            cleaned["address"] = addresses.normalised_address(channel, address)
        except ValidationError as error:
            add_service_error(self, error)
        return cleaned


class CodeForm(forms.Form):
    """The code an SMS subscriber was sent, spaces and dashes forgiven (the service checks it)."""

    code = forms.CharField(label=_("Confirmation code"), max_length=20, required=False)

    def clean_code(self) -> str:
        return "".join(c for c in self.cleaned_data["code"] if c not in " -")
