"""Curator text is inert everywhere it is shown.

Every curator text field gets a script, an event handler and a javascript: link, each field with
its own marker; every page that shows the field must show the marker (so the field is really
there) and contain nothing that runs: no script element but JSON data blocks and same-site files,
no on* attribute, no javascript:/vbscript:/data: link target. Exports must keep the payloads as
plain data.

To cover a new page: add it to PAGES with the markers of the fields it shows.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from io import StringIO
from xml.etree import ElementTree

import pytest
import yaml
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse

from catalog.models import (
    Family,
    FamilyRelation,
    FamilyTag,
    FAQEntry,
    Offering,
    Organization,
    PriceRecord,
    Provider,
    Source,
    Tag,
    Variant,
)

pytestmark = pytest.mark.django_db


def payload(marker: str) -> str:
    """Markup that would run if it were not escaped or sanitized, around a visible marker.

    At most 120 characters: the shortest curator text column (a tag's name) holds no more.
    """
    text = (
        f"<script>alert(1)</script><img src=x onerror=alert(1)>"
        f'<a href="javascript:alert(1)" onclick="alert(1)">{marker}</a>'
    )
    assert len(text) <= 120, marker
    return text


def markdown_payload(marker: str) -> str:
    return (
        f"{marker} [click](javascript:alert(1)) <script>alert(1)</script>\n\n"
        f'<img src=x onerror="alert(1)"> <a href="javascript:alert(1)">x</a> [y](vbscript:msgbox(1))\n\n'
        f'<svg onload=alert(1)></svg> <iframe src="javascript:alert(1)"></iframe>'
    )


def url_payload(marker: str) -> str:
    return f"javascript:alert('{marker}')"


# marker → (model, field); the markers are what the pages must show.
TEXT_FIELDS = {
    "XSSORG": "organization name (creator)",
    "XSSCOLLAB": "organization name (collaborator)",
    "XSSUSECASE": "tag name (use case)",
    "XSSSTRENGTH": "tag name (strength)",
    "XSSFAMILY": "family name",
    "XSSABOUT": "family about (Markdown)",
    "XSSFLICENSE": "family license",
    "XSSNOTE": "family relation note",
    "XSSRELATED": "related family name",
    "XSSSRCTITLE": "source title",
    "XSSPUBLISHER": "source publisher",
    "XSSQUESTION": "FAQ question",
    "XSSANSWER": "FAQ answer (Markdown)",
    "XSSVARIANT": "variant name",
    "XSSBASE": "variant base model",
    "XSSVLICENSE": "variant license",
    "XSSPROVIDER": "provider name",
    "XSSMODELID": "offering model id",
}
URL_FIELDS = {
    "XSSHOMEPAGE": "family homepage",
    "XSSREPO": "family repository",
    "XSSSRCURL": "source url",
    "XSSWEBSITE": "provider website",
    "XSSDOCS": "provider docs url",
    "XSSAPIBASE": "provider API base url",
    "XSSORGSITE": "organization website",
    "XSSOFFERURL": "offering url",
}


@pytest.fixture
def hostile(db):
    """One family, variant, provider and offering whose every curator field carries a payload.

    Written with the ORM, as an import from a hostile source could: no form validation on the way.
    """
    creator = Organization.objects.create(slug="org", name=payload("XSSORG"), website=url_payload("XSSORGSITE"))
    collaborator = Organization.objects.create(slug="collab", name=payload("XSSCOLLAB"))
    family = Family.objects.create(
        slug="fam",
        name=payload("XSSFAMILY"),
        creator=creator,
        about=markdown_payload("XSSABOUT") + " [1]",
        license=payload("XSSFLICENSE"),
        homepage=url_payload("XSSHOMEPAGE"),
        repository=url_payload("XSSREPO"),
    )
    family.collaborators.add(collaborator)
    related = Family.objects.create(slug="rel", name=payload("XSSRELATED"), creator=creator)
    FamilyRelation.objects.create(family=family, related=related, note=payload("XSSNOTE"))
    for position, (kind, marker) in enumerate([(Tag.Kind.USE_CASE, "XSSUSECASE"), (Tag.Kind.STRENGTH, "XSSSTRENGTH")]):
        tag = Tag.objects.create(kind=kind, slug=marker.lower(), name=payload(marker))
        FamilyTag.objects.create(family=family, tag=tag, position=position)
    Source.objects.create(
        family=family,
        number=1,
        title=payload("XSSSRCTITLE"),
        url=url_payload("XSSSRCURL"),
        publisher=payload("XSSPUBLISHER"),
    )
    FAQEntry.objects.create(family=family, question=payload("XSSQUESTION"), answer=markdown_payload("XSSANSWER"))
    variant = Variant.objects.create(
        family=family,
        slug="var",
        name=payload("XSSVARIANT"),
        base_model=payload("XSSBASE"),
        license=payload("XSSVLICENSE"),
        context_window=8192,
        parameters=7_000_000_000,
        input_modalities=["text", "image"],
        release_date="2026-01-01",
        release_precision="month",
    )
    Variant.objects.create(family=related, slug="rel-var", name="Related variant", context_window=4096)
    provider = Provider.objects.create(
        slug="prov",
        name=payload("XSSPROVIDER"),
        website=url_payload("XSSWEBSITE"),
        docs_url=url_payload("XSSDOCS"),
        api_base_url=url_payload("XSSAPIBASE"),
    )
    offering = Offering.objects.create(
        variant=variant,
        provider=provider,
        model_id=payload("XSSMODELID"),
        url=url_payload("XSSOFFERURL"),
        price_input="1",
        price_output="2",
    )
    PriceRecord.objects.create(
        offering=offering,
        price_input="1.5",
        price_output="2",
        valid_from="2026-01-01T00:00Z",
        valid_to="2026-02-01T00:00Z",
        source="test",
    )
    PriceRecord.objects.create(
        offering=offering, price_input="1", price_output="2", valid_from="2026-02-01T00:00Z", source="test"
    )
    variant.name = payload("XSSVARIANT") + " "  # a history row with a change in it
    variant.save()
    return {"family": family, "variant": variant, "provider": provider, "offering": offering}


# --- Pages -------------------------------------------------------------------------------------

FAMILY_PAGE = [
    "XSSORG",
    "XSSCOLLAB",
    "XSSUSECASE",
    "XSSSTRENGTH",
    "XSSFAMILY",
    "XSSABOUT",
    "XSSFLICENSE",
    "XSSNOTE",
    "XSSRELATED",
    "XSSSRCTITLE",
    "XSSPUBLISHER",
    "XSSQUESTION",
    "XSSANSWER",
    "XSSVARIANT",
    "XSSPROVIDER",
    "XSSMODELID",
    "XSSHOMEPAGE",
    "XSSREPO",
]
VARIANT_PAGE = ["XSSORG", "XSSFAMILY", "XSSVARIANT", "XSSBASE", "XSSVLICENSE", "XSSPROVIDER", "XSSMODELID"]


@dataclass(frozen=True)
class Page:
    name: str
    url: str  # a URL, or a URL name to reverse (skipped while it does not exist yet)
    markers: tuple[str, ...]
    kind: str = "html"  # html, json, csv, atom, xml
    admin: bool = False


PAGES = [
    Page("home", "/", ("XSSORG", "XSSFAMILY", "XSSVARIANT")),
    Page("family list", "/families/", ("XSSORG", "XSSFAMILY", "XSSUSECASE")),
    Page("family search", "/families/?q=fam", ("XSSORG", "XSSFAMILY")),
    Page("family", "/families/fam/", tuple(FAMILY_PAGE)),
    Page("family FAQ", "/families/fam/faq/", ("XSSFAMILY", "XSSQUESTION", "XSSANSWER")),
    Page("variant", "/families/fam/var/", tuple(VARIANT_PAGE)),
    Page("model table", "/models/?cols=family&cols=creator", ("XSSORG", "XSSFAMILY", "XSSVARIANT")),
    Page("model table JSON", "/models/?format=json", ("XSSORG", "XSSVARIANT"), kind="json"),
    Page("model table CSV", "/models/?format=csv", ("XSSORG", "XSSVARIANT"), kind="csv"),
    Page("family table JSON", "/families/?format=json", ("XSSORG", "XSSFAMILY", "XSSUSECASE"), kind="json"),
    Page("compare", "/compare/?v=fam/var&v=rel/rel-var", ("XSSVARIANT",)),
    Page("provider list", "/providers/", ("XSSPROVIDER",)),
    Page(
        "provider",
        "/providers/prov/",
        ("XSSPROVIDER", "XSSMODELID", "XSSVARIANT", "XSSFAMILY", "XSSWEBSITE", "XSSDOCS", "XSSAPIBASE"),
    ),
    Page("provider JSON", "/providers/prov/?format=json", ("XSSMODELID", "XSSVARIANT"), kind="json"),
    Page("new models feed", "/feeds/variants.atom", ("XSSVARIANT", "XSSFAMILY", "XSSORG"), kind="atom"),
    Page("price changes feed", "/feeds/prices.atom", ("XSSVARIANT", "XSSPROVIDER", "XSSMODELID"), kind="atom"),
    Page("sitemap", "/sitemap.xml", (), kind="xml"),
    Page("admin family", "admin:catalog_family_change:family", ("XSSFAMILY", "XSSABOUT", "XSSNOTE"), admin=True),
    Page("admin variant", "admin:catalog_variant_change:variant", ("XSSVARIANT", "XSSBASE"), admin=True),
    Page("admin variant history", "admin:catalog_variant_history:variant", ("XSSVARIANT",), admin=True),
    Page("admin provider", "admin:catalog_provider_change:provider", ("XSSPROVIDER",), admin=True),
    Page("admin offerings", "admin:catalog_offering_changelist", ("XSSMODELID",), admin=True),
]


def resolve(page: Page, objects) -> str | None:
    if page.url.startswith("/"):
        return page.url
    name, _, obj = page.url.partition(":catalog_")
    name = f"{name}:catalog_{obj.split(':')[0]}"
    args = [objects[obj.split(":")[1]].pk] if ":" in obj else []
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


# --- What "inert" means -------------------------------------------------------------------------

DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:text/html")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "background", "poster", "srcdoc", "data"}
DATA_SCRIPT_TYPES = {"application/ld+json", "application/json"}
FORBIDDEN_TAGS = {"iframe", "object", "embed", "frame", "frameset", "base"}


class _Inspector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.data_scripts: list[str] = []
        self._in_data_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…> event handler")
            if name in URL_ATTRIBUTES and value:
                cleaned = re.sub(r"[\x00-\x20]+", "", value).lower()
                if cleaned.startswith(DANGEROUS_SCHEMES):
                    self.problems.append(f"<{tag} {name}={value!r}> runs script")
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}> element")
        if tag == "meta" and attributes.get("http-equiv", "").lower() == "refresh":
            self.problems.append("<meta http-equiv=refresh>")
        if tag == "script":
            kind = (attributes.get("type") or "").lower()
            src = attributes.get("src") or ""
            if kind in DATA_SCRIPT_TYPES:
                self._in_data_script = True
                self.data_scripts.append("")
            elif not (src.startswith("/") and not src.startswith("//")):
                self.problems.append(f"<script{' src=' + src if src else ''}> element")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_data_script = False

    def handle_data(self, data):
        if self._in_data_script:
            self.data_scripts[-1] += data


def assert_inert_html(html: str, where: str) -> None:
    inspector = _Inspector()
    inspector.feed(html)
    assert not inspector.problems, f"{where}: {inspector.problems}"
    for block in inspector.data_scripts:
        json.loads(block)  # a data block that parses never broke out of its element
        assert "<" not in block, f"{where}: raw < in a JSON data block"


def assert_markers(text: str, markers, where: str) -> None:
    missing = [m for m in markers if m not in text]
    assert not missing, f"{where} does not show {[(m, TEXT_FIELDS.get(m) or URL_FIELDS.get(m)) for m in missing]}"


def json_strings(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from json_strings(item)
    elif isinstance(value, str):
        yield value


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_curator_text_is_inert_on_every_page(client, hostile, page):
    url = resolve(page, hostile)
    if url is None:
        pytest.skip(f"{page.name}: no such page yet")
    if page.admin:
        client.force_login(User.objects.create_superuser("admin", "admin@example.org", "x"))
    response = client.get(url)
    if response.status_code == 404 and page.url.startswith("/") and not page.admin:
        from django.urls import Resolver404
        from django.urls import resolve as url_resolve

        try:
            url_resolve(url.split("?")[0])
        except Resolver404:
            pytest.skip(f"{page.name}: no such page yet")
    assert response.status_code == 200, f"{page.name}: {response.status_code}"
    assert response["X-Content-Type-Options"] == "nosniff"
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode()
    if page.kind == "html":
        assert response["Content-Type"].startswith("text/html")
        assert_inert_html(text, page.name)
        assert_markers(text, page.markers, page.name)
    elif page.kind == "json":
        assert response["Content-Type"].startswith("application/json")
        data = json.loads(text)
        assert_markers("\n".join(json_strings(data)), page.markers, page.name)
    elif page.kind == "csv":
        assert response["Content-Type"].startswith("text/csv")
        assert_markers(text, page.markers, page.name)
    elif page.kind in ("atom", "xml"):
        root = ElementTree.fromstring(body)  # well-formed: nothing broke out of an element
        atom = "{http://www.w3.org/2005/Atom}"
        for element in root.iter():
            if element.get("type") == "html" and element.text:
                assert_inert_html(element.text, f"{page.name} <{element.tag.removeprefix(atom)}>")
        assert_markers(" ".join(root.itertext()), page.markers, page.name)
        assert "<script" not in text.lower()


def test_every_curator_text_field_is_shown_somewhere():
    shown = {marker for page in PAGES for marker in page.markers}
    assert set(TEXT_FIELDS) - shown == set()


def make_urls_valid():
    https = "https://example.org/"
    Organization.objects.update(website=https)
    Family.objects.update(homepage=https, repository=https)
    Source.objects.update(url=https)
    Provider.objects.update(website=https, docs_url=https, api_base_url=https)
    Offering.objects.update(url=https)


def test_export_refuses_script_urls_and_names_them(hostile, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError) as error:
        call_command("export_catalog", str(tmp_path / "catalog.json"), stdout=StringIO())
    for where in ("families.0.homepage", "families.0.sources.0.url", "providers.0.website"):
        assert where in str(error.value)


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_export_keeps_payloads_as_plain_data(hostile, tmp_path, fmt):
    make_urls_valid()
    path = tmp_path / f"catalog.{fmt}"
    call_command("export_catalog", str(path), stdout=StringIO())
    text = path.read_text(encoding="utf-8")
    assert "!!python" not in text
    data = json.loads(text) if fmt == "json" else yaml.safe_load(text)
    strings = set(json_strings(data))
    for marker in TEXT_FIELDS:
        expected = markdown_payload(marker) if marker in {"XSSABOUT", "XSSANSWER"} else payload(marker)
        assert any(expected in value for value in strings), f"{marker} changed on export"
