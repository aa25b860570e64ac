"""Our own catalog file format, as pydantic models. `docs/catalog-format.schema.json` is generated from it.

Records refer to each other by slug: a family's `creator` is an organization slug, an offering's
`variant` is "family-slug/variant-slug".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Sequence
from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from catalog.fields import canonical_modalities
from catalog.models import (
    DatePrecision,
    FAQEntry,
    Offering,
    Organization,
    Provider,
    Status,
)

FORMAT_NAME = "model-catalog"
FORMAT_VERSION = 1

Slug = Annotated[str, Field(pattern=r"^[-a-z0-9_]+$", max_length=200)]
VariantRef = Annotated[str, Field(pattern=r"^[-a-z0-9_]+/[-a-z0-9_]+$", description="family-slug/variant-slug")]
PartialDate = Annotated[str, Field(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$", description="YYYY, YYYY-MM or YYYY-MM-DD")]
Price = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=6, description="USD per million tokens")]
# The bounds of the database columns (PostgreSQL refuses beyond them; SQLite would store anything).
Tokens = Annotated[int, Field(gt=0, le=2_147_483_647)]
ParameterCount = Annotated[int, Field(gt=0, le=9_223_372_036_854_775_807)]
Url = Annotated[str, Field(max_length=500)]


def parse_partial_date(value: str) -> tuple[date, str]:
    """ "2023-04" → (date(2023, 4, 1), "month")."""
    parts = [int(part) for part in value.split("-")]
    precision = {1: DatePrecision.YEAR, 2: DatePrecision.MONTH, 3: DatePrecision.DAY}[len(parts)]
    year, month, day = (parts + [1, 1])[:3]
    return date(year, month, day), str(precision)


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


_URL_VALIDATOR = URLValidator(schemes=["http", "https"])


def is_http_url(value: str) -> bool:
    """An http(s) URL the database's URL fields accept (Django's URLValidator), so export and import agree."""
    try:
        _URL_VALIDATOR(value)
    except DjangoValidationError:
        return False
    return True


def _http_url(value: str) -> str:
    if value and not (re.match(r"^https?://[^\s/]+", value) and is_http_url(value)):
        raise ValueError("must be an http or https URL")
    return value


class OrganizationRecord(Record):
    slug: Slug
    name: str = Field(min_length=1, max_length=200)
    kind: Literal[tuple(Organization.Kind.values)] = Organization.Kind.COMPANY.value  # type: ignore[valid-type]
    website: Url = ""

    _url = field_validator("website")(_http_url)


class ProviderRecord(Record):
    slug: Slug
    name: str = Field(min_length=1, max_length=200)
    kind: Literal[tuple(Provider.Kind.values)] = Provider.Kind.API.value  # type: ignore[valid-type]
    website: Url = ""
    docs_url: Url = ""
    api_base_url: Url = ""

    _urls = field_validator("website", "docs_url", "api_base_url")(_http_url)


class SourceRecord(Record):
    number: int = Field(ge=1, le=32_767)
    title: str = Field(min_length=1, max_length=300)
    url: Url
    publisher: str = ""
    date_checked: date | None = None

    _url = field_validator("url")(_http_url)


class RelationRecord(Record):
    family: Slug
    note: str = ""


class FAQRecord(Record):
    question: str = Field(min_length=1, max_length=300)
    answer: str = Field(min_length=1)
    replaces: Literal[tuple(["", *FAQEntry.Replaces.values])] = ""  # type: ignore[valid-type]


class VariantRecord(Record):
    slug: Slug
    name: str = Field(min_length=1, max_length=200)
    released: PartialDate | None = None
    context_window: Tokens | None = None
    max_output_tokens: Tokens | None = None
    parameters: ParameterCount | None = None
    active_parameters: ParameterCount | None = None
    input_modalities: list[str] = Field(default_factory=list, description="Empty means unknown.")
    output_modalities: list[str] = Field(default_factory=list, description="Empty means unknown.")
    tool_calling: bool | None = None
    reasoning: bool | None = None
    structured_output: bool | None = None
    open_weights: bool | None = None
    base_model: str = ""
    knowledge_cutoff: PartialDate | Literal[""] = ""
    license: str = ""
    status: Literal[tuple(Status.values)] = Status.CURRENT.value  # type: ignore[valid-type]
    retirement_date: date | None = None
    replaced_by: VariantRef | None = None

    @field_validator("input_modalities", "output_modalities")
    @classmethod
    def known_modalities(cls, value: list[str]) -> list[str]:
        return canonical_modalities(value)


class FamilyRecord(Record):
    slug: Slug
    name: str = Field(min_length=1, max_length=200)
    creator: Slug
    collaborators: list[Slug] = Field(default_factory=list)
    about: str = ""
    license: str = ""
    homepage: Url = ""
    repository: Url = ""
    published: bool = True
    use_cases: list[str] = Field(default_factory=list)
    strengths: list[str] = Field(default_factory=list)
    sources: list[SourceRecord] = Field(default_factory=list)
    related: list[RelationRecord] = Field(default_factory=list)
    faq: list[FAQRecord] = Field(default_factory=list)
    variants: list[VariantRecord] = Field(default_factory=list)

    _urls = field_validator("homepage", "repository")(_http_url)


class OfferingRecord(Record):
    provider: Slug
    variant: VariantRef
    model_id: str = Field(min_length=1, max_length=300)
    price_input: Price | None = None
    price_output: Price | None = None
    price_cache_read: Price | None = None
    price_cache_write: Price | None = None
    price_checked: date | None = None
    context_window: Tokens | None = None
    max_output_tokens: Tokens | None = None
    status: Literal[tuple(Offering.Status.values)] = Offering.Status.ACTIVE.value  # type: ignore[valid-type]
    listed: bool = Field(default=True, description="false: no source lists it any more; the pages say so.")
    url: Url = ""

    _url = field_validator("url")(_http_url)


class CatalogDocument(Record):
    format: Literal["model-catalog"] = FORMAT_NAME
    version: Literal[1] = FORMAT_VERSION
    organizations: list[OrganizationRecord] = Field(default_factory=list)
    providers: list[ProviderRecord] = Field(default_factory=list)
    families: list[FamilyRecord] = Field(default_factory=list)
    offerings: list[OfferingRecord] = Field(default_factory=list)

    @model_validator(mode="after")
    def natural_keys_are_unique(self) -> CatalogDocument:
        """The importer matches records on these keys: a second record with the same key would silently win."""
        problems: list[str] = []

        def check(
            kind: str,
            path: str,
            records: Sequence[Record],
            key: Callable[[Record], Hashable],
            label: Callable[[Record], str],
        ) -> None:
            seen: dict[Hashable, int] = {}
            for index, record in enumerate(records):
                value = key(record)
                if value in seen:
                    problems.append(
                        f"{path}.{index} ({label(record)}): duplicate {kind}, the same as {path}.{seen[value]}"
                    )
                else:
                    seen[value] = index

        check("organization slug", "organizations", self.organizations, lambda r: r.slug, lambda r: r.slug)
        check("provider slug", "providers", self.providers, lambda r: r.slug, lambda r: r.slug)
        check("family slug", "families", self.families, lambda r: r.slug, lambda r: r.slug)
        for index, family in enumerate(self.families):
            path, name = f"families.{index}", family.slug
            check(
                f"variant slug in family {name!r}",
                f"{path}.variants",
                family.variants,
                lambda r: r.slug,
                lambda r, name=name: f"{name} / {r.slug}",
            )
            check(
                f"source number in family {name!r}",
                f"{path}.sources",
                family.sources,
                lambda r: r.number,
                lambda r, name=name: f"{name} / {r.number}",
            )
            check(
                f"FAQ question in family {name!r}",
                f"{path}.faq",
                family.faq,
                lambda r: r.question,
                lambda r, name=name: f"{name} / {r.question}",
            )
            check(
                f"related family in family {name!r}",
                f"{path}.related",
                family.related,
                lambda r: r.family,
                lambda r, name=name: f"{name} / {r.family}",
            )
        check(
            "provider and model id",
            "offerings",
            self.offerings,
            lambda r: (r.provider, r.model_id),
            lambda r: f"{r.provider}/{r.model_id}",
        )
        if problems:
            # The message goes in the context, not the template, so braces in a model id stay literal.
            raise PydanticCustomError("duplicate_key", "{problems}", {"problems": "; ".join(problems)})
        return self


def json_schema() -> dict:
    """The JSON Schema of the format, as committed in docs/catalog-format.schema.json."""
    schema = CatalogDocument.model_json_schema()
    schema["title"] = "Model catalog document"
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
