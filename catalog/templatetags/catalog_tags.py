"""Display helpers: "—" for unknown, token and parameter counts as the guidance writes them."""

from html import escape

from django import template
from django.template.defaultfilters import date as date_filter
from django.template.defaulttags import querystring
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime

from catalog import guidance
from catalog.services.markdown import render_markdown

register = template.Library()

UNKNOWN = "—"


@register.filter
def tokens(value):
    return guidance.format_tokens(value) if value else UNKNOWN


@register.filter
def params(value):
    return guidance.format_parameters(value) if value else UNKNOWN


@register.filter
def price(value):
    return UNKNOWN if value is None else guidance.format_price(value)


@register.filter
def modalities(values):
    return ", ".join(values) if values else UNKNOWN


@register.simple_tag
def markdown(text, sources=()):
    """Render curator Markdown safely; [n] becomes a link to source n when it exists."""
    return mark_safe(render_markdown(text, {source.number for source in sources}))  # noqa: S308 (sanitized by nh3)


@register.simple_tag(takes_context=True)
def sort_query(context, key, current):
    """The query string that sorts by `key`, flipping direction when it is already the sort."""
    return querystring(context, sort=f"-{key}" if current == key else key, page=None)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def get_field_value(form, name):
    """The submitted value of a form field, for widgets drawn by hand (facets)."""
    return form[name].value() if name in form.fields else None


@register.filter
def selected_labels(choices):
    """The labels of a facet's selected choices, joined: "Image, Audio" ("" when none)."""
    return ", ".join(str(choice.label) for choice in choices if choice.selected)


_OFFERING_ROW = (
    '\n    <tr>\n      <th scope="row"><a href="{url}">{provider}</a></th>\n'
    "      <td><code>{model}</code>{note}</td>\n"
    '      <td class="num">{price_input}</td>\n      <td class="num">{price_output}</td>\n'
    '      <td class="num">{price_cache_read}</td>\n      <td class="nowrap">{checked}</td>\n'
    '      <td class="num">{context}</td>\n    </tr>\n  '
)


def _offering_note(offering) -> str:
    if not offering.listed:
        since = date_filter(template_localtime(offering.delisted_at), "Y-m-d") if offering.delisted_at else ""
        since = f" since {escape(since)}" if since else ""
        return f' <span class="muted">(no longer listed{since}; its price is not current)</span>'
    if offering.kind != "pay_per_token":
        return f' <span class="muted">({escape(str(offering.get_kind_display()))}: not a per-token price)</span>'
    return ""


@register.simple_tag
def offering_rows(offerings, price_checks=None):
    """The rows of partials/offerings_table.html, as its loop wrote them, in Python: a variant page lists
    every offering (71 on the busiest variant), and the template loop cost more than the rest of the section."""
    parts = []
    for offering in offerings:
        check = price_checks.get(offering.pk) if price_checks else None
        if check:
            checked = check.describe()
        else:
            checked = (date_filter(offering.price_checked, "Y-m-d") if offering.price_checked else "") or "not checked"
        parts.append(
            _OFFERING_ROW.format(
                url=escape(offering.provider.get_absolute_url()),
                provider=escape(offering.provider.name),
                model=escape(offering.model_id),
                note=_offering_note(offering),
                price_input=escape(price(offering.price_input)),
                price_output=escape(price(offering.price_output)),
                price_cache_read=escape(price(offering.price_cache_read)),
                checked=escape(checked),
                context=escape(tokens(offering.context_window)),
            )
        )
    return SafeString("".join(parts))


_VARIANT_ROW = (
    '\n  <tr>\n    <th scope="row"><a href="{url}">{name}</a></th>\n'
    '    <td class="prose-cell">{use_when}</td>\n    <td class="date">{released}</td>\n'
    "    <td>{signals}\n</td>\n"
    '    <td><span class="status status-{status}">{status_label}</span></td>\n  </tr>\n  '
)
_NO_VARIANT_ROW = '\n  <tr><td colspan="5">No variants are listed yet.</td></tr>\n  '


def signals_html(signals) -> str:
    """partials/signals.html, without its final newline."""
    if not signals:
        return UNKNOWN
    chips = "".join(f'<li class="chip">{escape(str(signal))}</li>' for signal in signals)
    return f'<ul class="chips" aria-label="Signals">{chips}</ul>'


@register.simple_tag
def variant_rows(rows):
    """The rows of partials/variant_table.html (family_page.Row), as its loop wrote them, in Python."""
    if not rows:
        return SafeString(_NO_VARIANT_ROW)
    parts = []
    for row in rows:
        variant = row.variant
        parts.append(
            _VARIANT_ROW.format(
                url=escape(str(variant.get_absolute_url())),
                name=escape(str(variant.name)),
                use_when=escape(str(row.use_when)),
                released=escape(str(variant.released_display or UNKNOWN)),
                signals=signals_html(row.signals),
                status=escape(str(variant.status)),
                status_label=escape(str(variant.get_status_display())),
            )
        )
    return SafeString("".join(parts))
