"""Table pages: /models/, /families/, a provider's offerings, /compare/.

One machinery for all of them: a FilterSet for the filters, a whitelist of sort keys, a page size,
and three formats. HTML and exports show the same rows in the same order; JSON is one page,
CSV streams every matching row. Bad parameters are form errors: the HTML page explains them, the
exports answer 400 with a JSON body naming the parameter.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.core.paginator import EmptyPage, Paginator
from django.http import JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.views import View
from django_filters.views import FilterView

from catalog.filters import FamilyFilter, ModelFilter, OfferingFilter
from catalog.models import Provider
from catalog.selectors import charts as chart_selectors
from catalog.selectors import tables
from catalog.selectors.changelog import provider_changelog
from catalog.services import guidance

MAX_PAGE_SIZE = 200
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FACET_ROW_LIMIT = 20_000  # /models/ shows facet counts when the filters leave at most this many rows


@dataclass(frozen=True)
class Column:
    key: str  # the JSON key and CSV header; also the sort key when sortable
    label: str
    value: Any  # row -> JSON value
    sortable: bool = True
    numeric: bool = False


def csv_cell(value) -> str | int | float:
    """The one way every export writes a cell: lists joined by "|", booleans as true/false, None empty.

    Text (a list's items included) that a spreadsheet would run as a formula (=, +, -, @, tab,
    carriage return) gets a leading apostrophe, item by item: `=HYPERLINK(…)` is inert wherever it sits.
    Numbers are written as numbers (a negative number is not text and is not a formula).
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, Decimal)):
        return value
    if isinstance(value, (list, tuple, set, frozenset)):
        return "|".join(str(csv_cell(item)) for item in value)
    text = str(value)
    if text[:1] in FORMULA_STARTS:
        return "'" + text  # a spreadsheet would run it as a formula
    return text


def _number(value):
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


class TableOptionsForm(forms.Form):
    """The parameters every table shares: sort, page, page size, format."""

    sort = forms.CharField(required=False, max_length=40)
    page = forms.IntegerField(required=False, min_value=1, max_value=10**6)
    page_size = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE_SIZE)
    format = forms.ChoiceField(required=False, choices=[("html", "HTML"), ("csv", "CSV"), ("json", "JSON")])

    def __init__(self, *args, sort_keys=(), default_sort="", **kwargs):
        super().__init__(*args, **kwargs)
        self.sort_keys, self.default_sort = set(sort_keys), default_sort

    def clean_sort(self):
        sort = self.cleaned_data["sort"] or self.default_sort
        if sort.removeprefix("-") not in self.sort_keys:
            keys = ", ".join(sorted(self.sort_keys))
            raise forms.ValidationError(f"Unknown sort key {sort!r}; use one of {keys}, with - to descend.")
        return sort


class TableView(FilterView):
    """Filter, sort, page and render a table as HTML, CSV or JSON (a django-filter FilterView)."""

    template_name = ""
    filterset_class = None
    sorts: dict = {}
    tiebreak: tuple = ()
    default_sort = ""
    default_page_size = 50
    columns: list[Column] = []
    html_columns: tuple[str, ...] = ()  # the keys the HTML table shows, in its order (default: all)
    export_name = "table"
    htmx_partial = ""  # the template partial an htmx request swaps in; empty: the whole page

    @classmethod
    def get_query_parameters(cls) -> set[str]:
        """Every parameter the table reads: its filters and the shared options (the page cache's key)."""
        return set(cls.filterset_class.base_filters) | set(TableOptionsForm.base_fields)

    def get_queryset(self):
        raise NotImplementedError

    def get_filterset_kwargs(self, filterset_class):
        # Always bound, so the defaults (e.g. current and legacy status) and the facets apply to "/models/" too.
        return {**super().get_filterset_kwargs(filterset_class), "data": self.request.GET.copy()}

    def extra_context(self, filterset, rows) -> dict:
        return {}

    def get(self, request, *args, **kwargs):
        filterset = self.get_filterset(self.get_filterset_class())
        data = filterset.data
        options = TableOptionsForm(data, sort_keys=self.sorts, default_sort=self.default_sort)
        wanted_format = data.get("format") if data.get("format") in {"csv", "json"} else "html"
        errors = {}
        if not filterset.is_valid():
            errors.update(filterset.errors)
        if not options.is_valid():
            errors.update(options.errors)
        page_obj, rows, paginator = None, [], None
        sort = options.cleaned_data.get("sort") if "sort" not in errors else self.default_sort
        page_size = (options.cleaned_data.get("page_size") if "page_size" not in errors else None) \
            or self.default_page_size
        if not errors:
            queryset = tables.order_by_key(filterset.qs, sort, self.sorts, self.tiebreak)
            if wanted_format == "csv":
                return self.csv_response(queryset)
            paginator = Paginator(queryset, page_size)
            try:
                page_obj = paginator.page(options.cleaned_data.get("page") or 1)
                rows = list(page_obj.object_list)
            except EmptyPage:
                errors["page"] = [f"There is no page {options.cleaned_data.get('page')}: "
                                  f"the last page is {paginator.num_pages}."]
        if errors and wanted_format in {"csv", "json"}:
            return JsonResponse({"errors": {name: [str(e) for e in messages] for name, messages in errors.items()}},
                                status=400)
        if wanted_format == "json":
            return self.json_response(request, paginator, page_obj, rows)
        self.row_count = paginator.count if paginator else 0
        context = {
            "filter": filterset,
            "form": filterset.form,
            "errors": errors,
            "rows": rows,
            "page_obj": page_obj,
            "paginator": paginator,
            "count": paginator.count if paginator else 0,
            "sort": sort,
            "page_size": page_size,
            "columns": self.columns,
            "header_columns": [c for key in self.html_columns for c in self.columns if c.key == key]
            or self.columns,
            "query": request.GET.urlencode(),
            **self.extra_context(filterset, rows),
        }
        template = self.template_name
        htmx = getattr(request, "htmx", False)
        # htmx restoring history (Back) wants the whole page; its other requests swap the results,
        # on the pages whose template has a results partial (others answer with the whole page).
        if htmx and self.htmx_partial and not htmx.history_restore_request and not errors:
            template = f"{self.template_name}#{self.htmx_partial}"
            context["results_only"] = True  # the page's other swappable parts come out of band
        return TemplateResponse(request, template, context, status=400 if errors else 200)

    # --- Exports ---------------------------------------------------------------------------

    def row_json(self, row) -> dict:
        return {column.key: column.value(row) for column in self.columns}

    def json_response(self, request, paginator, page_obj, rows):
        next_url = None
        if page_obj is not None and page_obj.has_next():
            query = request.GET.copy()
            query["page"] = page_obj.next_page_number()
            next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
        return JsonResponse({
            "count": paginator.count if paginator else 0,
            "next": next_url,
            "results": [self.row_json(row) for row in rows],
        }, json_dumps_params={"ensure_ascii": False})

    def csv_response(self, queryset):
        keys = [column.key for column in self.columns]

        class Echo:
            def write(self, value):
                return value

        writer = csv.writer(Echo())

        def stream():
            yield writer.writerow(keys)
            for row in queryset.iterator(chunk_size=2000):
                data = self.row_json(row)
                yield writer.writerow([csv_cell(data[key]) for key in keys])

        response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.export_name}.csv"'
        return response


# --- /models/ --------------------------------------------------------------------------------


VARIANT_COLUMNS = [
    Column("url", "URL", lambda v: v.get_absolute_url(), sortable=False),
    Column("family", "Family", lambda v: v.family.slug),
    Column("variant", "Variant", lambda v: v.slug),
    Column("name", "Model", lambda v: v.name),
    Column("creator", "Creator", lambda v: v.family.creator.name),
    Column("released", "Released", lambda v: v.released_display or None),
    Column("context_window", "Context", lambda v: v.context_window, numeric=True),
    Column("max_output_tokens", "Max output", lambda v: v.max_output_tokens, numeric=True),
    Column("parameters", "Parameters", lambda v: v.parameters, numeric=True),
    Column("input_modalities", "Input", lambda v: list(v.input_modalities), sortable=False),
    Column("output_modalities", "Output", lambda v: list(v.output_modalities), sortable=False),
    Column("tool_calling", "Tools", lambda v: v.tool_calling),
    Column("reasoning", "Reasoning", lambda v: v.reasoning),
    Column("structured_output", "Structured", lambda v: v.structured_output),
    Column("open_weights", "Open weights", lambda v: v.open_weights),
    Column("status", "Status", lambda v: v.status),
    Column("providers", "Providers", lambda v: v.provider_count, numeric=True),
    Column("price_in_min", "Input $/M", lambda v: _number(v.price_in_min), numeric=True),
    Column("price_out_min", "Output $/M", lambda v: _number(v.price_out_min), numeric=True),
]


# The sidebar's range filters in compact groups (open when one of their parameters is set).
RANGE_GROUPS = (
    ("context", "Context and size", ("context_min", "params_min", "params_max")),
    ("released", "Release date", ("released_after", "released_before")),
    ("price", "Price", ("price_in_max", "price_out_max", "priced")),
)


def range_groups(form) -> list[dict]:
    return [
        {"key": key, "legend": legend,
         "fields": [form[name] for name in names if name in form.fields and name != "priced"],
         "set": any(form[name].value() for name in names if name in form.fields)}
        for key, legend, names in RANGE_GROUPS
    ]


class ModelListView(TableView):
    template_name = "catalog/model_list.html"
    filterset_class = ModelFilter
    sorts = tables.VARIANT_SORTS
    tiebreak = tables.VARIANT_TIEBREAK
    default_sort = "-released"
    columns = VARIANT_COLUMNS
    html_columns = ("name", "family", "creator", "released", "context_window", "max_output_tokens", "parameters",
                    "input_modalities", "tool_calling", "reasoning", "structured_output", "open_weights", "status",
                    "providers", "price_in_min", "price_out_min")
    export_name = "models"
    htmx_partial = "results"

    def get_queryset(self):
        return tables.variant_table()

    def extra_context(self, filterset, rows):
        facets, counted = [], self.row_count <= FACET_ROW_LIMIT
        if filterset.is_valid():
            # Counting every choice over a very large result costs more than it tells: narrow first.
            facets = tables.variant_facets(filterset, counts=counted)
        return {"facets": facets, "facets_skipped": filterset.is_valid() and not counted,
                "facet_row_limit": FACET_ROW_LIMIT, "signals": {row.pk: guidance.signals(row) for row in rows},
                "price_chart": chart_selectors.price_context(rows), "range_groups": range_groups(filterset.form)}


# --- /families/ ------------------------------------------------------------------------------


FAMILY_COLUMNS = [
    Column("url", "URL", lambda f: f.get_absolute_url(), sortable=False),
    Column("family", "Family", lambda f: f.slug, sortable=False),
    Column("name", "Family", lambda f: f.name),
    Column("creator", "Creator", lambda f: f.creator.name),
    Column("variants", "Variants", lambda f: f.variant_count, numeric=True),
    Column("max_context", "Widest context", lambda f: f.max_context, numeric=True),
    Column("latest_release", "Latest release",
           lambda f: f.latest_release.isoformat() if f.latest_release else None),
    Column("use_cases", "Use cases",
           lambda f: [ft.tag.name for ft in f.family_tags.all() if ft.tag.kind == "use_case"], sortable=False),
]


class FamilyListView(TableView):
    template_name = "catalog/family_list.html"
    filterset_class = FamilyFilter
    sorts = tables.FAMILY_SORTS
    tiebreak = tables.FAMILY_TIEBREAK
    default_sort = "name"
    default_page_size = 100
    columns = FAMILY_COLUMNS
    html_columns = ("name", "creator", "variants", "max_context", "latest_release", "use_cases")
    export_name = "families"

    def get_queryset(self):
        return tables.family_table()


# --- /providers/<provider>/ --------------------------------------------------------------------


OFFERING_COLUMNS = [
    Column("url", "URL", lambda o: o.variant.get_absolute_url(), sortable=False),
    Column("model_id", "Model id", lambda o: o.model_id),
    Column("variant", "Model", lambda o: o.variant.name),
    Column("family", "Family", lambda o: o.variant.family.name),
    Column("price_input", "Input $/M", lambda o: _number(o.price_input), numeric=True),
    Column("price_output", "Output $/M", lambda o: _number(o.price_output), numeric=True),
    Column("price_cache_read", "Cached input $/M", lambda o: _number(o.price_cache_read), numeric=True),
    Column("context_window", "Context there", lambda o: o.context_window, numeric=True),
    Column("status", "Status", lambda o: o.status),
    Column("listed", "Listed", lambda o: o.listed, sortable=False),
    Column("price_checked", "Checked", lambda o: o.price_checked.isoformat() if o.price_checked else None),
]


class ProviderDetailView(TableView):
    template_name = "catalog/provider_detail.html"
    filterset_class = OfferingFilter
    sorts = tables.OFFERING_SORTS
    tiebreak = tables.OFFERING_TIEBREAK
    default_sort = "family"
    default_page_size = 100
    columns = OFFERING_COLUMNS
    html_columns = ("model_id", "variant", "family", "price_input", "price_output", "price_cache_read",
                    "context_window", "status", "price_checked")

    def get(self, request, *args, **kwargs):
        self.provider = get_object_or_404(Provider, slug=kwargs["provider"])
        self.export_name = f"{self.provider.slug}-offerings"
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return tables.offering_table(self.provider)

    def extra_context(self, filterset, rows):
        return {"provider": self.provider, "changelog": provider_changelog(self.provider),
                "feed_url": reverse("feed-provider-changes", args=[self.provider.slug])}


# --- /compare/ -------------------------------------------------------------------------------


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
        rows = []
        for field_name, label in tables.COMPARE_FIELDS:
            values = [_compare_value(v, field_name) for v in variants]
            rows.append({"label": label, "values": values, "differs": len({str(x) for x in values}) > 1})
        providers = sorted({o.provider for items in offerings.values() for o in items}, key=lambda p: p.name.lower())
        price_rows = []
        for provider in providers:
            cells = []
            for v in variants:
                here = [o for o in offerings[v.pk] if o.provider_id == provider.pk]
                cells.append(min(here, key=lambda o: (o.price_input is None, o.price_input or 0)) if here else None)
            prices = {(c.price_input, c.price_output) for c in cells if c is not None}
            price_rows.append({"provider": provider, "cells": cells, "differs": len(prices) > 1})
        context = {
            "variants": variants,
            "rows": rows,
            "price_rows": price_rows,
            "errors": errors,
            "signals": {v.pk: guidance.signals(v) for v in variants},
            "use_when": {v.pk: guidance.use_when(v) for v in variants},
            "remove_links": {v.pk: "?" + urlencode([("v", f"{x.family.slug}/{x.slug}") for x in variants if x != v])
                             for v in variants},
        }
        status = 400 if errors and not variants else 200
        return TemplateResponse(request, self.template_name, context, status=status)


def _compare_value(variant, field_name):
    if field_name == "release_date":
        return variant.released_display or None
    value = variant
    for part in field_name.split("__"):
        value = getattr(value, part)
    return value


