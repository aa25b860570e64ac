"""FilterSets behind the table pages. Parameter names are part of the public URLs."""

import copy

import django_filters
from django import forms
from django.db.models import F, Q

from catalog import columns
from catalog.fields import Modality
from catalog.models import Family, Offering, Organization, Provider, Status, Tag, Variant, VariantRow
from catalog.selectors.search import search_families, search_variants
from catalog.table_fields import ParameterCountField, PartialDateField

TRI_STATE = (("yes", "Yes"), ("no", "No"), ("unknown", "Unknown"))
TRI_STATE_LOOKUP = {"yes": {"": True}, "no": {"": False}, "unknown": {"__isnull": True}}
MAX_PRICE = 1_000_000


class SlugMultipleChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    """Repeatable slugs (?creator=openai&creator=meta); an unknown slug is a form error naming it."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        kwargs.setdefault("widget", forms.MultipleHiddenInput)
        super().__init__(*args, **kwargs)


class NullsLastOrderingFilter(django_filters.OrderingFilter):
    """`?sort=key` (`-key` descends) over a Table's sortable columns: unknown values last both ways,
    the table's default sort when absent, then its stable tie-break."""

    def __init__(self, *args, table: columns.Table, **kwargs):
        self.table = table
        kwargs.setdefault("label", "Sort")
        super().__init__(*args, fields={path: key for key, path in table.sorts.items()}, **kwargs)

    def get_ordering_value(self, param):
        descending = param.startswith("-")
        expression = F(self.param_map[param.removeprefix("-")])
        return expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)

    def filter(self, qs, value):
        params = [param for param in value or () if param] or [self.table.default_sort]
        return qs.order_by(*[self.get_ordering_value(param) for param in params[:1]], *self.table.tiebreak)


def sort_filter(table: columns.Table) -> NullsLastOrderingFilter:
    return NullsLastOrderingFilter(table=table)


class PartialDateFilter(django_filters.Filter):
    field_class = PartialDateField


class ParameterCountFilter(django_filters.NumberFilter):
    field_class = ParameterCountField


def number(field_name, lookup, **bounds):
    bounds.setdefault("min_value", 0)
    bounds.setdefault("max_value", MAX_PRICE * 10**9)
    return django_filters.NumberFilter(field_name=field_name, lookup_expr=lookup, **bounds)


class ShallowCopiedFilters(dict):
    """A FilterSet's filters, copied shallow for each request: django-filter deep-copies them (their choices,
    querysets and widgets: about 1 ms a request), though a filter's own state per request is only its model
    and parent, set on the copy, and the method bound to it (bound again here)."""

    def __deepcopy__(self, memo):
        copies = {}
        for name, base in self.items():
            copies[name] = copy.copy(base)
            if base.method is not None:
                copies[name].method = base.method  # a FilterMethod bound to the copy, not to the class's filter
        return copies


class FormClassOnce:
    """A FilterSet whose form class is built once per class, not per request (django-filter builds a new
    class, and a field per filter, every time): its filters' fields depend on neither request nor data.
    Each form still gets its own copies of the fields, as every Django form does. Its filters are copied
    shallow per request (ShallowCopiedFilters)."""

    def __init__(self, *args, **kwargs):
        cls = type(self)
        if not isinstance(cls.__dict__.get("base_filters"), ShallowCopiedFilters):
            cls.base_filters = ShallowCopiedFilters(cls.base_filters)
        super().__init__(*args, **kwargs)

    def get_form_class(self):
        form_class = type(self).__dict__.get("_form_class")
        if form_class is None:
            form_class = super().get_form_class()
            type(self)._form_class = form_class
        return form_class


class ModelFilter(FormClassOnce, django_filters.FilterSet):
    """The filters of /models/ over its rows (VariantRow). Parameter names are public: other code and
    checks rely on them. The faceted filters are conditions (`condition()`), so the facet counts can
    take each of them in or out of one grouped query (catalog.selectors.tables.variant_facets)."""

    q = django_filters.CharFilter(method="search", label="Search", max_length=200)
    family = SlugMultipleChoiceFilter(field_name="family_slug", queryset=Family.objects.published(), label="Family")
    creator = SlugMultipleChoiceFilter(queryset=Organization.objects.all(), method="filter_faceted", label="Creator")
    provider = SlugMultipleChoiceFilter(queryset=Provider.objects.all(), method="filter_faceted", label="Provider")
    modality = django_filters.MultipleChoiceFilter(
        choices=Modality.choices, method="filter_faceted", label="Takes input", widget=forms.CheckboxSelectMultiple
    )
    tool_calling = django_filters.ChoiceFilter(choices=TRI_STATE, method="filter_faceted", label="Tool calling")
    reasoning = django_filters.ChoiceFilter(choices=TRI_STATE, method="filter_faceted", label="Reasoning")
    structured_output = django_filters.ChoiceFilter(
        choices=TRI_STATE, method="filter_faceted", label="Structured output"
    )
    open_weights = django_filters.ChoiceFilter(choices=TRI_STATE, method="filter_faceted", label="Open weights")
    status = django_filters.MultipleChoiceFilter(
        choices=Status.choices, method="filter_faceted", label="Status", widget=forms.CheckboxSelectMultiple
    )
    context_min = number("context_window", "gte", max_value=10**12, label="Context at least (tokens)")
    params_min = ParameterCountFilter(field_name="parameters", lookup_expr="gte", label="Parameters at least")
    params_max = ParameterCountFilter(field_name="parameters", lookup_expr="lte", label="Parameters at most")
    released_after = PartialDateFilter(method="filter_released_after", label="Released from (YYYY-MM)")
    released_before = PartialDateFilter(method="filter_released_before", label="Released before (YYYY-MM)")
    price_in_max = number("price_in_min", "lte", max_value=MAX_PRICE, label="Input price at most ($/M)")
    price_out_max = number("price_out_min", "lte", max_value=MAX_PRICE, label="Output price at most ($/M)")
    priced = django_filters.ChoiceFilter(choices=(("yes", "Only priced"),), method="filter_priced", label="Priced")
    sort = sort_filter(columns.VARIANTS)

    DEFAULT_STATUS = (Status.CURRENT, Status.LEGACY)
    CAPABILITIES = ("tool_calling", "reasoning", "structured_output", "open_weights")
    FACETED = ("status", "modality", *CAPABILITIES, "creator", "provider")

    class Meta:
        model = VariantRow
        fields = []

    def condition(self, name: str) -> Q:
        """One faceted filter as a condition on the rows; Q() when it is not set (status: the default)."""
        value = self.form.cleaned_data.get(name)
        if name == "status":
            return Q(status__in=value or self.DEFAULT_STATUS)
        if not value:
            return Q()
        if name == "modality":
            condition = Q()
            for modality in value:
                condition &= Q(input_modalities__contains=modality)
            return condition
        if name in self.CAPABILITIES:
            ((suffix, wanted),) = TRI_STATE_LOOKUP[value].items()
            return Q(**{f"{name}{suffix}": wanted})
        if name == "creator":
            return Q(creator_slug__in=[organization.slug for organization in value])
        if name == "provider":
            return Q(variant_id__in=Offering.objects.filter(provider__in=value, listed=True).values("variant_id"))
        raise ValueError(f"{name} is not a faceted filter")

    def filter_faceted(self, queryset, name, value):
        condition = self.condition(name)
        return queryset.filter(condition) if condition else queryset

    def search(self, queryset, name, value):
        return queryset.filter(variant_id__in=search_variants(Variant.objects.all(), value).values("pk"))

    def filter_released_after(self, queryset, name, period):
        return queryset.filter(release_date__gte=period[0]) if period else queryset

    def filter_released_before(self, queryset, name, period):
        return queryset.filter(release_date__lt=period[0]) if period else queryset

    def filter_priced(self, queryset, name, value):
        return queryset.filter(price_in_min__isnull=False) if value == "yes" else queryset

    def filter_queryset(self, queryset, without=()):
        """Apply every filter but those named in `without`; no status means current and legacy,
        unless status itself is left out (then every status counts)."""
        for name, value in self.form.cleaned_data.items():
            if name not in without and (name != "status" or value):
                queryset = self.filters[name].filter(queryset, value)
        if "status" not in without and not self.form.cleaned_data.get("status"):
            queryset = queryset.filter(self.condition("status"))
        return queryset

    def chooses_nothing(self) -> bool:
        """No filter has a value (the sort aside): the unfiltered /models/, whose counts are precomputed."""
        return not any(value != "" for name in self.base_filters if name != "sort" for value in self.data.getlist(name))

    def rows_without(self, *names):
        """The rows the filters give with some of them left out (and unsorted): what facet counts are taken over."""
        return self.filter_queryset(self.queryset, without=("sort", *names))


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

    open_weights = django_filters.ChoiceFilter(
        choices=(("yes", "Has open weights"), ("no", "No open-weights variant")),
        method="filter_open_weights",
        label="Open weights",
    )
    sort = sort_filter(columns.FAMILIES)

    class Meta:
        model = Family
        fields = ["q", "creator", "use_case", "modality", "open_weights", "sort"]

    def filter_open_weights(self, queryset, name, value):
        open_families = Variant.objects.filter(open_weights=True).values("family_id")
        if value == "yes":
            return queryset.filter(id__in=open_families)
        if value == "no":
            return queryset.exclude(id__in=open_families)
        return queryset

    def search(self, queryset, name, value):
        return search_families(queryset, value)

    def filter_modality(self, queryset, name, values):
        """Families with at least one variant that takes every chosen input modality."""
        condition = Q()
        for value in values:
            condition &= Q(input_modalities__contains=value)

        return queryset.filter(id__in=Variant.objects.filter(condition).values("family_id"))


class OfferingFilter(django_filters.FilterSet):
    """The filters of a provider's offerings table."""

    q = django_filters.CharFilter(method="search", label="Search", max_length=200)
    family = SlugMultipleChoiceFilter(
        field_name="variant__family__slug", queryset=Family.objects.published(), label="Family"
    )
    modality = django_filters.MultipleChoiceFilter(
        choices=Modality.choices, method="filter_modality", label="Takes input", widget=forms.CheckboxSelectMultiple
    )
    status = django_filters.MultipleChoiceFilter(
        choices=Offering.Status.choices, label="Status", widget=forms.CheckboxSelectMultiple
    )
    price_in_max = number("price_input", "lte", max_value=MAX_PRICE, label="Input price at most ($/M)")
    price_out_max = number("price_output", "lte", max_value=MAX_PRICE, label="Output price at most ($/M)")
    priced = django_filters.ChoiceFilter(choices=(("yes", "Only priced"),), method="filter_priced", label="Priced")
    listed = django_filters.ChoiceFilter(
        choices=(("yes", "Listed now"), ("no", "No longer listed")), method="filter_listed", label="Listed"
    )
    sort = sort_filter(columns.OFFERINGS)

    class Meta:
        model = Offering
        fields = []

    def search(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(Q(model_id__icontains=word) | Q(variant__name__icontains=word))
        return queryset

    def filter_modality(self, queryset, name, values):
        for value in values:
            queryset = queryset.filter(variant__input_modalities__contains=value)
        return queryset

    def filter_priced(self, queryset, name, value):
        return queryset.filter(price_input__isnull=False) if value == "yes" else queryset

    def filter_listed(self, queryset, name, value):
        return queryset.filter(listed=value == "yes") if value else queryset
