"""Run every data-quality rule, refresh the findings curators see, print a summary per rule.

Exits non-zero when `--fail-on SEVERITY` is given and an open finding at or above it remains, so cron
and CI can watch the data.
"""

from django.core.management.base import BaseCommand, CommandError

from catalog.models import Finding
from catalog.services import quality

SEVERITIES = {label.lower(): value for value, label in Finding.Severity.choices}


class Command(BaseCommand):
    help = (
        "Run the data-quality rules, refresh findings (admin → Findings), print a summary per rule. "
        "With --fail-on, exit 1 when an open finding at or above that severity remains."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--fail-on",
            choices=sorted(SEVERITIES, key=SEVERITIES.get),
            default=None,
            help="Exit 1 if an open finding of this severity or higher remains.",
        )
        parser.add_argument(
            "--rule",
            action="append",
            dest="rules",
            metavar="CODE",
            default=None,
            help="Run only this rule (repeatable). Findings of other rules are left as they are.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Evaluate and report, but do not write findings.")
        parser.add_argument("--list", action="store_true", dest="list_rules", help="List the rules and exit.")

    def handle(self, *args, fail_on=None, rules=None, dry_run=False, list_rules=False, verbosity=1, **options):
        if list_rules:
            for rule in quality.RULES.values():
                self.stdout.write(f"{rule.code:<30} {rule.severity_label:<8} {rule.area:<11} {rule.title}")
            return
        try:
            report = quality.run_checks(rules, dry_run=dry_run)
        except KeyError as error:
            raise CommandError(error.args[0]) from error
        if verbosity >= 1:
            self._summary(report)
        if verbosity >= 2:
            self._open_findings(report)
        if fail_on is not None:
            threshold = SEVERITIES[fail_on]
            failing = report.open_at_or_above(threshold)
            if failing:
                raise CommandError(
                    f"{failing} open finding{'s' if failing != 1 else ''} at or above {fail_on} "
                    "(admin → Findings, or --verbosity 2 to list them)."
                )

    def _summary(self, report):
        self.stdout.write(f"{'rule':<30} {'severity':<8} {'open':>6} {'dismissed':>9} {'new':>6} {'resolved':>8}")
        for s in report.summaries:
            self.stdout.write(
                f"{s.rule.code:<30} {s.rule.severity_label:<8} {s.open:>6} {s.dismissed:>9} {s.new:>6} {s.resolved:>8}"
            )
        by_severity = {
            label: sum(s.open for s in report.summaries if s.rule.severity == value)
            for value, label in reversed(Finding.Severity.choices)
        }
        counts = ", ".join(f"{count} {label.lower()}" for label, count in by_severity.items())
        self.stdout.write(
            f"{len(report.summaries)} rules, {report.found} findings, {report.open} open ({counts}), "
            f"in {report.seconds:.2f} s."
        )
        if report.removed_rules:
            self.stdout.write(f"Deleted the findings of rules that no longer exist: {', '.join(report.removed_rules)}.")
        if report.dry_run:
            self.stdout.write("Dry run: no finding was written.")

    def _open_findings(self, report):
        codes = [s.rule.code for s in report.summaries]
        if report.dry_run:
            return
        for finding in Finding.objects.filter(rule__in=codes, state=Finding.State.OPEN).order_by(
            "-severity", "rule", "subject"
        ):
            self.stdout.write(
                f"  [{finding.get_severity_display().lower()}] {finding.rule} {finding.subject}: "
                f"{finding.message} ({finding.fix_url})"
            )
