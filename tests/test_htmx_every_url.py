"""Issue 15.3: an htmx request (HX-Request: true) to any URL gets a page or a partial, never a 500."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# One example of every named URL (the test below fails when a URL is added without one).
EXAMPLES = {
    "catalog:home": "/",
    "catalog:family-list": "/families/",
    "catalog:family-detail": "/families/llava/",
    "catalog:family-faq": "/families/llava/faq/",
    "catalog:variant-detail": "/families/llava/llava-13b/",
    "catalog:model-list": "/models/",
    "catalog:compare": "/compare/?v=llava/llava-13b&v=llava-1-5/llava-1-5-13b",
    "catalog:provider-list": "/providers/",
    "catalog:provider-detail": "/providers/ollama/",
    "catalog:faq": "/faq/",
    "catalog:choose": "/choose/",
    "healthz": "/healthz",
    "robots": "/robots.txt",
    "sitemap": "/sitemap.xml",
    "feed-variants": "/feeds/variants.atom",
    "feed-prices": "/feeds/prices.atom",
    "feed-family-changes": "/feeds/families/llava.atom",
    "feed-variant-changes": "/feeds/families/llava/llava-13b.atom",
    "feed-provider-changes": "/feeds/providers/ollama.atom",
}
QUERIES = ["", "?sort=-name&page=2"]


def _named_urls(resolver=None, namespace=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            yield from _named_urls(pattern, f"{pattern.namespace}:" if pattern.namespace else namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_named_url_has_an_example():
    assert set(_named_urls()) == set(EXAMPLES)


@pytest.mark.parametrize("url", sorted(EXAMPLES.values()))
@pytest.mark.parametrize("query", QUERIES)
def test_htmx_request_to_every_url_is_answered(client, seed, url, query):
    full = url + (("&" if "?" in url else "") + query.lstrip("?") if "?" in url and query else query)
    response = client.get(full, headers={"HX-Request": "true"}, follow=True)  # unread parameters: redirected away
    assert response.status_code in {200, 400}, f"{full}: {response.status_code}"
    if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
        html = response.content.decode()
        assert "<main" in html or 'id="results"' in html, f"{full}: neither a page nor the results partial"


@pytest.mark.parametrize("url", ["/families/", "/providers/ollama/", "/families/?sort=-name"])
def test_tables_without_a_partial_answer_htmx_with_the_whole_page(client, seed, url):
    response = client.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<main" in response.content.decode()
