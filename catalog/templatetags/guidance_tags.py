"""Template helpers for the guidance pages: links that relax a chooser need, costs and sizes as the engine writes them."""

from html import escape

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString

from catalog import guidance
from catalog.models import is_slug, url_template

register = template.Library()

# One chooser result row, as the template loop wrote it (signals as partials/signals.html draws them).
_CHOOSER_ROW = (
    '\n    <tr>\n      <td class="num">{rank}</td>\n'
    '      <th scope="row"><a href="{url}">{name}</a> <span class="muted">{family}</span></th>\n'
    '      <td><ul class="reasons">{reasons}</ul></td>\n'
    '      <td class="num">{cost}</td>\n'
    "      <td>{signals}\n</td>\n    </tr>\n  "
)


@register.simple_tag(takes_context=True)
def relaxed_query(context, relaxation, nearest=False):
    """The current chooser query with one need dropped (or, with nearest=True, set to its nearest matching value)."""
    query = context["request"].GET.copy()
    query.pop("page", None)
    if nearest:
        for name, value in relaxation.nearest_params:
            query[name] = value
    else:
        for name, value in relaxation.constraint.params:
            if value is None:
                query.pop(name, None)
            else:
                query.setlist(name, [v for v in query.getlist(name) if v != value])
    return f"?{query.urlencode()}"


@register.filter
def cost(value):
    return "—" if value is None else guidance.format_cost(value)


@register.filter
def gb(value):
    return "—" if value is None else guidance.format_gb(value)


@register.filter
def zip_with(left, right):
    return list(zip(left, right, strict=False))


@register.filter
def param_value(value):
    """A submitted value as it was typed: lists joined with commas, nothing for None."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)


def _variant_url(family_slug: str, slug: str) -> str:
    if is_slug(family_slug) and is_slug(slug):
        return url_template("catalog:variant-detail", "family", "variant").format(family=family_slug, variant=slug)
    return reverse("catalog:variant-detail", kwargs={"family": family_slug, "variant": slug})


def _signals_html(signals) -> str:
    if not signals:
        return "—"
    chips = "".join(f'<li class="chip">{escape(str(signal))}</li>' for signal in signals)
    return f'<ul class="chips" aria-label="Signals">{chips}</ul>'


@register.simple_tag
def chooser_rows(matches, apart=False, usage=None):
    """The chooser table's rows, drawn in Python: a template loop with an include per row cost a third of the page."""
    rows = []
    for match in matches:
        candidate = match.candidate
        if apart:
            cost_cell = "—"
        elif match.cost:
            cost_cell = (
                f'{escape(cost(match.cost.total))} <span class="muted">at {escape(str(match.price.provider))}</span>'
            )
        elif usage:
            cost_cell = "—"
        else:
            cost_cell = '<span class="muted">enter monthly tokens</span>'
        rows.append(
            _CHOOSER_ROW.format(
                rank=match.rank,
                url=escape(_variant_url(candidate.family_slug, candidate.slug)),
                name=escape(str(candidate.name)),
                family=escape(str(candidate.family_name)),
                reasons="".join(f"<li>{escape(str(reason))}</li>" for reason in match.reasons),
                cost=cost_cell,
                signals=_signals_html(match.signals),
            )
        )
    return SafeString("".join(rows))


_COST_ROW = (
    '\n        <tr>\n          <th scope="row"><a href="{url}">{provider}</a></th>\n'
    "          <td><code>{model}</code></td>\n          {cells}\n"
    '          <td class="nowrap">{checked}</td>\n        </tr>\n      '
)
_COST_CELLS = (
    '\n          <td class="num"><strong>{total}</strong></td>\n          <td class="num">{input}</td>\n'
    '          <td class="num">{cached}{dagger}</td>\n          <td class="num">{output}</td>\n          '
)
_NO_COST_CELLS = '\n          <td colspan="4">No price in the catalog.</td>\n          '
_DAGGER = ' <span class="muted" title="No cached input price listed: billed at the input price">†</span>'


@register.simple_tag
def cost_rows(rows):
    """The calculator's rows (guidance.CostRow) as the loop in cost_calculator.html wrote them, in Python:
    a variant with 71 offerings has 71 rows, and the template loop cost more than the rest of the page."""
    parts = []
    for row in rows:
        offering, found = row.offering, row.cost
        cells = (
            _COST_CELLS.format(
                total=escape(cost(found.total)),
                input=escape(cost(found.input)),
                cached=escape(cost(found.cached)),
                dagger=_DAGGER if found.cached_at_input_price else "",
                output=escape(cost(found.output)),
            )
            if found
            else _NO_COST_CELLS
        )
        parts.append(
            _COST_ROW.format(
                url=escape(offering.provider.get_absolute_url()),
                provider=escape(offering.provider.name),
                model=escape(offering.model_id),
                cells=cells,
                checked=escape(row.checked.describe()),
            )
        )
    return SafeString("".join(parts))
