"""Text search over the catalog: PostgreSQL full-text search there, a portable fallback elsewhere.

One entry point, `search(queryset, q, fields)`, and two wrappers with the fields each list searches:

    search_families(Family.objects.published(), "llava vicuna")
    search_variants(Variant.objects.all(), '"llava 1.5" -7b')

The query uses web-search syntax on every database: words (all must match), "quoted phrases",
`or` between alternatives, and `-word` to exclude.

- PostgreSQL: `SearchVector(*fields)` matched by `SearchQuery(q, search_type="websearch")`, with the
  "simple" configuration (no stemming, no stop words: model names are not prose).
- Other databases: the same syntax parsed here; each word or phrase must occur (case-insensitively)
  in one of the fields.

Each row is one document on both: "llava -vicuna" finds no family that has a Vicuna variant.

Both give the same results wherever the query words are whole words of the names (the seed data
tests pin that); PostgreSQL matches whole words ("llav" finds nothing), the fallback substrings.

The result is `queryset` narrowed by `pk__in` a subquery: no duplicate rows from multi-valued
fields such as "variants__name", no `distinct()`, and the caller's annotations, ordering and
slicing keep working.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connections
from django.db.models import Q, QuerySet, StringAgg, Value
from django.db.models.constants import LOOKUP_SEP

FAMILY_FIELDS = ("name", "slug", "creator__name", "variants__name")
VARIANT_FIELDS = ("name", "slug", "family__name", "family__creator__name", "base_model", "aliases__alias")
SEARCH_CONFIG = "simple"
MAX_QUERY_LENGTH = 200

_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


@dataclass(frozen=True)
class Term:
    text: str
    negated: bool = False


def parse_websearch(q: str) -> list[list[Term]]:
    """Web-search syntax as alternatives of conjunctions: 'a b or -c "d e"' → [[a, b], [-c, "d e"]]."""
    groups: list[list[Term]] = [[]]
    for match in _TOKEN.finditer(q or ""):
        minus, phrase, word = match.groups()
        if word is not None:
            if word.lower() == "or":
                if groups[-1]:
                    groups.append([])
                continue
            negated = word.startswith("-") and len(word) > 1
            text = word[1:] if negated else word
            text = text.strip("\"'()&|!:*<>")
            if any(ch.isalnum() for ch in text):  # PostgreSQL ignores words of punctuation only
                groups[-1].append(Term(text, negated))
        elif phrase and phrase.strip():
            groups[-1].append(Term(" ".join(phrase.split()), bool(minus)))
    return [group for group in groups if any(not term.negated for term in group)]


def is_multi_valued(model, path: str) -> bool:
    """True when `path` ("variants__name") crosses a one-to-many or many-to-many relation."""
    for part in path.split(LOOKUP_SEP)[:-1]:
        field = model._meta.get_field(part)
        if field.one_to_many or field.many_to_many:
            return True
        model = field.related_model
    return False


def _fallback(base: QuerySet, groups: list[list[Term]], fields: Sequence[str]) -> QuerySet:
    """Each term: the rows with the term in any field (any related row for a multi-valued one)."""
    condition = Q()
    for group in groups:
        conjunction = Q()
        for term in group:
            anywhere = Q()
            for field in fields:
                anywhere |= Q(**{f"{field}__icontains": term.text})
            having = Q(pk__in=base.filter(anywhere).values("pk"))
            conjunction &= ~having if term.negated else having
        condition |= conjunction
    return base.filter(condition)


def _full_text(base: QuerySet, q: str, fields: Sequence[str]) -> QuerySet:
    from django.contrib.postgres.search import SearchQuery, SearchVector

    # One document per row: a multi-valued field contributes all its related values.
    parts = [
        StringAgg(field, Value(" "), distinct=True) if is_multi_valued(base.model, field) else field for field in fields
    ]
    return base.annotate(_search=SearchVector(*parts, config=SEARCH_CONFIG)).filter(
        _search=SearchQuery(q, search_type="websearch", config=SEARCH_CONFIG)
    )


def search(queryset: QuerySet, q: str | None, fields: Sequence[str], *, full_text: bool | None = None) -> QuerySet:
    """`queryset` narrowed to the rows whose `fields` match the web-search query `q`.

    Each row is one document: a word matches when it is in any of the fields, and for a field
    across a multi-valued relation ("variants__name") in any related row. A blank query (or one
    with no word to look for) returns `queryset` unchanged. `full_text` forces PostgreSQL's
    full-text search (True) or the portable fallback (False); by default the database decides.
    """
    q = (q or "").strip()[:MAX_QUERY_LENGTH]
    groups = parse_websearch(q)
    if not groups:
        return queryset
    base = queryset.model._base_manager.using(queryset.db)
    if full_text is None:
        full_text = connections[queryset.db].vendor == "postgresql"
    matches = _full_text(base, q, fields) if full_text else _fallback(base, groups, fields)
    return queryset.filter(pk__in=matches.values("pk"))


def search_families(queryset: QuerySet, q: str | None) -> QuerySet:
    """Families whose name, slug, creator or a variant's name match `q`."""
    return search(queryset, q, FAMILY_FIELDS)


def search_variants(queryset: QuerySet, q: str | None) -> QuerySet:
    """Variants whose name, slug, family, creator or base model match `q`."""
    return search(queryset, q, VARIANT_FIELDS)


@dataclass
class Matches:
    """What a site search names besides variants: families first, then creators and providers."""

    families: list
    creators: list
    providers: list

    def __bool__(self):
        return bool(self.families or self.creators or self.providers)


def _named(queryset: QuerySet, q: str, limit: int) -> list:
    """Rows whose name or slug holds every word of `q`, the shortest names first (closest match)."""
    from django.db.models.functions import Length

    for word in q.split()[:8]:
        queryset = queryset.filter(Q(name__icontains=word) | Q(slug__icontains=word))
    return list(queryset.order_by(Length("name"), "name")[:limit])


def matches(q: str, limit: int = 6) -> Matches:
    """The families, creators and providers a search names: three small queries."""
    from catalog.models import Family, Organization, Provider

    q = (q or "").strip()[:MAX_QUERY_LENGTH]
    if not parse_websearch(q):
        return Matches([], [], [])
    families = list(
        search_families(Family.objects.published().select_related("creator"), q).order_by("name")[: limit * 4]
    )
    # The family whose own name matches comes before one found through a variant's name.
    words = [w.lower() for w in q.split()]
    families.sort(key=lambda f: (not all(w in f"{f.name} {f.slug}".lower() for w in words), len(f.name), f.name))
    creators = _named(Organization.objects.filter(families__published=True).distinct(), q, limit)
    providers = _named(Provider.objects.all(), q, limit)
    return Matches(families[:limit], creators, providers)
