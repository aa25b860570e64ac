"""/compare/: two to six variants side by side, every spec and every provider's price, the best value marked."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.template.response import TemplateResponse
from django.utils.http import urlencode
from django.views import View

from catalog import columns as table_columns
from catalog import guidance
from catalog.models import OfferingKind
from catalog.selectors import tables

MAX_COMPARED = 6


class CompareView(View):
    template_name = "catalog/compare.html"
    query_parameters = frozenset({"v"})

    def get(self, request):
        raw = request.GET.getlist("v")
        refs, errors = [], []
        for value in raw:
            family, _, variant = value.partition("/")
            if not family or not variant or "/" in variant:
                errors.append(f"{value!r} is not family/variant, e.g. llava/llava-13b.")
            elif (family, variant) not in refs:
                refs.append((family, variant))
        if len(refs) > MAX_COMPARED:
            errors.append(f"Compare at most {MAX_COMPARED} models; {len(refs)} were given.")
            refs = refs[:MAX_COMPARED]
        variants, missing, offerings = tables.compare_rows(refs)
        errors += [f"No model {family}/{variant} in the catalog." for family, variant in missing]
        if len(variants) < 2 and not errors:
            errors.append("Pick two to six models to compare, e.g. ?v=llava/llava-13b&v=llava-1-5/llava-1-5-13b.")
        rows = compare_spec_rows(variants)
        providers = sorted({o.provider for items in offerings.values() for o in items}, key=lambda p: p.name.lower())
        price_rows = []
        for provider in providers:
            cells = []
            for v in variants:
                # Only pay-per-token prices are prices: a free tier's $0 is shown as a free tier, never "cheapest".
                here = sorted(
                    (o for o in offerings[v.pk] if o.provider_id == provider.pk),
                    key=lambda o: (o.kind != OfferingKind.PAY_PER_TOKEN, o.price_input is None, o.price_input or 0),
                )
                cells.append(here[0] if here else None)
            priced = [
                c.price_input + c.price_output
                for c in cells
                if c is not None
                and c.kind == OfferingKind.PAY_PER_TOKEN
                and c.price_input is not None
                and c.price_output is not None
            ]
            cheapest = min(priced) if len(priced) > 1 and len(set(priced)) > 1 else None
            price_rows.append(
                {
                    "provider": provider,
                    "cells": [
                        {
                            "offering": c,
                            "best": cheapest is not None
                            and c is not None
                            and c.kind == OfferingKind.PAY_PER_TOKEN
                            and c.price_input is not None
                            and c.price_output is not None
                            and c.price_input + c.price_output == cheapest,
                        }
                        for c in cells
                    ],
                    "differs": len(set(priced)) > 1,
                    "order": (-sum(c is not None for c in cells), min(priced) if priced else Decimal("Infinity")),
                }
            )
        # The providers that serve most of the compared models come first, the cheaper before the dearer.
        price_rows.sort(key=lambda row: row["order"])
        context = {
            "variants": variants,
            "rows": rows,
            "price_rows": price_rows,
            "errors": errors,
            "signals": {v.pk: guidance.signals(v) for v in variants},
            "use_when": {v.pk: guidance.use_when(v) for v in variants},
            "remove_links": {
                v.pk: "?" + urlencode([("v", f"{x.family.slug}/{x.slug}") for x in variants if x != v])
                for v in variants
            },
        }
        status = 400 if errors and not variants else 200
        return TemplateResponse(request, self.template_name, context, status=status)


@dataclass(frozen=True)
class CompareField:
    label: str
    value: Any  # variant -> the value compared (None: unknown)
    show: Any = table_columns.text  # value -> HTML
    best: str = ""  # "max" or "min": the best value is marked, with `best_word`
    best_word: str = ""
    differs: bool = True  # False: a difference here tells a reader nothing (e.g. which family)
    display: Any = None  # variant -> HTML, where what is shown is not the value compared (a release's precision)


def _license(v):
    return v.license or v.family.license or None


COMPARE_FIELDS = (
    CompareField("Family", lambda v: v.family.name, differs=False),
    CompareField("Creator", lambda v: v.family.creator.name, differs=False),
    CompareField("Status", lambda v: v.get_status_display()),
    CompareField(
        "Released",
        lambda v: v.release_date,
        best="max",
        best_word="newest",
        display=lambda v: table_columns.text(v.released_display),
    ),
    CompareField("Context window", lambda v: v.context_window, table_columns.tokens, best="max", best_word="longest"),
    CompareField("Max output", lambda v: v.max_output_tokens, table_columns.tokens, best="max", best_word="most"),
    CompareField("Parameters", lambda v: v.parameters, table_columns.params),
    CompareField("Active parameters", lambda v: v.active_parameters, table_columns.params),
    CompareField(
        "Input", lambda v: tuple(v.input_modalities) or None, lambda m: table_columns.text(", ".join(m) if m else None)
    ),
    CompareField(
        "Output",
        lambda v: tuple(v.output_modalities) or None,
        lambda m: table_columns.text(", ".join(m) if m else None),
    ),
    CompareField("Tool calling", lambda v: v.tool_calling, table_columns.yes_no),
    CompareField("Reasoning", lambda v: v.reasoning, table_columns.yes_no),
    CompareField("Structured output", lambda v: v.structured_output, table_columns.yes_no),
    CompareField("Open weights", lambda v: v.open_weights, table_columns.yes_no),
    CompareField("Knowledge cutoff", lambda v: v.knowledge_cutoff or None),
    CompareField("License", _license),
    CompareField(
        "Lowest input price ($/M)", lambda v: v.price_in_min, table_columns.price, best="min", best_word="cheapest"
    ),
    CompareField(
        "Lowest output price ($/M)", lambda v: v.price_out_min, table_columns.price, best="min", best_word="cheapest"
    ),
)


def compare_spec_rows(variants) -> list[dict]:
    """One row per compared field: the cells, the best value marked where the field has a better end
    and the known values differ, and "differs" only where two known values differ and that matters."""
    rows = []
    for field in COMPARE_FIELDS:
        values = [field.value(v) for v in variants]
        known = [value for value in values if value is not None]
        differs = field.differs and len(set(known)) > 1
        best = None
        if field.best and len(set(known)) > 1:
            best = max(known) if field.best == "max" else min(known)
        cells = []
        for variant, value in zip(variants, values, strict=True):
            shown = field.display(variant) if field.display else field.show(value)
            cells.append({"html": shown, "best": best is not None and value == best})
        rows.append({"label": field.label, "cells": cells, "differs": differs, "best_word": field.best_word})
    return rows
