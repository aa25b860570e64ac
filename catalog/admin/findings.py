"""Data quality: the findings of the rules in catalog/services/quality/, dismissed or reopened by curators."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext

from ..models import CuratorVisit, Family, Finding
from ..selectors import quality as quality_selectors
from ..services import curation, quality
from .curation import ReadOnlyAdmin


def quality_badge_context(model, object_id) -> dict:
    """The data-quality badge for a family's or a variant's change form (FamilyAdmin, VariantAdmin)."""
    try:
        pk = int(object_id)
    except (TypeError, ValueError):
        return {}
    changelist = reverse("admin:catalog_finding_changelist")
    if model is Family:
        badge = quality_selectors.admin_badge(family_id=pk, list_url=f"{changelist}?family={pk}&state=all")
    else:
        badge = quality_selectors.admin_badge(variant_id=pk, list_url=f"{changelist}?variant__id__exact={pk}&state=all")
    return {"quality_badge": badge}


class FindingStateFilter(admin.SimpleListFilter):
    """Open findings unless asked otherwise: the list is a to-do list."""

    title = "state"
    parameter_name = "state"
    default = Finding.State.OPEN
    ALL = "all"

    def lookups(self, request, model_admin):
        return [*Finding.State.choices, (self.ALL, "All")]

    def value(self):
        value = super().value()
        return value if value in {*Finding.State.values, self.ALL} else self.default

    def queryset(self, request, queryset):
        value = self.value()
        return queryset if value == self.ALL else queryset.filter(state=value)

    def get_facet_counts(self, pk_attname, filtered_qs):
        return {
            f"{i}__c": Count(pk_attname) if code == self.ALL else Count(pk_attname, filter=Q(state=code))
            for i, (code, _) in enumerate(self.lookup_choices)
        }

    def choices(self, changelist):
        counts = self.get_facet_queryset(changelist) if changelist.add_facets else {}
        for i, (code, label) in enumerate(self.lookup_choices):
            count = counts.get(f"{i}__c")
            yield {
                "selected": self.value() == code,
                "query_string": changelist.get_query_string({self.parameter_name: code}),
                "display": label if count is None else f"{label} ({count})",
            }


class FindingRuleFilter(admin.SimpleListFilter):
    title = "rule"
    parameter_name = "rule"

    def lookups(self, request, model_admin):
        return [(code, r.title) for code, r in quality.RULES.items()]

    def queryset(self, request, queryset):
        return queryset.filter(rule=self.value()) if self.value() else queryset

    def get_facet_counts(self, pk_attname, filtered_qs):
        return {f"{i}__c": Count(pk_attname, filter=Q(rule=code)) for i, (code, _) in enumerate(self.lookup_choices)}


class FindingFamilyFilter(admin.SimpleListFilter):
    """Families that have findings (the admin lists thousands of families otherwise)."""

    title = "family"
    parameter_name = "family"

    def lookups(self, request, model_admin):
        # Filters are built again for each facet count: ask the database once per request.
        if not hasattr(request, "_finding_families"):
            request._finding_families = list(
                Family.objects.filter(pk__in=Finding.objects.values("family_id"))
                .order_by("name")
                .values_list("pk", "name")
            )
        return [(str(pk), name) for pk, name in request._finding_families]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(family_id=int(value)) if value and value.isdigit() else queryset

    def get_facet_counts(self, pk_attname, filtered_qs):
        return {
            f"{i}__c": Count(pk_attname, filter=Q(family_id=int(pk))) for i, (pk, _) in enumerate(self.lookup_choices)
        }


class DismissForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        max_length=2000,
        help_text="Why this is not a problem. The finding stays dismissed until the data it is about changes.",
    )


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    """What the data-quality rules found. Findings are written by `check_data` (or “Run checks now”);
    curators fix the data (each finding links to the page) or dismiss a finding with a reason."""

    list_display = ["severity_display", "rule_title", "message", "family", "fix_link", "state", "changed_at"]
    list_display_links = ["rule_title"]
    list_filter = [FindingStateFilter, "severity", FindingRuleFilter, FindingFamilyFilter]
    list_select_related = ["family"]
    search_fields = ["message", "subject", "family__name", "variant__name"]
    show_facets = admin.ShowFacets.ALWAYS
    ordering = ["-severity", "rule", "subject"]
    actions = ["dismiss_findings", "reopen_findings"]
    fields = [
        "rule_title",
        "severity",
        "state",
        "message",
        "fix_link",
        "public_note",
        "family",
        "variant",
        "offering",
        "subject",
        "first_seen_at",
        "changed_at",
        "resolved_at",
        "dismissed_reason",
        "dismissed_by",
        "dismissed_at",
    ]
    readonly_fields = ["rule_title", "fix_link"]
    list_per_page = 100

    # Read-only (ReadOnlyAdmin): findings are the rules' output; curators fix the data or dismiss.

    def has_delete_permission(self, request, obj=None):
        return False  # a deleted finding would come back, without its dismissal

    def has_dismiss_permission(self, request, obj=None):
        return request.user.has_perm(f"{self.opts.app_label}.change_{self.opts.model_name}")

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("run/", self.admin_site.admin_view(self.run_view), name=f"{prefix}_run"),
            path("queue/", self.admin_site.admin_view(self.queue_view), name=f"{prefix}_queue"),
            path("attribute/", self.admin_site.admin_view(self.attribute_view), name=f"{prefix}_attribute"),
            path("<path:object_id>/dismiss/", self.admin_site.admin_view(self.dismiss_view), name=f"{prefix}_dismiss"),
            *super().get_urls(),
        ]

    @admin.display(description="severity", ordering="severity")
    def severity_display(self, obj):
        return format_html(
            '<span class="quality-severity quality-{}">{}</span>',
            obj.get_severity_display().lower(),
            obj.get_severity_display(),
        )

    @admin.display(description="rule", ordering="rule")
    def rule_title(self, obj):
        found = quality.RULES.get(obj.rule)
        return found.title if found else obj.rule

    @admin.display(description="fix")
    def fix_link(self, obj):
        return format_html('<a href="{}">Fix it</a>', obj.fix_url) if obj.fix_url else "—"

    # Dismissing ---------------------------------------------------------------------------------

    def _dismiss(self, request, queryset, *, action=None, next_url=None):
        """The dismissal form for `queryset`; on a valid POST, dismiss and return None (or a redirect)."""
        form = DismissForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            count = quality.dismiss(queryset, form.cleaned_data["reason"], request.user)
            self.message_user(
                request, ngettext("%d finding dismissed.", "%d findings dismissed.", count) % count, messages.SUCCESS
            )
            return redirect(next_url) if next_url else None
        findings = list(queryset.select_related("family")[:100])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Dismiss findings",
            "form": form,
            "findings": findings,
            "count": queryset.count(),
            "action": action,
            "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
            "select_across": request.POST.get("select_across", "0"),
            "next_url": next_url,
        }
        return TemplateResponse(request, "admin/catalog/finding/dismiss.html", context)

    @admin.action(description="Dismiss selected findings (with a reason)…", permissions=["dismiss"])
    def dismiss_findings(self, request, queryset):
        return self._dismiss(request, queryset.filter(state=Finding.State.OPEN), action="dismiss_findings")

    @admin.action(description="Reopen selected dismissed findings", permissions=["dismiss"])
    def reopen_findings(self, request, queryset):
        count = quality.reopen(queryset)
        self.message_user(
            request, ngettext("%d finding reopened.", "%d findings reopened.", count) % count, messages.SUCCESS
        )

    def dismiss_view(self, request, object_id):
        if not self.has_dismiss_permission(request):
            raise PermissionDenied
        finding = self.get_object(request, object_id)
        if finding is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        next_url = request.GET.get("next") or request.POST.get("next")
        if not next_url or not url_has_allowed_host_and_scheme(
            next_url, {request.get_host()}, require_https=request.is_secure()
        ):
            next_url = reverse("admin:catalog_finding_changelist")
        return self._dismiss(
            request, Finding.objects.filter(pk=finding.pk, state=Finding.State.OPEN), next_url=next_url
        )

    def run_view(self, request):
        if request.method != "POST":
            return redirect("admin:catalog_finding_changelist")
        if not self.has_dismiss_permission(request):
            raise PermissionDenied
        report = quality.run_checks()
        new = sum(s.new for s in report.summaries)
        resolved = sum(s.resolved for s in report.summaries)
        self.message_user(
            request,
            f"Checked the catalog in {report.seconds:.1f} s: {report.open} open findings "
            f"({new} new, {resolved} resolved).",
            messages.SUCCESS,
        )
        return redirect("admin:catalog_finding_changelist")

    # The work queue -----------------------------------------------------------------------------

    def queue_view(self, request):
        """Open findings grouped so one action fixes many, ranked by what a visitor sees first; and what
        imports changed since the curator last marked the queue as seen (kept per user: CuratorVisit)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            CuratorVisit.objects.update_or_create(user=request.user, defaults={"seen_at": timezone.now()})
            self.message_user(request, "Marked as seen: the next visit lists what changes after now.", messages.SUCCESS)
            return redirect("admin:catalog_finding_queue")
        since = CuratorVisit.objects.filter(user=request.user).values_list("seen_at", flat=True).first()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Work queue",
            "queue": quality_selectors.work_queue(reverse("admin:catalog_finding_changelist")),
            "changes": quality_selectors.since_last_visit(since),
        }
        return TemplateResponse(request, "admin/catalog/finding/queue.html", context)

    def attribute_view(self, request):
        """The queue's "Attribute these families to X": one action sets the creator of every family whose open
        finding suggests X (through curation.attribute_families: history, locks, rows, cache version)."""
        if request.method != "POST":
            return redirect("admin:catalog_finding_queue")
        if not request.user.has_perm("catalog.change_family"):
            raise PermissionDenied
        creator = request.POST.get("creator", "")
        chosen = [int(pk) for pk in request.POST.getlist("finding") if pk.isdigit()]
        findings = Finding.objects.filter(
            pk__in=chosen,
            state=Finding.State.OPEN,
            rule="family-unattributed",
            suggestion__action="attribute",
            suggestion__creator=creator,
        )
        families = list(Family.objects.filter(pk__in=findings.values("family_id")))
        if not families:
            self.message_user(request, "Nothing to attribute: those findings are no longer open.", messages.WARNING)
            return redirect("admin:catalog_finding_queue")
        name = findings.values_list("suggestion__creator_name", flat=True).first() or creator
        try:
            organization, count = curation.attribute_families(families, creator, name, request.user)
        except ValueError as problem:
            self.message_user(request, str(problem), messages.ERROR)
            return redirect("admin:catalog_finding_queue")
        self.message_user(
            request,
            ngettext("%(count)d family attributed to %(name)s.", "%(count)d families attributed to %(name)s.", count)
            % {"count": count, "name": organization.name},
            messages.SUCCESS,
        )
        return redirect("admin:catalog_finding_queue")
