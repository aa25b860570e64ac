"""Pages. Views parse the request, ask a selector and render; they hold no query logic of their own."""

from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView, TemplateView
from django_filters.views import FilterView

from catalog import selectors
from catalog.filters import FamilyFilter
from catalog.models import Provider


class HomeView(TemplateView):
    template_name = "catalog/home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, **selectors.home_page())


class FamilyListView(FilterView):
    template_name = "catalog/family_list.html"
    filterset_class = FamilyFilter
    context_object_name = "families"
    paginate_by = 100

    def get_queryset(self):
        return selectors.family_list_queryset()

    def render_to_response(self, context, **response_kwargs):
        if self.filterset.is_bound and not self.filterset.is_valid():
            response_kwargs.setdefault("status", 400)
        return super().render_to_response(context, **response_kwargs)


class FamilyDetailView(TemplateView):
    template_name = "catalog/family_detail.html"

    def get_context_data(self, **kwargs):
        page = selectors.family_page(self.kwargs["family"], spec_sort=self.request.GET.get("sort"))
        context = super().get_context_data(**kwargs)
        context.update(page=page, family=page.family, spec_columns=selectors.SPEC_SORT_KEYS.values())
        return context


class VariantDetailView(TemplateView):
    template_name = "catalog/variant_detail.html"

    def get_context_data(self, **kwargs):
        page = selectors.variant_page(self.kwargs["family"], self.kwargs["variant"])
        context = super().get_context_data(**kwargs)
        context.update(page=page, variant=page.variant, family=page.variant.family)
        return context


class ProviderListView(ListView):
    template_name = "catalog/provider_list.html"
    context_object_name = "providers"

    def get_queryset(self):
        return selectors.provider_list_queryset()


class ProviderDetailView(DetailView):
    template_name = "catalog/provider_detail.html"
    context_object_name = "provider"

    def get_object(self, queryset=None):
        return get_object_or_404(Provider, slug=self.kwargs["provider"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **kwargs, offerings=selectors.provider_offerings_queryset(self.object)
        )
