"""Discovery: sitemap.xml, robots.txt, Atom feeds, canonical links, OpenGraph tags, JSON-LD."""

import datetime
import json
import re
from decimal import Decimal
from xml.etree import ElementTree

import pytest

from catalog.models import Offering, PriceRecord, Variant
from tests import factories

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ATOM = "{http://www.w3.org/2005/Atom}"


def head_tags(html: str) -> dict[str, str]:
    tags = {}
    for name, content in re.findall(r'<meta (?:property|name)="([^"]+)" content="([^"]*)"', html):
        tags[name] = content
    if match := re.search(r'<link rel="canonical" href="([^"]+)"', html):
        tags["canonical"] = match.group(1)
    return tags


def json_ld(html: str) -> list[dict]:
    blocks = re.findall(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.DOTALL)
    return [json.loads(block) for block in blocks]


def test_sitemap_lists_families_variants_and_providers(client, seed):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/xml")
    locations = [loc.text for loc in ElementTree.fromstring(response.content).iter(f"{SITEMAP}loc")]
    assert "http://testserver/families/llava/" in locations
    assert "http://testserver/families/llava-1-5/" in locations
    assert "http://testserver/families/llava/llava-13b/" in locations
    assert "http://testserver/providers/ollama/" in locations
    assert "http://testserver/" in locations and "http://testserver/models/" in locations
    assert len([u for u in locations if u.count("/") == 6 and "/families/" in u]) == 6  # every variant
    assert all("/admin/" not in u for u in locations)


def test_sitemap_leaves_out_unpublished_families(client, seed):
    from catalog.models import Family

    Family.objects.filter(slug="llava").update(published=False)
    text = client.get("/sitemap.xml").content.decode()
    assert "/families/llava/" not in text and "/families/llava-1-5/" in text


def test_sitemap_uses_the_site_url_when_set(client, seed, settings):
    settings.SITE_URL = "https://catalog.example.org"
    text = client.get("/sitemap.xml").content.decode()
    assert "<loc>https://catalog.example.org/families/llava/</loc>" in text


def test_robots_txt_points_at_the_sitemap(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "User-agent: *" in text
    assert "Sitemap: http://testserver/sitemap.xml" in text
    assert "admin" not in text  # the admin path is not advertised


def test_new_variants_feed(client, seed):
    response = client.get("/feeds/variants.atom")
    assert response.status_code == 200 and "atom+xml" in response["Content-Type"]
    feed = ElementTree.fromstring(response.content)
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 6
    titles = [entry.find(f"{ATOM}title").text for entry in entries]
    assert "LLaVA 13B (LLaVA by Haotian Liu)" in titles
    links = [entry.find(f"{ATOM}link").get("href") for entry in entries]
    assert "http://testserver/families/llava/llava-13b/" in links
    summary = entries[titles.index("LLaVA 13B (LLaVA by Haotian Liu)")].find(f"{ATOM}summary").text
    assert "Use when the workload needs 4k context, 13B parameters, and multimodal inputs." in summary


def test_price_changes_feed(client, seed):
    variant = Variant.objects.get(slug="llava-13b")
    offering = factories.offering(variant, factories.provider("api", "Some API"), "llava-13b-api")
    first = datetime.datetime(2026, 10, 1, tzinfo=datetime.UTC)
    second = datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)
    PriceRecord.objects.create(
        offering=offering, price_input=Decimal(3), price_output=Decimal(15), valid_from=first, valid_to=second
    )
    PriceRecord.objects.create(
        offering=offering, price_input=Decimal("2.5"), price_output=Decimal(15), valid_from=second
    )
    feed = ElementTree.fromstring(client.get("/feeds/prices.atom").content)
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == [
        "LLaVA 13B: price change at Some API (llava-13b-api)",
        "LLaVA 13B: price listed at Some API (llava-13b-api)",
    ]
    assert entries[0].find(f"{ATOM}summary").text == "input $3.00 → $2.50 (USD per million tokens)."
    assert entries[0].find(f"{ATOM}updated").text.startswith("2026-11-01")
    assert entries[0].find(f"{ATOM}link").get("href") == "http://testserver/families/llava/llava-13b/"


def test_feeds_are_advertised_on_every_page(client, seed):
    html = client.get("/").content.decode()
    assert 'type="application/atom+xml" title="New models" href="/feeds/variants.atom"' in html
    assert 'href="/feeds/prices.atom"' in html


@pytest.mark.parametrize(
    ("url", "title"),
    [
        ("/", "AI model families, variants and providers"),
        ("/families/llava/", "LLaVA Models by Haotian Liu"),
        ("/families/llava/llava-13b/", "LLaVA 13B — LLaVA"),
        ("/providers/ollama/", "Ollama"),
    ],
)
def test_canonical_link_and_opengraph_tags(client, seed, url, title):
    tags = head_tags(client.get(url + "?sort=context&utm_source=x", follow=True).content.decode())
    assert tags["canonical"] == f"http://testserver{url}"  # no query string
    assert tags["og:url"] == tags["canonical"]
    assert tags["og:title"] == title
    assert tags["og:description"] and tags["og:site_name"] == "Model catalog"
    assert tags["og:type"] == "website" and tags["twitter:card"] == "summary"


def test_canonical_links_use_the_site_url_when_set(client, seed, settings):
    settings.SITE_URL = "https://catalog.example.org"
    tags = head_tags(client.get("/families/llava/", HTTP_HOST="127.0.0.1").content.decode())
    assert tags["canonical"] == "https://catalog.example.org/families/llava/"


def test_family_json_ld(client, seed):
    (data,) = json_ld(client.get("/families/llava/").content.decode())
    family, breadcrumbs = data["@graph"]
    assert data["@context"] == "https://schema.org"
    assert family["@type"] == "CreativeWorkSeries" and family["name"] == "LLaVA"
    assert family["url"] == "http://testserver/families/llava/"
    assert family["creator"] == {"@type": "Person", "name": "Haotian Liu"} or family["creator"]["name"] == "Haotian Liu"
    assert [part["name"] for part in family["hasPart"]][-1] == "LLaVA 13B" and len(family["hasPart"]) == 4
    assert family["description"].startswith("LLaVA, or Large Language and Vision Assistant")
    assert "[1]" not in family["description"]
    assert "vision and multimodal work" in family["keywords"]
    assert "https://github.com/haotian-liu/LLaVA" in family["sameAs"]
    assert breadcrumbs["@type"] == "BreadcrumbList"


def test_variant_json_ld_with_offers(client, seed):
    variant = Variant.objects.get(slug="llava-13b")
    factories.offering(variant, factories.provider("api", "Some API"), "llava-13b-api", "0.075", "0.3")
    html = client.get(variant.get_absolute_url()).content.decode()
    (data,) = json_ld(html)
    app = data["@graph"][0]
    assert app["@type"] == "SoftwareApplication" and app["name"] == "LLaVA 13B"
    assert app["isPartOf"]["name"] == "LLaVA"
    assert app["description"] == "Use when the workload needs 4k context, 13B parameters, and multimodal inputs."
    assert app["datePublished"] == variant.released_display
    (offer,) = app["offers"]
    assert offer["seller"]["name"] == "Some API"
    assert offer["priceSpecification"][0] == {
        "@type": "UnitPriceSpecification",
        "price": "0.075",
        "priceCurrency": "USD",
        "unitText": "per million input tokens",
    }
    assert Offering.objects.filter(variant=variant).count() == 2  # the unpriced one is not an offer


def test_json_ld_carries_the_page_nonce(client, seed):
    response = client.get("/families/llava/")
    nonce = re.search(r'<script type="application/ld\+json" nonce="([^"]+)"', response.content.decode()).group(1)
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]


@pytest.mark.parametrize("url", ["/", "/families/llava/", "/families/llava/llava-13b/", "/providers/", "/sitemap.xml"])
def test_public_pages_do_not_advertise_the_admin_path(client, seed, url):
    from django.urls import reverse

    assert reverse("admin:index") not in client.get(url).content.decode()
