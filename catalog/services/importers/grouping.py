"""How an import's entries become models: one group of entries per model, its maker, family and slug.

Pure: no queries. `sources` finds or makes each group's variant with these (docs/matching.md).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from catalog.models import ModelKind, Organization, Variant, VariantAlias
from catalog.services.importers import resolve
from catalog.services.importers.identity import canonical_key, model_kind, without_sizes
from catalog.services.importers.makers import GATEWAY_SEGMENTS, MAKER_PROVIDERS, base_family, namespace_of
from catalog.services.importers.matching import (
    CREATORS,
    UNATTRIBUTED,
    creator_for,
    derive_family,
    family_name,
    normalize_model_id,
    slug_of,
)

SLUG_LENGTH = Variant._meta.get_field("slug").max_length

if TYPE_CHECKING:
    from catalog.services.importers.sources import SourceEntry


@dataclass
class Grouping:
    """An import's entries by model: identity key → entries, key → (creator slug, name, website), and the
    other keys each group took in (written as aliases, so later runs agree)."""

    groups: dict[str, list[SourceEntry]]
    creators: dict[str, tuple[str, str, str]]
    absorbed: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))


def group_entries(entries: list[SourceEntry], known_keys: set[str]) -> Grouping:
    """One group per model: by identity key, sizeless keys joined to their sized model, same-named ones merged."""
    absorbed: dict[str, set[str]] = defaultdict(set)
    groups = _join_sized_keys(entries, known_keys, absorbed)
    groups, creators = _merge_by_name(groups, absorbed)
    return Grouping(groups, creators, absorbed)


def _join_sized_keys(entries: list[SourceEntry], known_keys: set[str], absorbed) -> dict[str, list[SourceEntry]]:
    """Entries by identity key; a key without sizes joins the one sized key of its model ("llama-4-maverick")."""
    groups: dict[str, list[SourceEntry]] = defaultdict(list)
    for entry in entries:
        groups[entry.match_key].append(entry)
    by_base: dict[str, set[str]] = defaultdict(set)
    for key in set(groups) | known_keys:
        base = without_sizes(key)
        if base != key:
            by_base[base].add(key)
    for key in sorted(groups):
        sized = by_base.get(key)
        if not sized or without_sizes(key) != key or "-" not in key or not any(ch.isdigit() for ch in key):
            continue
        weight = {k: len(groups.get(k, ())) + (k in known_keys) for k in sized}
        ranked = sorted(sized, key=lambda k: (-weight[k], k))
        if len(ranked) == 1 or weight[ranked[0]] > sum(weight[k] for k in ranked[1:]):
            groups[ranked[0]].extend(groups.pop(key))
            absorbed[ranked[0]].add(key)
    return groups


def aliases_to_write(source, grouping: Grouping, group_variant, aliases, by_key) -> list[VariantAlias]:
    """Every key this run resolved some other way than by the variant's own match key becomes an alias, so a
    later run (of any source) finds the same variant first thing, whatever else changed meanwhile."""
    new_aliases, written = [], set(aliases)
    for key in sorted(group_variant):
        variant = group_variant[key]
        for other in sorted({key} | grouping.absorbed.get(key, set())):
            if other != variant.match_key and other not in written and by_key.get(other, variant) is variant:
                written.add(other)
                new_aliases.append(
                    VariantAlias(
                        alias=other,
                        variant=variant,
                        source=source,
                        note=f"resolved by {source} to {variant.match_key or variant.slug}",
                    )
                )
    return new_aliases


def find_variant(key, members, aliases, by_key, by_slug):
    """(variant, how) for a group from the catalog, or None: aliases first, then match keys, then slugs."""
    for candidate in (key, *sorted({m.match_key for m in members}), *(normalize_model_id(m.model_id) for m in members)):
        if candidate in aliases:
            return aliases[candidate], f"alias {candidate}"
    if key in by_key:
        return by_key[key], ""
    for member in members:
        old = normalize_model_id(member.model_id)
        if old in by_key:
            return by_key[old], ""
    for candidate in (key, *(normalize_model_id(m.model_id) for m in members)):
        if candidates := by_slug.get(candidate):
            return sorted(candidates, key=lambda v: v.pk)[0], "matched an existing variant by slug"
    return None


def name_key(members: list[SourceEntry]) -> str:
    """The model's display name as a key: the name most of its listings give, without reseller prefixes or tiers."""
    names = Counter(resolve.clean_name(m.variant.get("name") or "") for m in members)
    names.pop("", None)
    if not names:
        return ""
    name = sorted(names, key=lambda n: (-names[n], n))[0]
    key = canonical_key(name)
    return key if any(ch.isdigit() for ch in key) or "-" in key else ""


def _merge_by_name(groups: dict[str, list[SourceEntry]], absorbed):
    """Groups one maker names alike are one model ("devstral-medium-2507" and "devstral-medium", both
    "Devstral Medium"); routers and aliases stay apart. Returns the groups and each group's creator."""
    creators = {key: creator_of(key, members) for key, members in groups.items()}
    first_by_name: dict[tuple[str, str], str] = {}
    for key in sorted(groups, key=lambda k: (-len(groups[k]), k)):
        members = groups[key]
        if model_kind(members[0].model_id, "", [], []) == ModelKind.ROUTER:
            continue
        name = name_key(members)
        if not name:
            continue
        target = first_by_name.setdefault((creators[key][0], name), key)
        if target != key:
            groups[target].extend(groups.pop(key))
            absorbed[target] |= {key} | absorbed.pop(key, set())
            del creators[key]
    return groups, creators


def find_by_name(creator, members, by_name):
    name = name_key(members)
    if name and (variant := by_name.get((creator[0], name))) is not None:
        return variant, f"same maker and name as {variant.slug}"
    return None


def creator_of(key: str, members: list[SourceEntry]) -> tuple[str, str, str]:
    """(slug, name, website): the maker's own listing, then the ids' namespaces, then name patterns."""
    makers = Counter(MAKER_PROVIDERS[m.provider.slug] for m in members if m.provider.slug in MAKER_PROVIDERS)
    known = {slug: (slug, name, site) for _pattern, slug, name, site in CREATORS}
    by_pattern = creator_for(key, *(slug_of(m.family_hint) for m in members if m.family_hint))
    if makers:
        slug = sorted(makers, key=lambda s: (-makers[s], s))[0]
        if slug in known and (by_pattern[0] in (slug, UNATTRIBUTED[0]) or len(makers) == 1):
            return known[slug]
    spaces = Counter()
    names: dict[str, str] = {}
    for member in members:
        if found := namespace_of(member.model_id):
            spaces[found[0]] += 1
            names.setdefault(found[0], found[1])
    if spaces:
        slug = sorted(spaces, key=lambda s: (-spaces[s], s))[0]
        if slug in known:
            return known[slug]
        if by_pattern[0] == UNATTRIBUTED[0] or spaces[slug] * 2 > len(members):
            return slug, names[slug] or family_name(slug), ""
    if by_pattern[0] == UNATTRIBUTED[0] and len({m.provider.slug for m in members}) == 1:
        provider = members[0].provider  # served by its own provider only, named by nothing else: that provider's
        return provider.slug, provider.name, provider.website
    return by_pattern


def family_of(key: str, members: list[SourceEntry], creator_slug: str, families: dict) -> tuple[str, str]:
    """(family slug, ambiguity note): the hints of this creator's family, reduced to the family's base name."""
    first = members[0]
    kind = model_kind(
        first.model_id,
        first.variant.get("name") or "",
        first.variant.get("input_modalities") or [],
        first.variant.get("output_modalities") or [],
    )
    hints = Counter()
    for member in members:
        if member.family_hint:
            hint_slug, hint_kind, base_slug, hint_creator = _hint_facts(member.family_hint)
            if (
                hint_slug not in GATEWAY_SEGMENTS
                and hint_creator in (creator_slug, UNATTRIBUTED[0])
                and hint_kind == kind
            ):
                hints[base_slug] += 1
    note = ""
    if hints:
        top = max(hints.values())
        chosen = sorted(h for h, n in hints.items() if n == top)[0]
        if len(hints) > 1:
            others = ", ".join(sorted(h for h in hints if h != chosen))
            note = f"providers disagree on the family ({chosen} chosen; also {others})"
    else:
        chosen = (
            slug_of(derive_family(key))
            if creator_for(key)[0] == creator_slug
            else slug_of(base_family(key) or derive_family(key))
        )
        if kind not in (ModelKind.CHAT, ModelKind.ROUTER) and kind not in chosen:
            chosen = f"{chosen}-{kind}"
    existing = families.get(chosen)
    if existing is not None and existing.creator.slug not in (creator_slug, UNATTRIBUTED[0]):
        chosen = f"{chosen}-{creator_slug}"[:SLUG_LENGTH]
    return chosen, note


@lru_cache(maxsize=16384)
def _hint_facts(hint: str) -> tuple[str, str, str, str]:
    """(slug, kind, base family slug, creator slug) of a provider's family hint: pure, and hints repeat."""
    hint_kind = model_kind(hint, "", [], [])
    base = (hint if hint_kind != ModelKind.CHAT else base_family(hint)) or slug_of(hint)
    return slug_of(hint), hint_kind, slug_of(base), creator_for(base)[0]


def family_display_name(slug: str, creator: Organization) -> str:
    if slug.endswith(f"-{creator.slug}"):
        return f"{family_name(slug[: -len(creator.slug) - 1])} ({creator.name})"
    return family_name(slug)


def variant_slug(members: list[SourceEntry]) -> str:
    """A readable slug: the shortest plain spelling of the model's id among the group."""
    spellings = sorted({normalize_model_id(m.model_id) for m in members}, key=lambda s: (len(s), s))
    return slug_of(spellings[0])[: SLUG_LENGTH - 10]  # room for a "-2" when the family has the slug
