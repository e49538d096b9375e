"""The units API (mounted under /api/v1/ through `units.urls.api_patterns`): agencies and
service units, read only, each person seeing what `selectors.agencies_visible_to` and
`selectors.units_visible_to` give them (the mirrors of `can_view_agency` / `can_view_unit`).

Names are ordered ignoring case, as in the ranking pages. Filters take codes, as the imports
and the ranking pages do: `province` the BPS code (18), `agency` the agency's code,
`service_type` the service type's code, `group` the ranking group.
An unknown value is a 400 naming the parameter, never an empty list that looks like an answer.
"""

from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from rest_framework import generics, serializers

from pekppp.api import OrderingFilter

from .models import Agency, AgencyKind, Province, RankingGroup, ServiceType, ServiceUnit
from .selectors import agencies_visible_to, name_search_q, units_visible_to

SEARCH_MAX_LENGTH = 100


# --- serializers ------------------------------------------------------------------------------


class ProvinceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Province
        fields = ["code", "name"]


class ServiceTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceType
        fields = ["code", "name"]


class AgencyRefSerializer(serializers.ModelSerializer):
    """An agency named inside another resource."""

    class Meta:
        model = Agency
        fields = ["id", "code", "name"]


class AgencySerializer(serializers.ModelSerializer):
    province = ProvinceSerializer(allow_null=True)
    ranking_group = serializers.ChoiceField(choices=RankingGroup.choices)

    class Meta:
        model = Agency
        fields = ["id", "code", "name", "kind", "ranking_group", "province", "head_title"]


class UnitSerializer(serializers.ModelSerializer):
    agency = AgencyRefSerializer()
    province = ProvinceSerializer(source="agency.province", allow_null=True)
    ranking_group = serializers.ChoiceField(
        source="agency.ranking_group", choices=RankingGroup.choices
    )
    service_type = ServiceTypeSerializer()

    class Meta:
        model = ServiceUnit
        fields = [
            "id",
            "code",
            "name",
            "agency",
            "province",
            "ranking_group",
            "service_type",
            "scope",
            "address",
            "is_active",
        ]


# --- filters ----------------------------------------------------------------------------------


def name_search(fields: tuple[str, ...]) -> filters.CharFilter:
    """`q`: the name search of every list of units (`name_search_q`) over `fields`."""

    def search(queryset, name, value):
        return queryset.filter(name_search_q(value, fields))

    return filters.CharFilter(
        method=search, max_length=SEARCH_MAX_LENGTH, label=_("Cari nama (setiap kata dicari)")
    )


def _by_code(model, field_name: str, label) -> filters.ModelChoiceFilter:
    return filters.ModelChoiceFilter(
        field_name=field_name, queryset=model.objects.all(), to_field_name="code", label=label
    )


def agency_filter(field_name: str = "agency") -> filters.ModelChoiceFilter:
    """`agency`: an agency's code."""
    return _by_code(Agency, field_name, _("Kode instansi"))


def province_filter(field_name: str = "province") -> filters.ModelChoiceFilter:
    """`province`: a province's BPS code (18 for Lampung)."""
    return _by_code(Province, field_name, _("Kode BPS provinsi"))


def service_type_filter(field_name: str = "service_type") -> filters.ModelChoiceFilter:
    """`service_type`: a service type's code."""
    return _by_code(ServiceType, field_name, _("Kode jenis layanan"))


def group_filter(field_name: str = "ranking_group") -> filters.ChoiceFilter:
    """`group`: a ranking group (kl, provinsi, kabkota, polri, bumn)."""
    return filters.ChoiceFilter(
        field_name=field_name, choices=RankingGroup.choices, label=_("Kelompok")
    )


class AgencyFilter(filters.FilterSet):
    province = province_filter()
    group = group_filter()
    kind = filters.ChoiceFilter(choices=AgencyKind.choices, label=_("Jenis instansi"))
    q = name_search(("name", "province__name"))
    ordering = OrderingFilter(fields=(("sort_name", "name"), ("code", "code")))

    class Meta:
        model = Agency
        fields = ["province", "group", "kind", "q"]


class UnitFilter(filters.FilterSet):
    agency = agency_filter()
    province = province_filter("agency__province")
    group = group_filter("agency__ranking_group")
    service_type = service_type_filter()
    q = name_search(("name", "agency__name", "agency__province__name"))
    ordering = OrderingFilter(
        fields=(("sort_name", "name"), ("code", "code"), ("sort_agency", "agency"))
    )

    class Meta:
        model = ServiceUnit
        fields = ["agency", "province", "group", "service_type", "q"]


# --- views ------------------------------------------------------------------------------------


class AgencyList(generics.ListAPIView):
    """The agencies the caller may see (admins: all; coordinators and leadership: their own)."""

    serializer_class = AgencySerializer
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = AgencyFilter

    def get_queryset(self):
        return (
            agencies_visible_to(self.request.user)
            .select_related("province")
            .annotate(sort_name=Lower("name"))
            .order_by("sort_name", "pk")
        )


class AgencyDetail(generics.RetrieveAPIView):
    """One agency; 404 for an agency the caller may not see."""

    serializer_class = AgencySerializer

    def get_queryset(self):
        return agencies_visible_to(self.request.user).select_related("province")


class UnitList(generics.ListAPIView):
    """The service units the caller may see: those of their agencies, and the units they
    operate."""

    serializer_class = UnitSerializer
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = UnitFilter

    def get_queryset(self):
        return (
            units_visible_to(self.request.user)
            .select_related("agency", "agency__province", "service_type")
            .annotate(sort_name=Lower("name"), sort_agency=Lower("agency__name"))
            .order_by("sort_name", "pk")
        )


class UnitDetail(generics.RetrieveAPIView):
    """One service unit; 404 for a unit the caller may not see."""

    serializer_class = UnitSerializer

    def get_queryset(self):
        return units_visible_to(self.request.user).select_related(
            "agency", "agency__province", "service_type"
        )
