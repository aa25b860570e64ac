"""The columns of the table pages, each defined once.

A `Column` says everything the site does with one column: its header (label, and a short form in
an `<abbr>` for the dense /models/ table), the sort expression behind `?sort=<key>` (None: not
sortable), how its HTML cell is drawn, and the value the CSV and JSON exports write under its key.
From one `Table` (a list of columns and a tie-break) come:

- the FilterSet's `sort` parameter (`NullsLastOrderingFilter`, django-filter's OrderingFilter with
  unknown values last both ways and a stable tie-break): catalog/filters.py;
- the HTML header and cells (`Table.shown(cols)` and `Column.render(row)`): catalog/views/tables.py
  and templates/catalog/partials/table.html;
- the exports (`Column.value`).

The column chooser of /models/ (`?cols=…`) picks among the columns with a cell; the default view
is the columns marked `default`, and its absence from the URL means that default.

Past 400 lines on purpose: every table's columns in one place is the point of this module.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from catalog import guidance
from catalog.fields import Modality

UNKNOWN = "—"
MODALITY_ABBR = {"text": "T", "image": "I", "audio": "A", "video": "V", "pdf": "P"}


def number(value):
    """A Decimal as the JSON number it is (an int when whole); other values unchanged."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, float) and value.is_integer():  # a price the CSV export read as a float
        return int(value)
    return value


# --- Cell renderers: row value -> safe HTML ----------------------------------------------------
# A page of /models/ draws some 750 cells: these build them with str.format and the standard library's
# escape (what Django's format_html does, without its per-argument lazy-string wrappers), and the
# cells with few possible values (marks, yes/no, modality sets) are built once.


def _escape(value) -> str:
    """django.utils.html.conditional_escape, minus the lazy-text wrapper (a hot path)."""
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


def fast_html(template: str, *args) -> SafeString:
    """format_html(template, *args): each argument escaped unless already safe."""
    return SafeString(template.format(*map(_escape, args)))


def text(value) -> SafeString:
    return fast_html("{}", UNKNOWN if value in (None, "") else value)


def tokens(value) -> SafeString:
    return fast_html("{}", guidance.format_tokens(value) if value else UNKNOWN)


def params(value) -> SafeString:
    return fast_html("{}", guidance.format_parameters(value) if value else UNKNOWN)


def price(value) -> SafeString:
    return fast_html("{}", UNKNOWN if value is None else guidance.format_price(value))


MARKS = {True: ("✓", "Yes", "mark-yes"), False: ("✗", "No", "mark-no"), None: (UNKNOWN, "Unknown", "mark-unknown")}
_MARK_HTML = {
    value: format_html(
        '<span class="cap {}" aria-hidden="true">{}</span><span class="visually-hidden">{}</span>', css, symbol, words
    )
    for value, (symbol, words, css) in MARKS.items()
}
_YES_NO_HTML = {value: format_html("{}", {True: "Yes", False: "No"}.get(value, UNKNOWN)) for value in MARKS}


def mark(value) -> SafeString:
    """A capability as a compact mark with its text alternative: ✓ Yes, ✗ No, — Unknown."""
    return _MARK_HTML[value]


def yes_no(value) -> SafeString:
    return _YES_NO_HTML.get(value, _YES_NO_HTML[None])


def modalities(values) -> SafeString:
    return _modalities(tuple(values) if values else ())


@functools.lru_cache(maxsize=1024)  # a set of at most five known modalities, in their canonical order
def _modalities(values: tuple) -> SafeString:
    if not values:
        return format_html("{}", UNKNOWN)
    labels = dict(Modality.choices)
    names = [str(labels.get(v, v)).lower() for v in values]
    return format_html(
        '<span class="modalities" title="{}" aria-hidden="true">{}</span><span class="visually-hidden">{}</span>',
        ", ".join(names),
        format_html_join("", '<span class="modality">{}</span>', ((MODALITY_ABBR.get(v, v),) for v in values)),
        ", ".join(names),
    )


# --- Columns -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str  # the JSON key and CSV header; the sort key (?sort=key, -key) and the chooser's value (?cols=key)
    label: str  # the header's full text
    value: Callable[[Any], Any]  # row -> the exported value
    sort: str | None = None  # the ORM path ordered by (nulls last both ways); None: not sortable
    cell: Callable[[Any], SafeString] | None = None  # row -> the HTML cell's content; None: exports only
    short: str = ""  # a shorter header, shown in an <abbr> with the label as its title
    numeric: bool = False
    default: bool = True  # shown when ?cols is absent
    row_header: bool = False  # the row's name: a <th scope="row">, always shown, pinned when the table scrolls
    css: str = ""  # extra class of the header and cells

    @property
    def sortable(self) -> bool:
        return self.sort is not None

    def header(self) -> SafeString:
        if self.short and self.short != self.label:
            return format_html('<abbr title="{}">{}</abbr>', self.label, self.short)
        return format_html("{}", self.label)

    def render(self, row) -> SafeString:
        return self.cell(row) if self.cell else mark_safe("")

    @functools.cached_property
    def cell_tags(self) -> tuple[str, str]:
        """The opening and closing tag of this column's cells: a row header is a <th scope="row">."""
        if self.row_header:
            return (f'<th scope="row" class="{html.escape(self.css)}">' if self.css else '<th scope="row">'), "</th>"
        return f'<td class="{"num " if self.numeric else ""}{html.escape(self.css)}">', "</td>"


@dataclass(frozen=True)
class Table:
    columns: tuple[Column, ...]
    tiebreak: tuple[str, ...]
    default_sort: str

    def __iter__(self):
        return iter(self.columns)

    @property
    def keys(self) -> list[str]:
        return [column.key for column in self.columns]

    @property
    def sorts(self) -> dict[str, str]:
        """{sort key: ORM path} of the sortable columns: what `?sort=` accepts."""
        return {column.key: column.sort for column in self.columns if column.sortable}

    @property
    def choosable(self) -> list[Column]:
        """The columns the HTML table can show (those with a cell), in their order."""
        return [column for column in self.columns if column.cell]

    @property
    def default_keys(self) -> list[str]:
        return [column.key for column in self.choosable if column.default or column.row_header]

    def rendered_rows(self, rows, shown: list[Column], kept=None) -> list[RenderedRow]:
        """Each row's cells for the shown columns as one HTML string: templates/catalog/partials/table.html
        draws a row with one variable instead of a loop over its cells. `kept`: a mapping with a `keep(key, value)`
        method where a row's cells are kept by (row pk, shown columns), for rows whose data stays the same while
        the mapping lives (/models/: a catalog version's, catalog.selectors.model_index)."""
        tags = [(column.cell, *column.cell_tags) for column in shown]
        empty = mark_safe("")

        def cells(row):
            return SafeString("".join(f"{start}{cell(row) if cell else empty}{end}" for cell, start, end in tags))

        if kept is None:
            return RenderedRows(RenderedRow(row, cells(row)) for row in rows)
        shown_keys = tuple(column.key for column in shown)
        drawn = []
        for row in rows:
            key = (row.pk, shown_keys)
            html = kept.get(key)
            if html is None:
                html = kept.keep(key, cells(row))
            drawn.append(RenderedRow(row, html, kept))
        return RenderedRows(drawn)

    def shown(self, keys=None) -> list[Column]:
        """The HTML columns for the chosen keys (None or empty: the default), the row header first."""
        wanted = set(keys or self.default_keys)
        return [column for column in self.choosable if column.row_header or column.key in wanted]


class RenderedRows(list):
    """A table's rendered rows, and their <tr> elements as one string (templates/catalog/partials/table.html)."""

    ROW = "\n    <tr>\n      {}\n      {}\n    </tr>\n  "

    @property
    def html(self) -> SafeString:
        return mark_safe("".join(self.ROW.format("", row.cells) for row in self))  # noqa: S308 (cells are escaped)

    @property
    def html_with_compare(self) -> SafeString:
        """Each row with its tick box for /compare/ first."""
        return mark_safe("".join(self.ROW.format(row.compare_cell(), row.cells) for row in self))  # noqa: S308


class RenderedRow:
    """A table row ready to draw: the row itself, and its cells' HTML."""

    __slots__ = ("row", "cells", "kept")

    def __init__(self, row, cells: SafeString, kept=None):
        self.row, self.cells, self.kept = row, cells, kept

    def compare_cell(self) -> SafeString:
        """The tick box that adds this row to /compare/ (the models table's first column)."""
        if self.kept is None:
            return self._compare_cell()
        key = (self.row.pk, "compare")
        html = self.kept.get(key)
        return self.kept.keep(key, self._compare_cell()) if html is None else html

    def _compare_cell(self) -> SafeString:
        row = self.row
        return fast_html(
            '<td><input type="checkbox" name="v" value="{}/{}" form="compare" id="cmp-{}" '
            'aria-label="Compare {}"></td>',
            row.family.slug,
            row.slug,
            row.pk,
            row.name,
        )


# --- /models/ ------------------------------------------------------------------------------------


def _model_link(v) -> SafeString:
    return fast_html('<a href="{}">{}</a>', v.get_absolute_url(), v.name)


def _family_link(v) -> SafeString:
    return fast_html('<a href="{}">{}</a>', v.family.get_absolute_url(), v.family.name)


def _status(v) -> SafeString:
    return fast_html('<span class="status status-{}">{}</span>', v.status, v.get_status_display())


def _capability(name: str, label: str, short: str) -> Column:
    return Column(
        name,
        label,
        lambda v: getattr(v, name),
        sort=name,
        cell=lambda v: mark(getattr(v, name)),
        short=short,
        css="cap-col",
    )


# Rows are VariantRow (catalog.models): a variant with its family and creator in one narrow table; it reads
# like a Variant (row.family.slug, row.get_absolute_url()), and sorts on its own columns (family_name).
VARIANTS = Table(
    columns=(
        Column("url", "URL", lambda v: v.get_absolute_url()),
        Column(
            "family",
            "Family",
            lambda v: v.family.slug,
            sort="family_name",
            cell=_family_link,
            default=False,
            css="wrap",
        ),
        Column("variant", "Variant", lambda v: v.slug, sort="slug"),
        Column("name", "Model", lambda v: v.name, sort="name", cell=_model_link, row_header=True),
        Column(
            "creator",
            "Creator",
            lambda v: v.family.creator.name,
            sort="creator_name",
            cell=lambda v: text(v.family.creator.name),
            css="wrap",
        ),
        Column(
            "released",
            "Released",
            lambda v: v.released_display or None,
            sort="release_date",
            cell=lambda v: text(v.released_display),
        ),
        Column(
            "context_window",
            "Context window (tokens)",
            lambda v: v.context_window,
            sort="context_window",
            cell=lambda v: tokens(v.context_window),
            short="Context",
            numeric=True,
        ),
        Column(
            "max_output_tokens",
            "Max output (tokens)",
            lambda v: v.max_output_tokens,
            sort="max_output_tokens",
            cell=lambda v: tokens(v.max_output_tokens),
            short="Output",
            numeric=True,
        ),
        Column(
            "parameters",
            "Parameters",
            lambda v: v.parameters,
            sort="parameters",
            cell=lambda v: params(v.parameters),
            short="Params",
            numeric=True,
        ),
        Column(
            "input_modalities",
            "Input modalities",
            lambda v: list(v.input_modalities),
            cell=lambda v: modalities(v.input_modalities),
            short="Input",
        ),
        Column(
            "output_modalities",
            "Output modalities",
            lambda v: list(v.output_modalities),
            cell=lambda v: modalities(v.output_modalities),
            short="Gives",
            default=False,
        ),
        _capability("tool_calling", "Tool calling", "Tools"),
        _capability("reasoning", "Reasoning", "Rsn"),
        _capability("structured_output", "Structured output", "JSON"),
        _capability("open_weights", "Open weights", "Open"),
        Column("status", "Status", lambda v: v.status, sort="status", cell=_status),
        Column(
            "providers",
            "Providers",
            lambda v: v.provider_count,
            sort="provider_count",
            cell=lambda v: text(v.provider_count),
            short="Prov.",
            numeric=True,
        ),
        Column(
            "price_in_min",
            "Lowest input price (USD per million tokens)",
            lambda v: number(v.price_in_min),
            sort="price_in_min",
            cell=lambda v: price(v.price_in_min),
            short="In $/M",
            numeric=True,
        ),
        Column(
            "price_out_min",
            "Lowest output price (USD per million tokens)",
            lambda v: number(v.price_out_min),
            sort="price_out_min",
            cell=lambda v: price(v.price_out_min),
            short="Out $/M",
            numeric=True,
        ),
    ),
    tiebreak=("family_name", "position", "name", "pk"),
    default_sort="-released",
)


# --- /families/ ----------------------------------------------------------------------------------


def _use_cases(f) -> list[str]:
    return [ft.tag.name for ft in f.family_tags.all() if ft.tag.kind == "use_case"]


FAMILIES = Table(
    columns=(
        Column("url", "URL", lambda f: f.get_absolute_url()),
        Column("family", "Family", lambda f: f.slug),
        Column(
            "name",
            "Family",
            lambda f: f.name,
            sort="name",
            cell=lambda f: fast_html('<a href="{}">{}</a>', f.get_absolute_url(), f.name),
            row_header=True,
        ),
        Column(
            "creator", "Creator", lambda f: f.creator.name, sort="creator__name", cell=lambda f: text(f.creator.name)
        ),
        Column(
            "variants",
            "Variants",
            lambda f: f.variant_count,
            sort="variant_count",
            cell=lambda f: text(f.variant_count),
            numeric=True,
        ),
        Column(
            "max_context",
            "Widest context",
            lambda f: f.max_context,
            sort="max_context",
            cell=lambda f: tokens(f.max_context),
            numeric=True,
        ),
        Column(
            "latest_release",
            "Latest release",
            lambda f: f.latest_release.isoformat() if f.latest_release else None,
            sort="latest_release",
            cell=lambda f: text(f.latest_release.strftime("%Y-%m") if f.latest_release else None),
        ),
        Column(
            "use_cases",
            "Use cases",
            _use_cases,
            cell=lambda f: (
                SafeString(" ".join(fast_html('<span class="chip">{}</span>', u) for u in _use_cases(f))) or text(None)
            ),
        ),  # none known: "—", never a blank cell
    ),
    tiebreak=("name", "pk"),
    default_sort="name",
)


# --- A provider's offerings ----------------------------------------------------------------------


OFFERINGS = Table(
    columns=(
        Column("url", "URL", lambda o: o.variant.get_absolute_url()),
        Column(
            "model_id",
            "Model id",
            lambda o: o.model_id,
            sort="model_id",
            cell=lambda o: fast_html(
                "<code>{}</code>{}",
                o.model_id,
                "" if o.listed else fast_html(' <span class="muted">{}</span>', "(no longer listed)"),
            ),
        ),
        Column(
            "variant",
            "Model",
            lambda o: o.variant.name,
            sort="variant__name",
            cell=lambda o: fast_html('<a href="{}">{}</a>', o.variant.get_absolute_url(), o.variant.name),
            row_header=True,
        ),
        Column(
            "family",
            "Family",
            lambda o: o.variant.family.name,
            sort="variant__family__name",
            cell=lambda o: text(o.variant.family.name),
        ),
        Column(
            "price_input",
            "Input $/M",
            lambda o: number(o.price_input),
            sort="price_input",
            cell=lambda o: price(o.price_input),
            numeric=True,
        ),
        Column(
            "price_output",
            "Output $/M",
            lambda o: number(o.price_output),
            sort="price_output",
            cell=lambda o: price(o.price_output),
            numeric=True,
        ),
        Column(
            "price_cache_read",
            "Cached input $/M",
            lambda o: number(o.price_cache_read),
            sort="price_cache_read",
            cell=lambda o: price(o.price_cache_read),
            numeric=True,
        ),
        Column(
            "context_window",
            "Context there",
            lambda o: o.context_window,
            sort="context_window",
            cell=lambda o: tokens(o.context_window),
            numeric=True,
        ),
        Column("status", "Status", lambda o: o.status, sort="status", cell=lambda o: text(o.get_status_display())),
        Column("listed", "Listed", lambda o: o.listed),
        Column(
            "price_checked",
            "Checked",
            lambda o: o.price_checked.isoformat() if o.price_checked else None,
            sort="price_checked",
            cell=lambda o: text(o.price_checked.strftime("%Y-%m-%d") if o.price_checked else None),
        ),
    ),
    tiebreak=("variant__family__name", "variant__name", "model_id", "pk"),
    default_sort="family",
)
