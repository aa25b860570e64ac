"""Guidance pages: family FAQ, site FAQ, the chooser, and the variant page with its calculator.

Views parse the request with a form, ask a selector and render. A bad parameter is a form error
shown with status 400, never a 500.
"""

from django.views.generic import TemplateView

from catalog.forms import ChooserForm, CostForm
from catalog.guidance import chooser
from catalog.selectors import chooser as chooser_selectors
from catalog.selectors import guidance as selectors
from catalog.views import pages


class FamilyFAQView(TemplateView):
    template_name = "catalog/family_faq.html"
    query_parameters = frozenset()

    def get_context_data(self, **kwargs):
        faq = selectors.family_faq_page(self.kwargs["family"])
        context = super().get_context_data(**kwargs)
        context.update(faq=faq, family=faq.family)
        return context


class SiteFAQView(TemplateView):
    template_name = "catalog/faq.html"
    query_parameters = frozenset()

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, faq=selectors.site_faq_page())


class ChooseView(TemplateView):
    """/choose/: the needs are GET parameters, so a result can be shared and bookmarked."""

    template_name = "catalog/choose.html"

    @classmethod
    def get_query_parameters(cls) -> set[str]:
        return set(ChooserForm.base_fields)

    def get(self, request, *args, **kwargs):
        form = ChooserForm(request.GET or None)
        context = self.get_context_data(
            form=form, ranking_rule=chooser.RANKING_RULE, zero_price_note=chooser.ZERO_PRICE_NOTE, result=None
        )
        if form.is_bound and form.is_valid():
            context["result"] = chooser_selectors.choose(form.needs(), form.cleaned_data.get("page"))
        status = 400 if form.is_bound and not form.is_valid() else 200
        return self.render_to_response(context, status=status)


class VariantDetailView(pages.VariantDetailView):
    """The variant page, plus its comparison line, hardware fit and cost calculator."""

    @classmethod
    def get_query_parameters(cls) -> set[str]:
        return set(CostForm.base_fields)

    def get(self, request, *args, **kwargs):
        context = self.get_context_data(**kwargs)
        status = 400 if context["calculator"].errors else 200
        return self.render_to_response(context, status=status)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = CostForm(self.request.GET or None)
        context.update(calculator=form, guidance=selectors.variant_guidance(context["page"], form.usage()))
        # One "price checked" per offering, the same in the providers table as in the calculator.
        context["price_checks"] = {
            row.offering.pk: row.checked for row in context["guidance"].costs
        } or selectors.variant_price_checks(context["page"])
        return context
