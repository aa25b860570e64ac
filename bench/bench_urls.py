"""The project's URLs plus /bench/bare/: the practical limit for /models/ in plain Django.

The same filter, sort and 50 rows as /models/?modality=image&context_min=32000&price_in_max=1&sort=price_in_min,
one query with select_related, the same cells through the same template filters, no facets, no count,
no layout. Only bench/compare.py serves it (DJANGO_SETTINGS_MODULE=bench.bench_settings).
"""

from django.db.models import F
from django.http import HttpResponse
from django.template import engines
from django.urls import include, path

from catalog.models import Status, Variant

TEMPLATE = engines["django"].from_string("""{% load catalog_tags %}<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Models</title></head><body><table>
<thead><tr><th>Model</th><th>Family</th><th>Creator</th><th>Released</th><th>Context</th><th>Max output</th>
<th>Parameters</th><th>Input</th><th>Tools</th><th>Reasoning</th><th>Structured</th><th>Open weights</th>
<th>Status</th><th>Providers</th><th>Input $/M</th><th>Output $/M</th></tr></thead><tbody>
{% for row in rows %}<tr><th><a href="{{ row.get_absolute_url }}">{{ row.name }}</a></th>
<td><a href="{{ row.family.get_absolute_url }}">{{ row.family.name }}</a></td><td>{{ row.family.creator.name }}</td>
<td>{{ row.released_display|default:"—" }}</td><td>{{ row.context_window|tokens }}</td><td>{{ row.max_output_tokens|tokens }}</td>
<td>{{ row.parameters|params }}</td><td>{{ row.input_modalities|modalities }}</td><td>{{ row.tool_calling|yesno:"Yes,No,—" }}</td>
<td>{{ row.reasoning|yesno:"Yes,No,—" }}</td><td>{{ row.structured_output|yesno:"Yes,No,—" }}</td><td>{{ row.open_weights|yesno:"Yes,No,—" }}</td>
<td>{{ row.get_status_display }}</td><td>{{ row.provider_count }}</td><td>{{ row.price_in_min|price }}</td>
<td>{{ row.price_out_min|price }}</td></tr>
{% endfor %}</tbody></table></body></html>""")


def bare_models(request):
    rows = (
        Variant.objects.filter(
            family__published=True,
            status__in=[Status.CURRENT, Status.LEGACY],
            input_modalities__contains="image",
            context_window__gte=32000,
            price_in_min__lte=1,
        )
        .select_related("family", "family__creator")
        .order_by(F("price_in_min").asc(nulls_last=True), "family__name", "position", "name", "pk")[:50]
    )
    return HttpResponse(TEMPLATE.render({"rows": rows}, request))


def empty_page(request):
    """The floor: what the middleware stack and the handler cost for any Django page here."""
    return HttpResponse("ok")


urlpatterns = [
    path("bench/bare/", bare_models),
    path("bench/empty/", empty_page),
    path("", include("config.urls")),
]
