"""Rules on a family's sources: none cited, or a citation that points nowhere."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from catalog.formatting import join_words
from catalog.models import (
    Family,
)
from catalog.services.markdown import CITATION

from .registry import (
    Found,
    Severity,
    admin_change_url,
    rule,
)
from .snapshot import (
    Snapshot,
)


@rule("family-without-source", "Family cites no source", Severity.INFO, "sources")
def family_without_source(data: Snapshot) -> Iterator[Found]:
    """A published family has no source at all, so nothing on its page can be footnoted. (Families an
    import created start without one.)"""
    for family in data.families.values():
        if family.published and not data.source_numbers.get(family.id):
            yield Found(
                subject=f"family:{family.id}",
                message=f"{family.name} cites no source. Add one (title and URL) in its Sources.",
                fix_url=admin_change_url(Family, family.id),
                evidence=None,
                family_id=family.id,
            )


@rule("citation-points-nowhere", "Citation points to no source", Severity.ERROR, "sources")
def citation_points_nowhere(data: Snapshot) -> Iterator[Found]:
    """The about text or a FAQ answer cites [n], but the family has no source number n: the citation
    shows as plain brackets instead of a footnote link."""
    for family in data.families.values():
        texts = [("about text", family.about or "")]
        texts += [("FAQ", answer) for answer in data.faq_answers.get(family.id, [])]
        have = data.source_numbers.get(family.id, set())
        missing: dict[int, set[str]] = defaultdict(set)
        for where, text in texts:
            for match in CITATION.finditer(text):
                number = int(match.group(1))
                if number not in have:
                    missing[number].add(where)
        if missing:
            cited = ", ".join(f"[{n}]" for n in sorted(missing))
            places = join_words(sorted({where for wheres in missing.values() for where in wheres}))
            yield Found(
                subject=f"family:{family.id}",
                message=(
                    f"{family.name}'s {places} cites {cited}, but it has no source with "
                    f"{'that number' if len(missing) == 1 else 'those numbers'}. Add the source or fix "
                    "the citation."
                ),
                fix_url=admin_change_url(Family, family.id),
                evidence=sorted(missing),
                family_id=family.id,
            )
