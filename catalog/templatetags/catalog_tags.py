"""Display helpers: "—" for unknown, token and parameter counts as the guidance writes them."""

from django import template
from django.template.defaulttags import querystring
from django.utils.safestring import mark_safe

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
