"""FilterSets behind the table pages. Parameter names are part of the public URLs."""

import django_filters
from django import forms
from django.db.models import Q

from catalog.fields import Modality
from catalog.models import Family, Organization, Tag, Variant


class FamilyFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    creator = django_filters.ModelMultipleChoiceFilter(
        field_name="creator__slug",
        to_field_name="slug",
        queryset=Organization.objects.filter(families__published=True).distinct(),
        label="Creator",
        widget=forms.CheckboxSelectMultiple,
    )
    use_case = django_filters.ModelMultipleChoiceFilter(
        field_name="tags__slug",
        to_field_name="slug",
        queryset=Tag.objects.filter(kind=Tag.Kind.USE_CASE),
        label="Use case",
        widget=forms.CheckboxSelectMultiple,
    )
    modality = django_filters.MultipleChoiceFilter(
        choices=Modality.choices,
        method="filter_modality",
        label="Takes input",
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Family
        fields = ["q", "creator", "use_case", "modality"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(creator__name__icontains=value) | Q(variants__name__icontains=value)
        ).distinct()

    def filter_modality(self, queryset, name, values):
        """Families with at least one variant that takes every chosen input modality."""
        condition = Q()
        for value in values:
            condition &= Q(input_modalities__contains=value)

        return queryset.filter(id__in=Variant.objects.filter(condition).values("family_id"))
