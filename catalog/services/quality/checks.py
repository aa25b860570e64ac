"""Running the rules and keeping their findings; the curator's dismiss and reopen; when checks run."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from catalog.models import (
    Finding,
)

from .registry import (
    RULES,
    Found,
    Rule,
    fingerprint,
)
from .snapshot import (
    Snapshot,
)


@dataclass
class RuleSummary:
    rule: Rule
    found: int = 0
    open: int = 0
    dismissed: int = 0
    new: int = 0
    resolved: int = 0
    reopened: int = 0
    seconds: float = 0.0


@dataclass
class CheckReport:
    summaries: list[RuleSummary]
    seconds: float = 0.0
    dry_run: bool = False
    removed_rules: list[str] = field(default_factory=list)

    @property
    def found(self) -> int:
        return sum(s.found for s in self.summaries)

    @property
    def open(self) -> int:
        return sum(s.open for s in self.summaries)

    def open_at_or_above(self, severity: int) -> int:
        return sum(s.open for s in self.summaries if s.rule.severity >= severity)


def select_rules(codes: Iterable[str] | None = None) -> list[Rule]:
    """The rules to run, in registry order; an unknown code raises KeyError naming it."""
    if not codes:
        return list(RULES.values())
    wanted = set(codes)
    unknown = sorted(wanted - set(RULES))
    if unknown:
        raise KeyError(f"unknown rule {', '.join(unknown)}; rules: {', '.join(RULES)}")
    return [r for r in RULES.values() if r.code in wanted]


def evaluate(rules: list[Rule], data: Snapshot) -> dict[str, tuple[list[Found], float]]:
    """Run each rule over the snapshot; a rule that yields one subject twice keeps the first."""
    results = {}
    for r in rules:
        started = time.perf_counter()
        seen, found = set(), []
        for item in r.check(data):
            if item.subject not in seen:
                seen.add(item.subject)
                found.append(item)
        results[r.code] = (found, time.perf_counter() - started)
    return results


def _in_scope(results: dict, scope: set[int] | None) -> dict:
    """Only the findings about the families in scope (all when scope is None)."""
    if scope is None:
        return results
    return {
        code: ([item for item in found if item.family_id in scope], seconds)
        for code, (found, seconds) in results.items()
    }


UPDATED_FIELDS = [
    "severity",
    "family",
    "variant",
    "offering",
    "message",
    "public_note",
    "fix_url",
    "fingerprint",
    "state",
    "changed_at",
    "resolved_at",
    "suggestion",
]


def run_checks(
    codes: Iterable[str] | None = None,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
    stale_days: int | None = None,
    family_ids: Iterable[int] | None = None,
) -> CheckReport:
    """Run the rules and refresh their findings in one transaction (nothing is written on a dry run).

    New findings open. A finding found again keeps its state, except that a dismissed one reopens when
    its evidence changed; a resolved one opens again (or stays dismissed if its evidence is the one
    the curator dismissed). A finding not found any more is resolved. Findings of rules that no
    longer exist are deleted when every rule runs.

    With `family_ids`, only those families' findings are refreshed (after a curator's save): the
    snapshot reads only their offerings and listings, and findings about other families or about no
    family (a source's import) are left as they are.
    """
    started = time.perf_counter()
    rules = select_rules(codes)
    scope = None if family_ids is None else set(family_ids)
    data = Snapshot(now=now, stale_days=stale_days, family_ids=scope)
    now = data.now
    results = _in_scope(evaluate(rules, data), scope)
    summaries = {r.code: RuleSummary(r, seconds=results[r.code][1]) for r in rules}
    report = CheckReport(list(summaries.values()), dry_run=dry_run)

    with transaction.atomic():
        existing_qs = Finding.objects.all() if not codes else Finding.objects.filter(rule__in=summaries)
        existing_qs = existing_qs if scope is None else existing_qs.filter(family_id__in=scope)
        existing = {(f.rule, f.subject): f for f in existing_qs}
        new, changed = [], []
        for r in rules:
            summary = summaries[r.code]
            found, _ = results[r.code]
            summary.found = len(found)
            for item in found:
                fp = fingerprint(r.code, item.subject, item.evidence)
                values = {
                    "severity": r.severity,
                    "family_id": item.family_id,
                    "variant_id": item.variant_id,
                    "offering_id": item.offering_id,
                    "message": item.message,
                    "public_note": item.public_note,
                    "fix_url": item.fix_url,
                    "fingerprint": fp,
                    "suggestion": item.suggestion,
                }
                old = existing.pop((r.code, item.subject), None)
                state = (
                    Finding.State.DISMISSED
                    if old is not None and old.dismissed_fingerprint == fp
                    else Finding.State.OPEN
                )
                if state == Finding.State.OPEN:
                    summary.open += 1
                else:
                    summary.dismissed += 1
                if old is None:
                    summary.new += 1
                    new.append(
                        Finding(
                            rule=r.code, subject=item.subject, state=state, first_seen_at=now, changed_at=now, **values
                        )
                    )
                    continue
                if old.state != state and state == Finding.State.OPEN:
                    summary.reopened += 1
                dirty = old.state != state or any(getattr(old, name) != value for name, value in values.items())
                if not dirty:
                    continue
                if old.fingerprint != fp:
                    old.changed_at = now
                for name, value in values.items():
                    setattr(old, name, value)
                old.state, old.resolved_at = state, None
                changed.append(old)
        gone_rules = set()
        for (code, _), old in existing.items():
            if code not in RULES:
                if scope is None:
                    gone_rules.add(code)
                continue
            if old.state != Finding.State.RESOLVED:
                old.state, old.resolved_at = Finding.State.RESOLVED, now
                changed.append(old)
                summaries[code].resolved += 1
        report.removed_rules = sorted(gone_rules)
        if not dry_run:
            Finding.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)  # a concurrent run made them
            Finding.objects.bulk_update(changed, UPDATED_FIELDS, batch_size=500)
            if gone_rules:
                Finding.objects.filter(rule__in=gone_rules).delete()
    report.seconds = time.perf_counter() - started
    return report


# --- Curator actions ----------------------------------------------------------------------------


def dismiss(findings, reason: str, user=None, *, now: datetime | None = None) -> int:
    """Dismiss open findings with a reason. Each stays dismissed while its evidence is unchanged."""
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("A dismissal needs a reason.")
    rows = list(findings.filter(state=Finding.State.OPEN))
    now = now or timezone.now()
    for finding in rows:
        finding.state = Finding.State.DISMISSED
        finding.dismissed_reason, finding.dismissed_fingerprint = reason, finding.fingerprint
        finding.dismissed_by = user if user is not None and user.pk else None
        finding.dismissed_at = now
    Finding.objects.bulk_update(
        rows, ["state", "dismissed_reason", "dismissed_fingerprint", "dismissed_by", "dismissed_at"], batch_size=500
    )
    return len(rows)


def reopen(findings) -> int:
    """Undo dismissals: the findings open again now, and a later check keeps them open."""
    return findings.filter(state=Finding.State.DISMISSED).update(
        state=Finding.State.OPEN,
        dismissed_reason="",
        dismissed_fingerprint="",
        dismissed_at=None,
        dismissed_by=None,
    )


# --- When checks run: after every import, after every curator save --------------------------------


def check_after_commit(family_ids: Iterable[int] | None = None) -> None:
    """Refresh findings once the current transaction commits: all of them (None), or those of some families.

    Imports call it with None (a full run: about 2 s on the real catalog); curator saves with the
    families they touched, which reads only those families' offerings and listings.
    """
    scope = None if family_ids is None else {pk for pk in family_ids if pk is not None}
    if scope is not None and not scope:
        return
    transaction.on_commit(lambda: run_checks(family_ids=scope))


# Findings about no family: a source's own (its last import).
SOURCE_RULES = ("source-import-stale",)
# An import that changed more families than this gets a full run: cheaper than a scope that big.
FULL_RUN_FAMILIES = 1000


def check_after_import(family_ids: Iterable[int] | None) -> None:
    """Refresh findings once an import commits: all of them (None: the import changed something every family
    shows, or too much to scope), or those of the families it changed and their neighbours, then the
    source rules. Rules over time alone (a price nobody confirmed for 90 days) are refreshed by the next full
    run: `check_data` on a schedule (docs/operations.md)."""
    scope = None if family_ids is None else with_neighbours({pk for pk in family_ids if pk is not None})
    if scope is None or len(scope) > FULL_RUN_FAMILIES:
        transaction.on_commit(run_checks)
        return

    def refresh() -> None:
        if scope:
            run_checks(family_ids=scope)
        run_checks(SOURCE_RULES)

    transaction.on_commit(refresh)


def with_neighbours(family_ids: set[int]) -> set[int]:
    """The families plus those whose findings can change with theirs: the same maker's other families
    (likely duplicates across families) and the families of the variants theirs replace (a successor that
    ended)."""
    from catalog.models import Family, Variant

    if not family_ids:
        return set()
    makers = Family.objects.filter(pk__in=family_ids).exclude(creator=None).values("creator_id")
    return (
        family_ids
        | set(Family.objects.filter(creator_id__in=makers).values_list("pk", flat=True))
        | set(Variant.objects.filter(replaced_by__family_id__in=family_ids).values_list("family_id", flat=True))
    )
