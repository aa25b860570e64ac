"""Reads for data quality: the admin badge of a family or variant, and the visitor's note on a page.

Each is a fixed number of queries: the badge two, the visitor's note one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db.models import CharField, Count, F, TextField, Value
from django.db.models.functions import Cast

from catalog.formatting import format_price
from catalog.models import Disagreement, Finding
from catalog.services.quality import FIELD_LABELS, RULES, SOURCE_LABELS

BADGE_LIMIT = 10


# --- Admin: the badge on a family's or a variant's change form ---------------------------------


@dataclass
class Badge:
    open_count: int
    dismissed_count: int
    by_severity: list[tuple[str, str, int]]  # (css key, label, open count), worst first
    findings: list[Finding]
    list_url: str

    @property
    def more(self) -> int:
        return max(0, self.open_count - len(self.findings))


def admin_badge(*, family_id=None, variant_id=None, list_url: str = "") -> Badge:
    """Open findings of a family (its own, its variants' and their offerings') or of one variant."""
    scope = {"family_id": family_id} if family_id is not None else {"variant_id": variant_id}
    counts = {
        (row["state"], row["severity"]): row["n"]
        for row in Finding.objects.filter(**scope).exclude(state=Finding.State.RESOLVED)
        .values("state", "severity").annotate(n=Count("id")).order_by()
    }
    open_by = [(label.lower(), label, counts.get((Finding.State.OPEN, value), 0))
               for value, label in reversed(Finding.Severity.choices)]
    findings = list(Finding.objects.filter(state=Finding.State.OPEN, **scope).order_by("-severity", "rule", "id")
                    [:BADGE_LIMIT])
    for finding in findings:
        finding.rule_title = RULES[finding.rule].title if finding.rule in RULES else finding.rule
    return Badge(
        open_count=sum(n for _, _, n in open_by),
        dismissed_count=sum(n for (state, _), n in counts.items() if state == Finding.State.DISMISSED),
        by_severity=[item for item in open_by if item[2]],
        findings=findings,
        list_url=list_url,
    )


# --- Visitors: values disputed between sources, or unverified ---------------------------------


@dataclass
class Dispute:
    variant: str
    provider: str
    model_id: str
    field: str
    values: list[str]  # one per column of DataNotes.sources, "—" where that source says nothing


@dataclass
class DataNotes:
    sources: list[str] = field(default_factory=list)  # column labels, e.g. ["LiteLLM", "models.dev"]
    disputes: list[Dispute] = field(default_factory=list)
    unverified: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.disputes or self.unverified)

    @property
    def count(self) -> int:
        return len(self.disputes) + len(self.unverified)


def _display(field_name: str, value) -> str:
    if value is None:
        return "—"
    if field_name.startswith("price_"):
        try:
            return format_price(Decimal(str(value)))
        except InvalidOperation:
            return str(value)
    if isinstance(value, int):
        return f"{value:,} tokens"
    return str(value)


def page_notes(*, family_id=None, variant_id=None) -> DataNotes:
    """What a visitor should know before trusting some values of a family's or a variant's page.

    Disputed: fields of the page's offerings where sources give different values (Disagreement),
    shown side by side. Unverified: open findings whose rule writes a note for visitors (a dismissed
    finding is one a curator checked). One query: the two reads are a UNION ALL, so that each page
    stays within its query budget.
    """
    if family_id is not None:
        disputes = Disagreement.objects.filter(offering__variant__family_id=family_id)
        findings = Finding.objects.filter(family_id=family_id)
    else:
        disputes = Disagreement.objects.filter(offering__variant_id=variant_id)
        findings = Finding.objects.filter(variant_id=variant_id)
    columns = ["kind", "variant_name", "provider_name", "model", "what", "text"]
    disputes = disputes.annotate(
        kind=Value("disputed", output_field=CharField()),
        variant_name=F("offering__variant__name"),
        provider_name=F("offering__provider__name"),
        model=F("offering__model_id"),
        what=F("field"),
        text=Cast("values", output_field=TextField()),
    ).values_list(*columns).order_by()
    findings = findings.filter(state=Finding.State.OPEN).exclude(public_note="").annotate(
        kind=Value("unverified", output_field=CharField()),
        variant_name=F("variant__name"),
        provider_name=F("offering__provider__name"),
        model=F("offering__model_id"),
        what=F("rule"),
        text=Cast("public_note", output_field=TextField()),
    ).values_list(*columns).order_by()
    rows = list(disputes.union(findings, all=True).order_by())

    notes = DataNotes()
    said_by_row = []
    for kind, variant_name, provider_name, model_id, what, text in rows:
        if kind == "unverified":
            notes.unverified.append(text)
            continue
        said = json.loads(text) if isinstance(text, str) else text
        said_by_row.append(((variant_name, provider_name, model_id, what), said))
    sources = sorted({source for _, said in said_by_row for source in said})
    notes.sources = [SOURCE_LABELS.get(source, source) for source in sources]
    for (variant_name, provider_name, model_id, what), said in sorted(said_by_row, key=lambda row: row[0]):
        notes.disputes.append(Dispute(
            variant=variant_name, provider=provider_name, model_id=model_id,
            field=FIELD_LABELS.get(what, what.replace("_", " ")),
            values=[_display(what, said.get(source)) for source in sources],
        ))
    notes.unverified.sort()
    return notes
