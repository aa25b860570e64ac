"""Read the whole catalog out as a catalog document, and write/read documents as JSON or YAML.

`export_catalog()` is the inverse of `catalog_import.import_catalog()`: exporting a database,
importing the file into an empty database and exporting again gives byte-identical output.
Every list is in a fixed order (slugs, numbers, positions) and every record's keys are in the
order of its pydantic model in `catalog_format`, so the same database always gives the same bytes.

Prices stay `Decimal` from the database to the file and back: JSON is written with a small
writer that prints a Decimal's exact digits as a JSON number (0.075, never 0.07500000 or
0.07500000000000001) and read with `parse_float=Decimal`; YAML prints them as plain numbers and
turns the floats PyYAML reads back into Decimals through their shortest repr, which is exact for
every value the format allows (at most 12 digits).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import yaml
from django.db.models import F, Prefetch
from pydantic import BaseModel

from catalog.models import (
    Family,
    FamilyRelation,
    FamilyTag,
    FAQEntry,
    Offering,
    Organization,
    Provider,
    Source,
    Tag,
    Variant,
)
from catalog.services.catalog_format import (
    FORMAT_NAME,
    FORMAT_VERSION,
    CatalogDocument,
    FamilyRecord,
    FAQRecord,
    OfferingRecord,
    OrganizationRecord,
    ProviderRecord,
    RelationRecord,
    SourceRecord,
    VariantRecord,
)
from catalog.services.catalog_import import CatalogImportError
from catalog.services.importers import reading
from catalog.services.importers.runs import ImportError_

FORMATS = ("json", "yaml")
EXTENSIONS = {".json": "json", ".yaml": "yaml", ".yml": "yaml"}


class DocumentSyntaxError(CatalogImportError):
    """The text is not well-formed JSON or YAML, or not a document at its top level."""


# Database → document ---------------------------------------------------------------------------


def _record(model: type[BaseModel], **values) -> dict:
    """A record's values in its model's field order; every field of the format, nothing else.

    Text is stripped as the format strips it on import, so a stray trailing newline in the database
    cannot make a second export differ from the first.
    """
    fields = list(model.model_fields)
    if set(values) != set(fields):
        missing, extra = set(fields) - set(values), set(values) - set(fields)
        raise RuntimeError(
            f"export out of step with the format: {model.__name__}: missing {sorted(missing)}, unknown {sorted(extra)}"
        )
    return {name: _stripped(values[name]) for name in fields}


def _stripped(value):
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list):
        return [item.strip() if isinstance(item, str) else item for item in value]
    return value


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _price(value: Decimal | None) -> Decimal | None:
    """The exact value without the column's padding: 0.075000 → 0.075, 2.000000 → 2."""
    if value is None:
        return None
    return Decimal(decimal_text(value))


def decimal_text(value: Decimal) -> str:
    """A finite Decimal as plain digits, no exponent and no trailing zeros: 0.075, 2, 0.000001."""
    if not value.is_finite():
        raise ValueError(f"cannot write {value} as a number")
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def variant_ref(variant: Variant) -> str:
    return f"{variant.family.slug}/{variant.slug}"


def _variant(variant: Variant) -> dict:
    return _record(
        VariantRecord,
        slug=variant.slug,
        name=variant.name,
        released=variant.released_display or None,
        context_window=variant.context_window,
        max_output_tokens=variant.max_output_tokens,
        parameters=variant.parameters,
        active_parameters=variant.active_parameters,
        input_modalities=list(variant.input_modalities),
        output_modalities=list(variant.output_modalities),
        tool_calling=variant.tool_calling,
        reasoning=variant.reasoning,
        structured_output=variant.structured_output,
        open_weights=variant.open_weights,
        base_model=variant.base_model,
        knowledge_cutoff=variant.knowledge_cutoff,
        license=variant.license,
        status=variant.status,
        retirement_date=_iso(variant.retirement_date),
        replaced_by=variant_ref(variant.replaced_by) if variant.replaced_by_id else None,
    )


def _family(family: Family) -> dict:
    tags = {kind: [link.tag.name for link in family.family_tags.all() if link.tag.kind == kind] for kind in Tag.Kind}
    return _record(
        FamilyRecord,
        slug=family.slug,
        name=family.name,
        creator=family.creator.slug,
        collaborators=[organization.slug for organization in family.collaborators.all()],
        about=family.about,
        license=family.license,
        homepage=family.homepage,
        repository=family.repository,
        published=family.published,
        use_cases=tags[Tag.Kind.USE_CASE],
        strengths=tags[Tag.Kind.STRENGTH],
        sources=[
            _record(
                SourceRecord,
                number=source.number,
                title=source.title,
                url=source.url,
                publisher=source.publisher,
                date_checked=_iso(source.date_checked),
            )
            for source in family.sources.all()
        ],
        related=[
            _record(RelationRecord, family=relation.related.slug, note=relation.note)
            for relation in family.relations.all()
        ],
        faq=[
            _record(FAQRecord, question=entry.question, answer=entry.answer, replaces=entry.replaces)
            for entry in family.faq_entries.all()
        ],
        variants=[_variant(variant) for variant in family.variants.all()],
    )


def _families():
    return (
        Family.objects.select_related("creator")
        .prefetch_related(
            Prefetch("collaborators", queryset=Organization.objects.order_by("slug")),
            Prefetch(
                "family_tags",
                queryset=FamilyTag.objects.select_related("tag").order_by("position", "tag__kind", "tag__slug"),
            ),
            Prefetch("sources", queryset=Source.objects.order_by("number")),
            Prefetch(
                "relations",
                queryset=FamilyRelation.objects.select_related("related").order_by("position", "related__slug"),
            ),
            Prefetch("faq_entries", queryset=FAQEntry.objects.order_by("position", "question", "pk")),
            Prefetch(
                "variants",
                queryset=Variant.objects.select_related("replaced_by__family").order_by(
                    "position", F("release_date").asc(nulls_last=True), "name", "slug"
                ),
            ),
        )
        .order_by("slug")
    )


def _offering(offering: Offering) -> dict:
    return _record(
        OfferingRecord,
        provider=offering.provider.slug,
        variant=variant_ref(offering.variant),
        model_id=offering.model_id,
        price_input=_price(offering.price_input),
        price_output=_price(offering.price_output),
        price_cache_read=_price(offering.price_cache_read),
        price_cache_write=_price(offering.price_cache_write),
        price_checked=_iso(offering.price_checked),
        context_window=offering.context_window,
        max_output_tokens=offering.max_output_tokens,
        status=offering.status,
        listed=offering.listed,
        url=offering.url,
    )


def export_catalog() -> dict:
    """The whole database as a catalog document (plain dicts and lists; prices are Decimals)."""
    return _record(
        CatalogDocument,
        format=FORMAT_NAME,
        version=FORMAT_VERSION,
        organizations=[
            _record(OrganizationRecord, slug=o.slug, name=o.name, kind=o.kind, website=o.website)
            for o in Organization.objects.order_by("slug")
        ],
        providers=[
            _record(
                ProviderRecord,
                slug=p.slug,
                name=p.name,
                kind=p.kind,
                website=p.website,
                docs_url=p.docs_url,
                api_base_url=p.api_base_url,
            )
            for p in Provider.objects.order_by("slug")
        ],
        families=[_family(family) for family in _families()],
        offerings=[
            _offering(offering)
            for offering in Offering.objects.select_related("provider", "variant__family").order_by(
                "provider__slug", "model_id"
            )
        ],
    )


def count_records(document: dict) -> dict[str, int]:
    """How many records of each kind a document holds, for a command's report."""
    families = document.get("families") or []
    return {
        "organizations": len(document.get("organizations") or []),
        "providers": len(document.get("providers") or []),
        "families": len(families),
        "variants": sum(len(family.get("variants") or []) for family in families),
        "sources": sum(len(family.get("sources") or []) for family in families),
        "FAQ entries": sum(len(family.get("faq") or []) for family in families),
        "offerings": len(document.get("offerings") or []),
    }


# Document ↔ text -------------------------------------------------------------------------------


def format_for_path(path: str, fmt: str | None = None) -> str:
    """The format named by `fmt`, else by the file's extension; "-" (stdin/stdout) means JSON."""
    if fmt:
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
        return fmt
    if path == "-":
        return "json"
    suffix = Path(path).suffix.lower()
    if suffix not in EXTENSIONS:
        raise ValueError(
            f"cannot tell the format from the extension {suffix or '(none)'!r}; "
            f"use .json, .yaml or .yml, or --format json|yaml"
        )
    return EXTENSIONS[suffix]


def _json(value, level: int = 0) -> str:
    """json.dumps(value, indent=2, ensure_ascii=False), except that a Decimal is written as its exact digits."""
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = "  " * (level + 1)
        items = [
            f"{inner}{json.dumps(str(key), ensure_ascii=False)}: {_json(item, level + 1)}"
            for key, item in value.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + "  " * level + "}"
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        inner = "  " * (level + 1)
        return "[\n" + ",\n".join(inner + _json(item, level + 1) for item in value) + "\n" + "  " * level + "]"
    if isinstance(value, Decimal):
        return decimal_text(value)
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


class _YamlDumper(yaml.SafeDumper):
    """safe_dump, plus exact Decimals and Markdown with line breaks as readable literal blocks.

    Never writes aliases (*name) for values that appear twice: import_catalog refuses them.
    """

    def ignore_aliases(self, data):
        return True


def _represent_decimal(dumper: yaml.SafeDumper, value: Decimal):
    text = decimal_text(value)
    tag = "tag:yaml.org,2002:float" if "." in text else "tag:yaml.org,2002:int"
    return dumper.represent_scalar(tag, text)


def _represent_str(dumper: yaml.SafeDumper, value: str):
    # The emitter falls back to a quoted scalar when a literal block cannot hold the text exactly.
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_YamlDumper.add_representer(Decimal, _represent_decimal)
_YamlDumper.add_representer(str, _represent_str)


def dump_document(document: dict, fmt: str) -> str:
    """The document as text: keys in the order given (export_catalog gives the format's order)."""
    if fmt == "json":
        return _json(document) + "\n"
    if fmt == "yaml":
        return yaml.dump(document, Dumper=_YamlDumper, sort_keys=False, allow_unicode=True)
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


def _from_yaml(value):
    """PyYAML's floats back to exact Decimals (as JSON reads them); dates back to the ISO text of the format."""
    if isinstance(value, dict):
        return {key: _from_yaml(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_from_yaml(item) for item in value]
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def load_document(text: str | bytes, fmt: str) -> dict:
    """Parse JSON or YAML text into a document dict (not yet validated). Floats become Decimals.

    Bounded as every import is (catalog.services.importers.reading): duplicate keys, YAML aliases,
    NaN/Infinity, oversized numbers and text, NUL characters and deep nesting are refused, named.
    """
    raw = text.encode("utf-8") if isinstance(text, str) else text
    try:
        if fmt == "json":
            reading.count_values(raw, "")
            try:
                document = json.loads(raw.decode("utf-8"), **reading.json_hooks("", exact=True))
            except UnicodeDecodeError as error:
                raise DocumentSyntaxError(f"not UTF-8 text ({error.reason} at byte {error.start})") from error
            except json.JSONDecodeError as error:
                raise DocumentSyntaxError(
                    f"invalid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
                ) from error
            except RecursionError as error:
                raise DocumentSyntaxError(f"nested more than {reading.MAX_DEPTH} levels deep") from error
            reading.check_values(document, "")
        elif fmt == "yaml":
            document = _from_yaml(reading.parse_yaml(raw, ""))
        else:
            raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    except ImportError_ as error:
        raise DocumentSyntaxError(str(error)) from error
    if not isinstance(document, dict):
        raise DocumentSyntaxError(
            f'expected a catalog document (a mapping with "format": "{FORMAT_NAME}") '
            f"at the top level, got {type(document).__name__}"
        )
    if "format" not in document:
        raise DocumentSyntaxError(
            f'no "format" key: a catalog document starts with "format": "{FORMAT_NAME}" '
            "(is this a models.dev or LiteLLM file? use import_modelsdev or import_litellm)"
        )
    return document
