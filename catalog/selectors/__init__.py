"""Reads, one module per area. Each page's data comes in a fixed number of queries.

pages: families, variants, providers, home · tables: /models/ and the other tables · guidance:
FAQ and the variant page's calculator · chooser: /choose/ · quality: data notes and admin badges · changelog · search.
"""

from catalog.selectors.family_page import FamilyPage, family_page
from catalog.selectors.pages import (
    SPEC_SORT_KEYS,
    ProviderOfferings,
    SortKey,
    VariantPage,
    group_by_provider,
    home_page,
    merge_faq,
    provider_list_queryset,
    sort_rows,
    variant_page,
)

__all__ = [
    "SPEC_SORT_KEYS",
    "FamilyPage",
    "ProviderOfferings",
    "SortKey",
    "VariantPage",
    "family_page",
    "group_by_provider",
    "home_page",
    "merge_faq",
    "provider_list_queryset",
    "sort_rows",
    "variant_page",
]
