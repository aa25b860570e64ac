"""Table pages: /models/, /families/, a provider's offerings (/compare/ is views/compare.py).

One machinery for all of them: a FilterSet for the filters, a whitelist of sort keys, a page size,
and three formats. HTML and exports show the same rows in the same order; JSON is one page,
CSV streams every matching row. Bad parameters are form errors: the HTML page explains them, the
exports answer 400 with a JSON body naming the parameter.

Over 400 lines, kept whole: the three table views share TableView (formats, paging, headers), and
splitting it from them would only spread one flow over two files.
"""

from __future__ import annotations

import csv
from decimal import Decimal

from django import forms
from django.core.paginator import EmptyPage
from django.http import JsonResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.defaulttags import querystring
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django_filters.views import FilterView

from catalog import columns as table_columns
from catalog.filters import FamilyFilter, ModelFilter, OfferingFilter
from catalog.models import Provider
from catalog.selectors import charts as chart_selectors
from catalog.selectors import model_index, tables
from catalog.selectors import search as site_search
from catalog.selectors.changelog import provider_changelog
from catalog.services import page_cache

MAX_PAGE_SIZE = 200
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_ROWS_PER_CHUNK = 500
FACET_ROW_LIMIT = 20_000  # /models/ shows facet counts when the filters leave at most this many rows


def csv_cell(value) -> str | int | float:
    """The one way every export writes a cell: lists joined by "|", booleans as true/false, None empty.

    Text (a list's items included) that a spreadsheet would run as a formula (=, +, -, @, tab,
    carriage return) gets a leading apostrophe, item by item: `=HYPERLINK(…)` is inert wherever it sits.
    Numbers are written as numbers (a negative number is not text and is not a formula).
    """
    kind = type(value)  # the common cells first: an export writes millions of them
    if kind is str:
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    if kind is int or kind is float:
        return value
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


class TableOptionsForm(forms.Form):
    """The parameters every table shares besides the filters and `sort` (a filter): page, page size,
    format, and the columns shown (`cols`, where the table has a chooser)."""

    page = forms.IntegerField(required=False, min_value=1, max_value=10**6)
    page_size = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE_SIZE)
    format = forms.ChoiceField(required=False, choices=[("html", "HTML"), ("csv", "CSV"), ("json", "JSON")])
    cols = forms.MultipleChoiceField(required=False, choices=())

    def __init__(self, *args, table=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cols"].choices = [(c.key, c.label) for c in table.choosable] if table else []


NOT_FILTERS = {"sort", "page", "page_size", "cols", "format"}


def active_filters(params: QueryDict, form) -> list[dict]:
    """The filters set in a clean query, each with the URL that drops it: the way out of an empty
    result or an error."""
    found = []
    for name in params:
        if name in NOT_FILTERS:
            continue
        rest = params.copy()
        rest.pop(name)
        label = form.fields[name].label if name in form.fields else name
        found.append(
            {"name": name, "label": label, "value": ", ".join(params.getlist(name)), "query": rest.urlencode()}
        )
    return found


def clean_query(data, defaults: dict) -> str:
    """The query string without empty values and without parameters at their default
    (`defaults`: {name: default value, or a set of values for a repeated parameter})."""
    pairs = []
    for name in data:
        values = [value for value in data.getlist(name) if value != ""]
        default = defaults.get(name)
        if not values or name == "format":
            continue
        if isinstance(default, set | frozenset) and set(values) == default:
            continue
        if default is not None and not isinstance(default, set | frozenset) and values == [str(default)]:
            continue
        pairs += [(name, value) for value in values]
    return urlencode(pairs)


class SortLinks:
    """`{% querystring params sort=… page=None %}` for every sort of one page, the parameters encoded once: the
    same string (QueryDict.urlencode: `sort` where it stood, else last; `page` dropped)."""

    def __init__(self, params: QueryDict):
        self.before, self.after, after = [], [], False
        for key, values in params.lists():
            if key == "sort":
                after = True
            elif key != "page":
                (self.after if after else self.before).extend(_encoded(key, value) for value in values)

    def __call__(self, sort: str | None) -> str:
        middle = [] if sort is None else [_encoded("sort", sort)]
        return "?" + "&".join([*self.before, *middle, *self.after])


def _encoded(key: str, value) -> str:
    return urlencode({key.encode(): str(value).encode()})  # as QueryDict.urlencode writes one value


def sort_header_cell(
    column, sort: str | None, aria: str, params: QueryDict, links: SortLinks | None = None
) -> SafeString:
    """A column's header cell, drawn in Python: a table has up to 16, each with a sort link."""
    label = column.header()
    if column.sortable:
        href = conditional_escape(links(sort) if links else querystring(None, params, sort=sort, page=None))
        label = f'<a href="{href}">{label}</a>'
    css = ("num " if column.numeric else "") + conditional_escape(column.css)
    aria_sort = f' aria-sort="{conditional_escape(aria)}"' if aria else ""
    return mark_safe(f'<th scope="col" class="{css}"{aria_sort}>{label}</th>\n')  # noqa: S308 (every part escaped)


class TableView(FilterView):
    """Filter, sort, page and render a table as HTML, CSV or JSON (a django-filter FilterView)."""

    template_name = ""
    filterset_class = None
    table: table_columns.Table = None  # the columns: header, cells, sort keys, exports
    default_page_size = 50
    export_name = "table"
    htmx_partial = ""  # the template partial an htmx request swaps in; empty: the whole page
    choosable_columns = False  # whether ?cols= picks the HTML columns (/models/)

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

    def rendered_rows(self, rows, shown):
        return self.table.rendered_rows(rows, shown)

    def page_rows(self, filterset):
        """What the paginator pages (HTML and JSON): the filtered, sorted queryset unless a table has something faster."""
        return filterset.qs

    def defaults(self, filterset) -> dict:
        """Each parameter's default: a clean URL leaves these out."""
        return {
            "sort": self.table.default_sort,
            "page": "1",
            "page_size": str(self.default_page_size),
            "cols": set(self.table.default_keys) - {c.key for c in self.table.columns if c.row_header},
        }

    def get(self, request, *args, **kwargs):
        filterset = self.get_filterset(self.get_filterset_class())
        data = filterset.data
        options = TableOptionsForm(data, table=self.table if self.choosable_columns else None)
        wanted_format = data.get("format") if data.get("format") in {"csv", "json"} else "html"
        errors = {}
        if not filterset.is_valid():
            errors.update(filterset.errors)
        if not options.is_valid():
            errors.update(options.errors)
        page_obj, rows, paginator = None, [], None
        sort = (
            (filterset.form.cleaned_data.get("sort") or [None])[0] if "sort" not in errors else None
        ) or self.table.default_sort
        page_size = (
            options.cleaned_data.get("page_size") if "page_size" not in errors else None
        ) or self.default_page_size
        if not errors:
            if wanted_format == "csv":
                return self.csv_response(filterset.qs)
            self.filterset, self.wanted_format = filterset, wanted_format
            paginator = self.get_paginator(self.page_rows(filterset), page_size)
            try:
                page_obj = paginator.page(options.cleaned_data.get("page") or 1)
                rows = list(page_obj.object_list)
            except EmptyPage:
                errors["page"] = [
                    f"There is no page {options.cleaned_data.get('page')}: the last page is {paginator.num_pages}."
                ]
        if errors and wanted_format in {"csv", "json"}:
            return JsonResponse(
                {"errors": {name: [str(e) for e in messages] for name, messages in errors.items()}}, status=400
            )
        if wanted_format == "json":
            return self.json_response(request, paginator, page_obj, rows)
        self.row_count = paginator.count if paginator else 0
        chosen = (options.cleaned_data.get("cols") if "cols" not in errors else None) or []
        shown = self.table.shown(chosen)
        query = clean_query(data, self.defaults(filterset))
        params = QueryDict(query)
        context = {
            "filter": filterset,
            "form": filterset.form,
            "errors": errors,
            "rows": rows,
            "page_obj": page_obj,
            "paginator": paginator,
            "count": paginator.count if paginator else 0,
            "sort": sort,
            "default_sort": self.table.default_sort,
            "page_size": page_size,
            "default_page_size": self.default_page_size,
            "table": self.table,
            "header_columns": shown,
            "table_rows": self.rendered_rows(rows, shown),
            "chosen_columns": {c.key for c in shown},
            "sort_headers": self.sort_headers(shown, sort, params),
            "active_filters": active_filters(params, filterset.form),
            "query": query,
            "params": params,
            "clean_url": f"{request.path}?{query}" if query else request.path,
            **self.extra_context(filterset, rows),
        }
        template = self.template_name
        htmx = getattr(request, "htmx", False)
        # htmx restoring history (Back) wants the whole page; its other requests swap the results,
        # on the pages whose template has a results partial (others answer with the whole page).
        if htmx and self.htmx_partial and not htmx.history_restore_request and not errors:
            template = f"{self.template_name}#{self.htmx_partial}"
            context["results_only"] = True  # the page's other swappable parts come out of band
        response = TemplateResponse(request, template, context, status=400 if errors else 200)
        if htmx:
            response["HX-Push-Url"] = context["clean_url"]  # the clean URL: no empty or default parameters
        return response

    def sort_headers(self, shown, sort, params) -> list[dict]:
        """Each shown column with the sort its header link asks for (None: the default, left out of the URL),
        and its header cell as HTML (`html`: what templates/catalog/partials/sort_header.html draws)."""
        headers, links = [], SortLinks(params)
        for column in shown:
            wanted = f"-{column.key}" if sort == column.key else column.key
            header = {
                "column": column,
                "sort": None if wanted == self.table.default_sort else wanted,
                "aria": "ascending" if sort == column.key else "descending" if sort == f"-{column.key}" else "",
            }
            header["html"] = sort_header_cell(column, header["sort"], header["aria"], params, links)
            headers.append(header)
        return headers

    # --- Exports ---------------------------------------------------------------------------

    def row_json(self, row) -> dict:
        return {column.key: column.value(row) for column in self.table.columns}

    def json_response(self, request, paginator, page_obj, rows):
        next_url = None
        if page_obj is not None and page_obj.has_next():
            query = request.GET.copy()
            query["page"] = page_obj.next_page_number()
            next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
        return JsonResponse(
            {
                "count": paginator.count if paginator else 0,
                "next": next_url,
                "results": [self.row_json(row) for row in rows],
            },
            json_dumps_params={"ensure_ascii": False},
        )

    def export_rows(self, queryset):
        """The rows a CSV export streams: model instances unless a table has something lighter."""
        return queryset.iterator(chunk_size=2000)

    def csv_response(self, queryset):
        keys = self.table.keys
        values = [column.value for column in self.table.columns]

        class Echo:
            def write(self, value):
                return value

        writer = csv.writer(Echo())

        def stream():
            yield writer.writerow(keys)
            lines = []
            for row in self.export_rows(queryset):
                lines.append(writer.writerow([csv_cell(value(row)) for value in values]))
                if len(lines) == CSV_ROWS_PER_CHUNK:  # one write per chunk, not per row
                    yield "".join(lines)
                    lines = []
            if lines:
                yield "".join(lines)

        response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.export_name}.csv"'
        return response


# --- /models/ --------------------------------------------------------------------------------


# The sidebar's range filters in compact groups (open when one of their parameters is set).
RANGE_GROUPS = (
    ("context", "Context and size", ("context_min", "params_min", "params_max")),
    ("released", "Release date", ("released_after", "released_before")),
    ("price", "Price", ("price_in_max", "price_out_max", "priced")),
)


def range_groups(form) -> list[dict]:
    return [
        {
            "key": key,
            "legend": legend,
            "fields": [form[name] for name in names if name in form.fields and name != "priced"],
            "set": any(form[name].value() for name in names if name in form.fields),
        }
        for key, legend, names in RANGE_GROUPS
    ]


class ModelListView(TableView):
    template_name = "catalog/model_list.html"
    filterset_class = ModelFilter
    table = table_columns.VARIANTS
    choosable_columns = True
    export_name = "models"
    htmx_partial = "results"

    def defaults(self, filterset):
        return {**super().defaults(filterset), "status": set(filterset.DEFAULT_STATUS)}

    def get_queryset(self):
        return tables.variant_table()

    def export_rows(self, queryset):
        return tables.variant_export_rows(queryset)

    def page_rows(self, filterset):
        # Filtered, counted and paged over the index of the catalog version (catalog.selectors.model_index):
        # only the page's rows are read.
        self.indexed = model_index.query(filterset)
        return model_index.IndexedRows(self.indexed, filterset)

    def rendered_rows(self, rows, shown):
        # A row's cells are drawn once per catalog version (for the columns shown), kept with the index.
        indexed = getattr(self, "indexed", None)
        return self.table.rendered_rows(rows, shown, kept=indexed.index.fragments if indexed else None)

    def get_paginator(self, queryset, per_page, **kwargs):
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        self.facet_groups = None
        if self.wanted_format == "html":
            # The row count and the status, modality and capability counts; with no filter chosen, once per
            # catalog version.
            if self.filterset.chooses_nothing():
                self.facet_groups = page_cache.once_per_version("models:facet-groups", self.indexed.facet_groups)
            else:
                self.facet_groups = self.indexed.facet_groups()
            paginator.count = self.facet_groups.total
        return paginator

    def extra_context(self, filterset, rows):
        facets, counted = [], self.row_count <= FACET_ROW_LIMIT

        # Counting every choice over a very large result costs more than it tells: narrow first. With
        # bad parameters the groups stay (without counts), so the visitor can fix them where they are.
        def count_facets():
            return tables.variant_facets(
                filterset,
                counts=counted and filterset.is_valid(),
                groups=getattr(self, "facet_groups", None),
                indexed=getattr(self, "indexed", None),
            )

        # With no filter chosen the facets (counts, choices) are the same for every request: once per catalog version.
        unfiltered = filterset.is_valid() and filterset.chooses_nothing()
        facets = page_cache.once_per_version("models:facets", count_facets) if unfiltered else count_facets()
        q = filterset.form.cleaned_data.get("q") if filterset.is_valid() else None
        return {
            "facets": facets,
            "matches": site_search.matches(q) if q else None,
            "status_default": set(filterset.data.getlist("status")) in (set(), set(filterset.DEFAULT_STATUS)),
            "facets_skipped": filterset.is_valid() and not counted,
            "facet_row_limit": FACET_ROW_LIMIT,
            "price_chart": self.price_chart(rows),
            "range_groups": range_groups(filterset.form),
        }

    def price_chart(self, rows) -> SafeString:
        """The price chart of the page's rows, drawn: a function of the rows alone, so kept per catalog version by
        their ids with the index's drawn rows."""

        def draw():
            chart = chart_selectors.price_context(rows)
            return render_to_string("catalog/partials/chart_price_context.html", {"chart": chart}) if chart else ""

        indexed = getattr(self, "indexed", None)
        if indexed is None:
            return draw()
        key, kept = ("price-chart", tuple(row.pk for row in rows)), indexed.index.fragments
        html = kept.get(key)
        return kept.keep(key, draw()) if html is None else html


# --- /families/ ------------------------------------------------------------------------------


class FamilyListView(TableView):
    template_name = "catalog/family_list.html"
    filterset_class = FamilyFilter
    table = table_columns.FAMILIES
    default_page_size = 100
    export_name = "families"

    def get_queryset(self):
        return tables.family_table()


# --- /providers/<provider>/ --------------------------------------------------------------------


class ProviderDetailView(TableView):
    template_name = "catalog/provider_detail.html"
    filterset_class = OfferingFilter
    table = table_columns.OFFERINGS
    default_page_size = 100

    def get(self, request, *args, **kwargs):
        self.provider = get_object_or_404(Provider, slug=kwargs["provider"])
        self.export_name = f"{self.provider.slug}-offerings"
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return tables.offering_table(self.provider)

    def extra_context(self, filterset, rows):
        return {
            "provider": self.provider,
            "changelog": provider_changelog(self.provider),
            "feed_url": reverse("feed-provider-changes", args=[self.provider.slug]),
        }
