"""What pages tell machines: absolute URLs, safe link targets, and schema.org JSON-LD.

Pure functions over data the page already holds: no queries.
"""

from __future__ import annotations

import html
import json
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe

from catalog.models import Organization
from catalog.services.markdown import render_markdown

SAFE_SCHEMES = {"http", "https", "mailto"}
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")
DESCRIPTION_LENGTH = 300


def absolute_url(request, path: str) -> str:
    """`path` on DJANGO_SITE_URL when set (one canonical origin), else on the request's scheme and host."""
    if settings.SITE_URL:
        return settings.SITE_URL + path
    return request.build_absolute_uri(path)


def safe_url(value) -> str:
    """`value` when it is an http(s) or mailto URL, else "" (a javascript: or data: URL never becomes a link)."""
    text = str(value or "").strip()
    if not text:
        return ""
    scheme = urlsplit(_CONTROL.sub("", text)).scheme.lower()
    return text if scheme in SAFE_SCHEMES else ""


def plain_text(markdown_text: str, limit: int = DESCRIPTION_LENGTH) -> str:
    """Curator Markdown as one line of plain text (citations dropped), cut at a word boundary."""
    text = " ".join(
        html.unescape(strip_tags(render_markdown(re.sub(r"\s*\[\d{1,3}\]", "", markdown_text or "")))).split()
    )
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",.;:") + "…"


def json_ld_script(data: dict, nonce: str | None = None) -> SafeString:
    """A <script type="application/ld+json"> element whose content can never close the element."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    nonce_attr = f' nonce="{nonce}"' if nonce is not None else ""  # a LazyNonce is falsy until used
    return mark_safe(f'<script type="application/ld+json"{nonce_attr}>{text}</script>')


def _organization(org: Organization, request) -> dict:
    kind = "Person" if org.kind == Organization.Kind.PERSON else "Organization"
    data = {"@type": kind, "name": org.name}
    if website := safe_url(org.website):
        data["url"] = website
    return data


def _breadcrumbs(request, trail: list[tuple[str, str]]) -> dict:
    return {
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": index, "name": name, "item": absolute_url(request, path)}
            for index, (name, path) in enumerate(trail, start=1)
        ],
    }


def family_json_ld(page, request) -> dict:
    """A family as a schema.org CreativeWorkSeries whose parts are its variants."""
    family = page.family
    url = absolute_url(request, family.get_absolute_url())
    data = {
        "@type": "CreativeWorkSeries",
        "@id": url,
        "name": family.name,
        "url": url,
        "creator": _organization(family.creator, request),
        "hasPart": [
            {
                "@type": "SoftwareApplication",
                "name": variant.name,
                "url": absolute_url(request, variant.get_absolute_url()),
            }
            for variant in getattr(page, "shown_variants", page.variants)  # bounded on a big family's page
        ],
    }
    if description := plain_text(family.about):
        data["description"] = description
    if family.license:
        data["license"] = family.license
    if keywords := [*page.use_cases, *page.strengths]:
        data["keywords"] = ", ".join(keywords)
    if same_as := [u for u in (safe_url(family.homepage), safe_url(family.repository)) if u]:
        data["sameAs"] = same_as
    if page.collaborators:
        data["contributor"] = [_organization(org, request) for org in page.collaborators]
    if page.sources:
        data["citation"] = [
            {"@type": "CreativeWork", "name": source.title, **({"url": u} if (u := safe_url(source.url)) else {})}
            for source in page.sources
        ]
    return {
        "@context": "https://schema.org",
        "@graph": [
            data,
            _breadcrumbs(
                request, [("Families", reverse("catalog:family-list")), (family.name, family.get_absolute_url())]
            ),
        ],
    }


def variant_json_ld(page, request) -> dict:
    """A variant as a schema.org SoftwareApplication with its providers' prices as offers."""
    variant, family = page.variant, page.variant.family
    url = absolute_url(request, variant.get_absolute_url())
    data = {
        "@type": "SoftwareApplication",
        "@id": url,
        "name": variant.name,
        "url": url,
        "applicationCategory": "Machine learning model",
        "description": page.use_when,
        "creator": _organization(family.creator, request),
        "isPartOf": {
            "@type": "CreativeWorkSeries",
            "name": family.name,
            "url": absolute_url(request, family.get_absolute_url()),
        },
    }
    if variant.release_date:
        data["datePublished"] = variant.released_display
    if license_ := variant.license or family.license:
        data["license"] = license_
    if page.signals:
        data["keywords"] = ", ".join(page.signals)
    offers = []
    for offering in page.offerings:
        if offering.price_input is None and offering.price_output is None:
            continue
        specs = [
            {
                "@type": "UnitPriceSpecification",
                "price": format(price.normalize(), "f"),
                "priceCurrency": "USD",
                "unitText": f"per million {label} tokens",
            }
            for price, label in ((offering.price_input, "input"), (offering.price_output, "output"))
            if price is not None
        ]
        offers.append(
            {
                "@type": "Offer",
                "seller": {"@type": "Organization", "name": offering.provider.name},
                "sku": offering.model_id,
                "priceSpecification": specs,
            }
        )
    if offers:
        data["offers"] = offers
    return {
        "@context": "https://schema.org",
        "@graph": [
            data,
            _breadcrumbs(
                request,
                [
                    ("Families", reverse("catalog:family-list")),
                    (family.name, family.get_absolute_url()),
                    (variant.name, variant.get_absolute_url()),
                ],
            ),
        ],
    }
