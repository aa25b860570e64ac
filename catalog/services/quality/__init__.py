"""Data quality: small rules that find what is wrong, missing or stale, and the findings they keep.

Each rule is a function registered with `@rule(...)`: a code (its name), a title, a severity and an
area. It reads a `Snapshot` (flat rows fetched with values_list, one query per kind of row, shared
by every rule) and yields `Found` items: a subject, a message a curator understands, a link to the
admin page that fixes it, the evidence it judged, and optionally a suggestion (one curator action
that fixes a whole group of findings). So the number of queries is fixed, whatever the size of the
catalog or the number of rules.

`run_checks()` evaluates the rules and refreshes the `Finding` rows: new findings open, findings no
longer found are resolved, and a dismissed finding stays dismissed while its evidence (hashed into
`fingerprint`) is unchanged. `dismiss()` and `reopen()` are the curator's actions.

The package, one module per rule group (registered in this order on import):

    registry.py    Found, Rule, RULES, @rule, thresholds and the helpers rules share
    snapshot.py    Snapshot: the flat rows every rule reads
    specs.py       modalities and key specs
    prices.py      prices
    staleness.py   offerings, imports, prices and citations nobody confirmed lately
    lifecycle.py   status, successors, retirement
    matching.py    doubtful placements, likely duplicates, families without a creator
    sources.py     a family's sources and citations
    checks.py      run_checks, dismiss, reopen, check_after_commit, check_after_import

docs/data-quality.md describes every rule for curators.
"""

# isort: off
from . import specs, prices, staleness, lifecycle, matching, sources  # noqa: F401 (registers the rules, in this order)

# isort: on
from .checks import (
    CheckReport,
    RuleSummary,
    check_after_commit,
    check_after_import,
    dismiss,
    evaluate,
    reopen,
    run_checks,
    select_rules,
)
from .registry import FIELD_LABELS, RULES, SOURCE_LABELS, Found, Rule, Severity, fingerprint, rule, stale_after_days
from .snapshot import Snapshot

__all__ = [
    "FIELD_LABELS",
    "RULES",
    "SOURCE_LABELS",
    "CheckReport",
    "Found",
    "Rule",
    "RuleSummary",
    "Severity",
    "Snapshot",
    "check_after_commit",
    "check_after_import",
    "dismiss",
    "evaluate",
    "fingerprint",
    "reopen",
    "rule",
    "run_checks",
    "select_rules",
    "stale_after_days",
]
