"""The GET forms: what they accept, what they refuse, and what they hand to the engine."""

from decimal import Decimal

import pytest
from django.http import QueryDict

from catalog import guidance
from catalog.forms import ChooserForm, CostForm
from catalog.guidance.chooser import Needs


def chooser_form(query: str) -> ChooserForm:
    return ChooserForm(QueryDict(query))


def test_chooser_form_to_needs():
    form = chooser_form(
        "modality=image&modality=text&context_min=32%2C768&tool_calling=on&reasoning=0"
        "&open_weights=yes&params_max=13.5&price_input_max=0.5&price_output_max=1.5"
        "&input_tokens=10_000_000&output_tokens=2000000"
    )
    assert form.is_valid(), form.errors
    assert form.needs() == Needs(
        modalities=("image", "text"),
        context_min=32768,
        tool_calling=True,
        reasoning=False,
        structured_output=False,
        open_weights=True,
        params_max=13_500_000_000,
        price_input_max=Decimal("0.5"),
        price_output_max=Decimal("1.5"),
        input_tokens=10_000_000,
        output_tokens=2_000_000,
        kind="chat",
    )


def test_empty_chooser_form_states_no_need():
    form = chooser_form("context_min=&params_max=&tool_calling=")
    assert form.is_valid()
    assert form.needs() == Needs(kind="chat")  # chat models unless another kind is chosen


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("context_min=abc", "context_min"),
        ("context_min=-1", "context_min"),
        ("context_min=100000001", "context_min"),
        ("context_min=4.5", "context_min"),
        ("modality=smell", "modality"),
        ("tool_calling=maybe", "tool_calling"),
        ("open_weights=2", "open_weights"),
        ("params_max=0", "params_max"),
        ("params_max=1e9", "params_max"),
        ("price_input_max=-1", "price_input_max"),
        ("price_output_max=sNaN", "price_output_max"),
        ("price_output_max=0.0000001", "price_output_max"),
        ("input_tokens=1000000000001", "input_tokens"),
        ("output_tokens=%D9%A1%D9%A2", "output_tokens"),
        ("page=-2", "page"),
    ],
)
def test_chooser_form_refuses(query, field):
    form = chooser_form(query)
    assert not form.is_valid()
    assert list(form.errors) == [field]


def test_flag_checkbox_renders_checked_with_value_1():
    form = chooser_form("tool_calling=true")
    html = str(form["tool_calling"])
    assert 'value="1"' in html and "checked" in html
    assert "checked" not in str(chooser_form("tool_calling=0")["tool_calling"])


def test_cost_form_defaults_without_parameters():
    assert CostForm(None).usage() == guidance.Usage(1_000_000, 1_000_000, 0)
    assert CostForm(QueryDict("utm_source=x")).usage() == guidance.Usage(1_000_000, 1_000_000, 0)


def test_cost_form_reads_the_url():
    form = CostForm(QueryDict("input_tokens=5%2C000&output_tokens=&cached_tokens=1000"))
    assert form.usage() == guidance.Usage(5000, 0, 1000)


@pytest.mark.parametrize(
    "query",
    [
        "input_tokens=x",
        "input_tokens=-1",
        "output_tokens=1.5",
        "cached_tokens=10",
        "input_tokens=99999999999999",
    ],
)
def test_cost_form_refuses(query):
    form = CostForm(QueryDict(query))
    assert not form.is_valid()
    assert form.usage() is None
