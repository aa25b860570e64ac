"""Reads for data quality: the admin badge of a family or variant, and the visitor's note on a page.

Each is a fixed number of queries: the badge two, the visitor's note one. Past 400 lines because each
finding kind has its own public wording, kept beside the read that finds it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db.models import CharField, Count, F, TextField, Value
from django.db.models.functions import Cast

from catalog.formatting import format_price, plural
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
        for row in Finding.objects.filter(**scope)
        .exclude(state=Finding.State.RESOLVED)
        .values("state", "severity")
        .annotate(n=Count("id"))
        .order_by()
    }
    open_by = [
        (label.lower(), label, counts.get((Finding.State.OPEN, value), 0))
        for value, label in reversed(Finding.Severity.choices)
    ]
    findings = list(
        Finding.objects.filter(state=Finding.State.OPEN, **scope).order_by("-severity", "rule", "id")[:BADGE_LIMIT]
    )
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
    disputes = (
        disputes.annotate(
            kind=Value("disputed", output_field=CharField()),
            variant_name=F("offering__variant__name"),
            provider_name=F("offering__provider__name"),
            model=F("offering__model_id"),
            what=F("field"),
            text=Cast("values", output_field=TextField()),
        )
        .values_list(*columns)
        .order_by()
    )
    findings = (
        findings.filter(state=Finding.State.OPEN)
        .exclude(public_note="")
        .annotate(
            kind=Value("unverified", output_field=CharField()),
            variant_name=F("variant__name"),
            provider_name=F("offering__provider__name"),
            model=F("offering__model_id"),
            what=F("rule"),
            text=Cast("public_note", output_field=TextField()),
        )
        .values_list(*columns)
        .order_by()
    )
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
        notes.disputes.append(
            Dispute(
                variant=variant_name,
                provider=provider_name,
                model_id=model_id,
                field=FIELD_LABELS.get(what, what.replace("_", " ")),
                values=[_display(what, said.get(source)) for source in sources],
            )
        )
    notes.unverified.sort()
    return notes


# --- Admin: the work queue ----------------------------------------------------------------------

# What a visitor sees first: a current variant's page and tables before a legacy one's, an ended or
# unpublished one last; prices before specs before lifecycle, matching, staleness and sources.
VISIBILITY = {"current": 3, "legacy": 2}
AREA_WEIGHT = {"prices": 6, "specs": 5, "modalities": 5, "lifecycle": 4, "matching": 3, "staleness": 2, "sources": 1}
QUEUE_GROUPS = 40
GROUP_SAMPLES = 5


@dataclass
class QueueGroup:
    """Open findings one curator action fixes together: one rule in one family (or one rule, catalog-wide)."""

    rule: str
    title: str
    severity: int
    severity_label: str
    family_id: int | None
    family_name: str
    visibility: int
    count: int = 0
    samples: list[Finding] = field(default_factory=list)
    list_url: str = ""
    action: str = ""

    @property
    def rank(self) -> tuple:
        return (
            self.visibility,
            AREA_WEIGHT.get(RULES[self.rule].area if self.rule in RULES else "", 0),
            self.severity,
            self.count,
        )


@dataclass
class Suggestion:
    """One curator action that fixes a group of findings: merge these variants, attribute these families."""

    action: str  # "merge" or "attribute"
    label: str  # "Merge these 4 variants into Llama 3.1 70B", "Attribute these 12 families to Meta"
    finding_ids: list[int] = field(default_factory=list)
    samples: list[Finding] = field(default_factory=list)
    creator: str = ""  # attribute: the organization's slug
    creator_name: str = ""
    variant_ids: list[int] = field(default_factory=list)  # merge: the variants, the one to keep first
    url: str = ""  # merge: the admin's merge form with them chosen

    @property
    def count(self) -> int:
        return len(self.finding_ids) if self.action == "attribute" else len(self.variant_ids)

    @property
    def more(self) -> int:
        return len(self.finding_ids) - len(self.samples)


@dataclass
class WorkQueue:
    groups: list[QueueGroup]
    open_count: int
    group_count: int
    by_action: list[tuple[str, int]]  # (curator action, findings it fixes), most first
    suggestions: list[Suggestion] = field(default_factory=list)  # the biggest first


def _visibility(status: str | None, published: bool | None) -> int:
    if published is False:
        return 1
    if status is None:
        return 2  # about a family or a source: its pages are seen whatever the variant
    return VISIBILITY.get(status, 1)


ACTIONS = {
    "prices": "Set or confirm prices",
    "specs": "Fill in specs",
    "modalities": "Correct modalities",
    "lifecycle": "Set status or successor",
    "matching": "Check matches (merge or split variants)",
    "staleness": "Re-import or confirm",
    "sources": "Add or fix sources",
}


SUGGESTION_ACTIONS = {"merge": "Merge likely duplicates", "attribute": "Attribute families to their creator"}


def _suggest(suggestions: dict, finding: Finding) -> bool:
    """Add `finding` to the suggestion it carries (merge: one per finding; attribute: one per creator)."""
    wanted = finding.suggestion if isinstance(finding.suggestion, dict) else {}
    action = wanted.get("action")
    if action == "merge" and isinstance(wanted.get("variants"), list) and len(wanted["variants"]) > 1:
        ids = [int(pk) for pk in wanted["variants"]]
        name = finding.variant.name if finding.variant_id else "the first"
        item = suggestions[("merge", finding.pk)] = Suggestion(
            action="merge", label=f"Merge these {len(ids)} variants into {name}", variant_ids=ids, url=finding.fix_url
        )
    elif action == "attribute" and wanted.get("creator"):
        key = ("attribute", wanted["creator"])
        item = suggestions.get(key)
        if item is None:
            name = wanted.get("creator_name") or wanted["creator"]
            item = suggestions[key] = Suggestion(
                action="attribute", label="", creator=wanted["creator"], creator_name=name
            )
    else:
        return False
    item.finding_ids.append(finding.pk)
    if len(item.samples) < GROUP_SAMPLES:
        item.samples.append(finding)
    return True


def work_queue(list_url: str, limit: int = QUEUE_GROUPS) -> WorkQueue:
    """Open findings grouped by (rule, family), the groups ranked by what a visitor sees first; above them the
    suggestions, each one action that fixes a group (merge these variants, attribute these families). One query."""
    rows = (
        Finding.objects.filter(state=Finding.State.OPEN)
        .select_related("family", "variant")
        .only(
            "id",
            "rule",
            "severity",
            "message",
            "fix_url",
            "subject",
            "suggestion",
            "family__name",
            "family__published",
            "variant__status",
            "variant__name",
        )
        .order_by("id")
    )
    groups: dict[tuple, QueueGroup] = {}
    actions: dict[str, int] = {}
    suggestions: dict[tuple, Suggestion] = {}
    open_count = 0
    for finding in rows:
        open_count += 1
        suggested = _suggest(suggestions, finding)
        if suggested:
            action = SUGGESTION_ACTIONS[finding.suggestion["action"]]
            actions[action] = actions.get(action, 0) + 1
        key = (finding.rule, finding.family_id)
        group = groups.get(key)
        visibility = _visibility(
            finding.variant.status if finding.variant_id else None,
            finding.family.published if finding.family_id else None,
        )
        if group is None:
            rule = RULES.get(finding.rule)
            family_query = f"&family={finding.family_id}" if finding.family_id else ""
            group = groups[key] = QueueGroup(
                rule=finding.rule,
                title=rule.title if rule else finding.rule,
                severity=finding.severity,
                severity_label=finding.get_severity_display(),
                family_id=finding.family_id,
                family_name=finding.family.name if finding.family_id else "",
                visibility=visibility,
                list_url=f"{list_url}?rule={finding.rule}{family_query}",
                action=ACTIONS.get(rule.area, "Review") if rule else "Review",
            )
        group.visibility = max(group.visibility, visibility)
        group.count += 1
        if len(group.samples) < GROUP_SAMPLES:
            group.samples.append(finding)
        if not suggested:  # counted under its suggestion's action
            actions[group.action] = actions.get(group.action, 0) + 1
    ranked = sorted(groups.values(), key=lambda g: g.rank, reverse=True)
    for item in suggestions.values():
        if item.action == "attribute":
            these = "these " if item.count > 1 else ""
            item.label = f"Attribute {these}{plural(item.count, 'family', 'families')} to {item.creator_name}"
    offered = sorted(suggestions.values(), key=lambda s: (-s.count, s.label))
    return WorkQueue(
        groups=ranked[:limit],
        open_count=open_count,
        group_count=len(groups),
        by_action=sorted(actions.items(), key=lambda item: -item[1]),
        suggestions=offered[:limit],
    )


# --- Admin: what changed since the curator's last visit -------------------------------------------


@dataclass
class SinceLastVisit:
    since: object  # datetime or None (first visit)
    runs: list  # ImportRun, newest first
    new_findings: int
    resolved_findings: int
    versions: list[tuple[str, str, int]]  # (record kind, who, versions written)


def since_last_visit(since) -> SinceLastVisit:
    """Imports, their changes and the findings that opened or closed since `since` (None: the last 7 days)."""
    from datetime import timedelta

    from django.db.models import Q
    from django.utils import timezone

    from catalog.models import Family, ImportRun, Offering, Provider, Variant
    from catalog.services import history

    start = since or timezone.now() - timedelta(days=7)
    runs = list(ImportRun.objects.filter(started_at__gte=start).order_by("-started_at")[:50])
    for run in runs:
        run.summary = _run_summary(run.counts)
    counts = Finding.objects.aggregate(
        new=Count("id", filter=Q(first_seen_at__gte=start)),
        resolved=Count("id", filter=Q(state=Finding.State.RESOLVED, resolved_at__gte=start)),
    )
    versions = []
    for model in (Family, Variant, Provider, Offering):
        rows = (
            model.history.filter(history_date__gte=start)
            .values("history_change_reason", "history_user_id")
            .annotate(n=Count("history_id"))
            .order_by()
        )
        by_who: dict[str, int] = {}
        for row in rows:
            who = history.origin(row["history_change_reason"], row["history_user_id"]).label or "unknown"
            by_who[who] = by_who.get(who, 0) + row["n"]
        versions += [(str(model._meta.verbose_name_plural), who, n) for who, n in sorted(by_who.items())]
    return SinceLastVisit(
        since=since, runs=runs, new_findings=counts["new"], resolved_findings=counts["resolved"], versions=versions
    )


SUMMARY_KINDS = ("families", "variants", "providers", "offerings", "price records")


def _run_summary(counts) -> str:
    """“842 variants created, 55 updated; 2834 offerings created, 77 updated…”: what an import wrote."""
    parts = []
    for kind in SUMMARY_KINDS:
        tally = counts.get(kind) if isinstance(counts, dict) else None
        if not isinstance(tally, dict) or not (tally.get("created") or tally.get("updated")):
            continue
        parts.append(f"{kind} {tally.get('created', 0)} new, {tally.get('updated', 0)} changed")
    return "; ".join(parts) or "no change"
