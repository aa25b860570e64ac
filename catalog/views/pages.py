"""Pages. Views parse the request, ask a selector and render; they hold no query logic of their own."""

from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import ListView, TemplateView

from catalog import selectors
from catalog.selectors import charts as chart_selectors
from catalog.selectors import quality as quality_selectors
from catalog.selectors.changelog import family_changelog, merged_into, variant_changelog
from catalog.services.fragments import once


class HomeView(TemplateView):
    template_name = "catalog/home.html"
    query_parameters = frozenset()  # what a view reads; others are redirected away (catalog.middleware)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, **selectors.home_page())


class FamilyDetailView(TemplateView):
    template_name = "catalog/family_detail.html"
    query_parameters = frozenset({"sort"})

    def get_context_data(self, **kwargs):
        page = selectors.family_page(self.kwargs["family"], spec_sort=self.request.GET.get("sort"))
        context = super().get_context_data(**kwargs)
        context.update(page=page, family=page.family, spec_columns=selectors.SPEC_SORT_KEYS.values())
        # Read by fragments kept per catalog version (catalog.services.fragments): computed on a miss only.
        context["data_notes"] = once(quality_selectors.page_notes, family_id=page.family.pk)
        context["timeline_chart"] = once(chart_selectors.family_timeline, page.timeline_variants)
        context["changelog"] = once(family_changelog, page.family)
        context["feed_url"] = reverse("feed-family-changes", args=[page.family.slug])
        return context


class VariantDetailView(TemplateView):
    template_name = "catalog/variant_detail.html"

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except Http404:
            # A variant merged into another: its old address leads to the one kept.
            target = merged_into(kwargs["family"], kwargs["variant"])
            if target is None:
                raise
            return redirect(target.get_absolute_url(), permanent=True)

    def get_context_data(self, **kwargs):
        page = selectors.variant_page(self.kwargs["family"], self.kwargs["variant"])
        context = super().get_context_data(**kwargs)
        context.update(page=page, variant=page.variant, family=page.variant.family)
        # Read by fragments kept per catalog version (catalog.services.fragments): computed on a miss only.
        context["data_notes"] = once(quality_selectors.page_notes, variant_id=page.variant.pk)
        context["changelog"] = once(variant_changelog, page.variant)
        context["feed_url"] = reverse("feed-variant-changes", args=[page.variant.family.slug, page.variant.slug])
        history = once(chart_selectors.variant_price_history, page.offerings)
        context["price_history"] = once(lambda: history[0])
        context["price_history_rows"] = once(lambda: history[1])
        return context


class ProviderListView(ListView):
    template_name = "catalog/provider_list.html"
    query_parameters = frozenset()
    context_object_name = "providers"

    def get_queryset(self):
        return selectors.provider_list_queryset()
