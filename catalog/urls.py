from django.urls import path

from catalog.views import compare, pages, tables
from catalog.views import guidance as guidance_views

app_name = "catalog"

urlpatterns = [
    path("", pages.HomeView.as_view(), name="home"),
    path("families/", tables.FamilyListView.as_view(), name="family-list"),
    path("families/<slug:family>/", pages.FamilyDetailView.as_view(), name="family-detail"),
    path("families/<slug:family>/faq/", guidance_views.FamilyFAQView.as_view(), name="family-faq"),
    path("families/<slug:family>/<slug:variant>/", guidance_views.VariantDetailView.as_view(), name="variant-detail"),
    path("models/", tables.ModelListView.as_view(), name="model-list"),
    path("compare/", compare.CompareView.as_view(), name="compare"),
    path("providers/", pages.ProviderListView.as_view(), name="provider-list"),
    path("providers/<slug:provider>/", tables.ProviderDetailView.as_view(), name="provider-detail"),
    path("faq/", guidance_views.SiteFAQView.as_view(), name="faq"),
    path("choose/", guidance_views.ChooseView.as_view(), name="choose"),
]
