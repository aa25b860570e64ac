"""Identity, attribution and lifecycle figures of a catalog database (issue 12's "Done when", measured).

    DATABASE_URL=sqlite:////tmp/real.sqlite3 .venv/bin/python bench/identity_report.py

Prints: variants and families; the share of "Unattributed" families; current variants that share a creator and
a normalized display name; embedding/speech models in chat families; parameter coverage of open-weights
variants; delisted offerings still counted in a price; the groups the issue names.
"""

from __future__ import annotations

import os
import sys
from collections import defaultdict
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from catalog.models import Family, ModelKind, Offering, OfferingKind, Status, Variant  # noqa: E402 (after setup)
from catalog.services.importers.identity import canonical_key  # noqa: E402 (after setup)

NAMED_GROUPS = {
    "Claude Opus 4.6": "claude-opus-4-6",
    "Llama 3.2 3B": "llama-3-2-3b",
    "MiMo-V2.5": "mimo-2-5",
    "Llama 4 Maverick": "llama-4-maverick-17b-128e",
}
NON_CHAT = {ModelKind.EMBEDDING, ModelKind.SPEECH, ModelKind.TTS}


def report() -> dict:
    figures = {}
    families = Family.objects.select_related("creator")
    figures["families"] = families.count()
    figures["unattributed_families"] = families.filter(creator__slug="unattributed").count()
    figures["variants"] = Variant.objects.count()
    current = Variant.objects.filter(status=Status.CURRENT).select_related("family__creator")
    figures["current_variants"] = current.count()
    figures["unlisted_variants"] = Variant.objects.filter(status=Status.UNLISTED).count()
    seen = defaultdict(list)
    for variant in current.exclude(kind=ModelKind.ROUTER):
        seen[(variant.family.creator_id, canonical_key(variant.name))].append(variant.slug)
    duplicates = {key: slugs for key, slugs in seen.items() if len(slugs) > 1}
    figures["current_pairs_sharing_creator_and_name"] = len(duplicates)
    figures["duplicate_examples"] = sorted(duplicates.values())[:8]
    chat_families = set(Variant.objects.filter(kind=ModelKind.CHAT).values_list("family_id", flat=True))
    misplaced = Variant.objects.filter(kind__in=NON_CHAT, family_id__in=chat_families)
    figures["embedding_or_speech_in_chat_family"] = misplaced.count()
    figures["misplaced_examples"] = list(misplaced.values_list("family__slug", "slug")[:8])
    open_weights = Variant.objects.filter(open_weights=True)
    counted = open_weights.filter(parameters__isnull=False) | open_weights.filter(active_parameters__isnull=False)
    figures["open_weights_variants"] = open_weights.count()
    figures["open_weights_with_parameters"] = counted.distinct().count()
    figures["delisted_offerings"] = Offering.objects.filter(listed=False).count()
    figures["offerings_by_kind"] = {kind: Offering.objects.filter(kind=kind).count() for kind in OfferingKind.values}
    figures["variants_by_kind"] = {kind: Variant.objects.filter(kind=kind).count() for kind in ModelKind.values}
    groups = {}
    for label, key in NAMED_GROUPS.items():
        offerings = Offering.objects.filter(model_id__iregex=key.replace("-", ".?").replace("..?", ".?"))
        groups[label] = sorted(set(Variant.objects.filter(match_key=key).values_list("family__slug", "slug")))
        groups[label + " (variants of matching offerings)"] = offerings.values("variant").distinct().count()
    figures["named_groups"] = groups
    return figures


if __name__ == "__main__":
    figures = report()
    for name, value in figures.items():
        print(f"{name}: {value}")
    if figures["families"]:
        print(f"unattributed share: {figures['unattributed_families'] / figures['families']:.1%}")
    if figures["open_weights_variants"]:
        share = figures["open_weights_with_parameters"] / figures["open_weights_variants"]
        print(f"open-weights variants with a parameter count: {share:.1%}")
