"""Template helpers for the guidance pages: links that relax a chooser need, costs and sizes as the engine writes them."""

from django import template

from catalog import guidance

register = template.Library()


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
