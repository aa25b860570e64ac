"""Forms visitors fill in with GET parameters: the chooser and the cost calculator.

A bad value is a form error the page shows (with status 400), never a 500: letters in numbers,
negative or huge numbers and unknown choices are all refused here.
"""

from decimal import Decimal
from html import escape
from typing import ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.choices import BaseChoiceIterator
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from catalog import guidance
from catalog.fields import Modality
from catalog.guidance import chooser
from catalog.models import ModelKind, Provider

MAX_TOKENS_PER_MONTH = 10**12  # a trillion tokens a month
MAX_CONTEXT = 100_000_000
MAX_PRICE = Decimal(100_000)  # USD per million tokens
MAX_PARAMS_BILLIONS = Decimal(100_000)
MAX_PAGE = 100_000

TRUE_WORDS = {"1", "on", "true", "yes"}
FALSE_WORDS = {"0", "off", "false", "no"}


# Django's input.html (with attrs.html) for these templates: drawn in Python by PythonInput.
_INPUT_TEMPLATES = frozenset(
    {
        "django/forms/widgets/number.html",
        "django/forms/widgets/checkbox.html",
        "django/forms/widgets/checkbox_option.html",
    }
)


def _input_html(widget: dict) -> str:
    """<input> as django/forms/widgets/input.html writes it, attributes in their order."""
    value = "" if widget["value"] is None else f' value="{escape(str(widget["value"]))}"'
    attrs = "".join(
        f" {escape(name)}" if item is True else f' {escape(name)}="{escape(str(item))}"'
        for name, item in widget["attrs"].items()
        if item is not False
    )
    return f'<input type="{escape(widget["type"])}" name="{escape(widget["name"])}"{value}{attrs}>'


class PythonInput:
    """A widget whose <input>s are drawn in Python, same bytes: a template render per input cost the
    chooser's form about 3 ms."""

    def _render(self, template_name, context, renderer=None):
        widget = context["widget"]
        if template_name in _INPUT_TEMPLATES and not widget.get("wrap_label"):
            return mark_safe(_input_html(widget))
        return super()._render(template_name, context, renderer)


class NumberInput(PythonInput, forms.NumberInput):
    pass


class CheckboxSelectMultiple(PythonInput, forms.CheckboxSelectMultiple):
    pass


class TokenCountField(forms.IntegerField):
    """A whole number of tokens; "1,000,000", "1_000_000" and "1 000 000" all read as a million."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MAX_TOKENS_PER_MONTH)
        kwargs.setdefault("widget", NumberInput(attrs={"step": 1, "inputmode": "numeric"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(",", "").replace("_", "").replace(" ", "")
            if value and not value.isascii():
                raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class FlagInput(PythonInput, forms.CheckboxInput):
    """A checkbox that submits value=1 and hands the raw submitted text to its field to judge."""

    def format_value(self, value):
        return "1"

    def value_from_datadict(self, data, files, name):
        return data.get(name)


class FlagField(forms.Field):
    """A need that is stated (1, on, true, yes) or not (absent, empty, 0, off, false, no)."""

    widget = FlagInput
    default_error_messages: ClassVar[dict] = {"invalid": "Use 1 to require it, or leave it out."}

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.check_test = lambda value: str(value).strip().lower() in TRUE_WORDS or value is True

    def to_python(self, value):
        if value in (None, "", False):
            return False
        if value is True:
            return True
        text = str(value).strip().lower()
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS or text == "":
            return False
        raise ValidationError(self.error_messages["invalid"], code="invalid")


def _decimal(label, max_value, decimal_places, help_text, min_value=Decimal(0)):
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=min_value,
        max_value=max_value,
        max_digits=12,
        decimal_places=decimal_places,
        help_text=help_text,
        widget=NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )


def _kind(value: str | None) -> str:
    """The kind to choose among: chat when none is given, every kind for "any"."""
    if not value:
        return str(ModelKind.CHAT)
    return "" if value == ANY_KIND else value


class PlainSelect(forms.Select):
    """A <select> written in Python (str.join, the standard escape): the template-per-option widget takes ~50 ms
    for the 130 providers, format_html per option still a few."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        selected = {"" if value is None else str(value)}
        options = "".join(
            f'<option value="{escape(key)}"{" selected" if key in selected else ""}>{escape(label)}</option>'
            for key, label in ((str(k), str(v)) for k, v in self.choices)
        )
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(attrs), mark_safe(options))


class ProviderChoices(BaseChoiceIterator):
    """Every provider by slug: one flat query, made when first needed (drawing the select or checking a value)."""

    def __init__(self):
        self.rows = None

    def __iter__(self):
        if self.rows is None:
            self.rows = [("", "Any provider"), *Provider.objects.order_by("name").values_list("slug", "name")]
        return iter(self.rows)


ANY_KIND = "any"
KIND_CHOICES = [
    *((value, label) for value, label in ModelKind.choices if value != ModelKind.ROUTER),
    (ANY_KIND, "Any kind"),
]
DEPLOYMENT_CHOICES = [("", "Either"), ("api", "An API serves it"), ("self_hosted", "I run it myself (open weights)")]


class ChooserForm(forms.Form):
    """/choose/: the workload's needs. Parameter names are part of the public URL."""

    kind = forms.ChoiceField(
        label="Kind of model",
        required=False,
        choices=KIND_CHOICES,
        widget=PlainSelect,
        help_text="Chat models unless you choose another kind.",
    )
    deployment = forms.ChoiceField(
        label="How you run it", required=False, choices=DEPLOYMENT_CHOICES, widget=PlainSelect
    )
    provider = forms.ChoiceField(label="Provider", required=False, widget=PlainSelect)

    modality = forms.MultipleChoiceField(
        label="Inputs it must accept",
        required=False,
        choices=Modality.choices,
        widget=CheckboxSelectMultiple,
    )
    context_min = TokenCountField(
        label="Minimum context (tokens)",
        min_value=1,
        max_value=MAX_CONTEXT,
        help_text="For example 32768 for 32k.",
    )
    tool_calling = FlagField(label="Tool calling")
    reasoning = FlagField(label="Reasoning")
    structured_output = FlagField(label="Structured output")
    open_weights = FlagField(label="Open weights required")
    params_max = _decimal(
        "Maximum parameters (billions), for local use",
        MAX_PARAMS_BILLIONS,
        3,
        "For example 13 for 13B.",
        min_value=Decimal("0.001"),
    )
    price_input_max = _decimal("Maximum input price ($ per million tokens)", MAX_PRICE, 6, "")
    price_output_max = _decimal("Maximum output price ($ per million tokens)", MAX_PRICE, 6, "")
    input_tokens = TokenCountField(label="Input tokens a month", help_text="To estimate a monthly cost.")
    output_tokens = TokenCountField(label="Output tokens a month")
    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = ProviderChoices()  # one per form, read at most once

    NEED_GROUPS = (
        ("Kind and deployment", ("kind", "deployment", "provider")),
        ("Inputs and context", ("modality", "context_min")),
        ("Capabilities", ("tool_calling", "reasoning", "structured_output", "open_weights")),
        ("Size and price", ("params_max", "price_input_max", "price_output_max")),
        ("Monthly volume", ("input_tokens", "output_tokens")),
    )

    def groups(self):
        """The visible fields in fieldsets, for the template."""
        return [(legend, [self[name] for name in names]) for legend, names in self.NEED_GROUPS]

    def needs(self) -> chooser.Needs:
        data = self.cleaned_data
        params_max = data.get("params_max")
        provider = data.get("provider") or ""
        return chooser.Needs(
            kind=_kind(data.get("kind")),
            deployment=data.get("deployment") or "",
            provider=provider,
            provider_name=dict(self.fields["provider"].choices).get(provider, provider) if provider else "",
            modalities=tuple(data.get("modality") or ()),
            context_min=data.get("context_min") or None,
            tool_calling=data.get("tool_calling", False),
            reasoning=data.get("reasoning", False),
            structured_output=data.get("structured_output", False),
            open_weights=data.get("open_weights", False),
            params_max=int(params_max * 10**9) if params_max else None,
            price_input_max=data.get("price_input_max"),
            price_output_max=data.get("price_output_max"),
            input_tokens=data.get("input_tokens") or None,
            output_tokens=data.get("output_tokens") or None,
        )


class CostForm(forms.Form):
    """The cost calculator on a variant page. Without parameters it shows a million input and output tokens."""

    DEFAULTS: ClassVar[dict] = {"input_tokens": 1_000_000, "output_tokens": 1_000_000, "cached_tokens": 0}

    input_tokens = TokenCountField(label="Input tokens a month")
    output_tokens = TokenCountField(label="Output tokens a month")
    cached_tokens = TokenCountField(
        label="Cached input tokens",
        help_text="The part of the input tokens read from the provider's prompt cache.",
    )

    def __init__(self, data=None, **kwargs):
        names = set(self.base_fields)
        if data is not None and not names & set(data):
            data = None  # the page's other parameters are not calculator input
        kwargs.setdefault("initial", self.DEFAULTS)
        super().__init__(data, **kwargs)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        input_tokens = data.get("input_tokens") or 0
        if (data.get("cached_tokens") or 0) > input_tokens:
            self.add_error(
                "cached_tokens",
                f"Cached input tokens are part of the input tokens, so they cannot exceed them ({input_tokens:,}).",
            )
        return data

    def usage(self) -> guidance.Usage | None:
        """The usage to price: the submitted numbers, the defaults when nothing was submitted, None when invalid."""
        if not self.is_bound:
            return guidance.Usage(**self.DEFAULTS)
        if not self.is_valid():
            return None
        data = self.cleaned_data
        return guidance.Usage(
            data.get("input_tokens") or 0, data.get("output_tokens") or 0, data.get("cached_tokens") or 0
        )
