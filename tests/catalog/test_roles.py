"""Roles: what a curator can and cannot reach in the admin, and that anonymous visitors reach none of it."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission, User
from django.urls import reverse

from catalog.models import Family, Offering, Provider, Variant
from catalog.services.roles import CURATORS, curator_codenames
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator(client):
    user = User.objects.create_user("curator", "curator@example.org", "a long pass phrase", is_staff=True)
    user.groups.add(Group.objects.get(name=CURATORS))
    client.force_login(user)
    return user


@pytest.fixture
def data():
    fam = factories.family("acme", "Acme")
    var = factories.variant(fam, "acme-1", "Acme 1")
    busy = factories.provider("busy", "Busy")
    factories.offering(var, busy, "acme-1")
    empty = factories.provider("empty", "Empty")
    return {"family": fam, "variant": var, "busy": busy, "empty": empty}


def test_the_migration_created_the_curators_group():
    group = Group.objects.get(name=CURATORS)
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert codenames == curator_codenames()
    assert {
        "add_family",
        "change_family",
        "add_variant",
        "change_offering",
        "delete_faqentry",
        "view_pricerecord",
        "delete_fieldlock",
        "delete_provider",
    } <= codenames
    assert not {"change_pricerecord", "add_importrun", "change_listing", "add_fieldlock"} & codenames
    assert not group.permissions.exclude(content_type__app_label="catalog").exists()  # no users, no groups


def test_the_group_keeps_up_after_migrate():
    group = Group.objects.get(name=CURATORS)
    group.permissions.clear()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    assert set(group.permissions.values_list("codename", flat=True)) == curator_codenames()


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:index",
        "admin:catalog_family_changelist",
        "admin:catalog_family_add",
        "admin:catalog_variant_changelist",
        "admin:catalog_variant_add",
        "admin:catalog_provider_changelist",
        "admin:catalog_offering_changelist",
        "admin:catalog_faqentry_add",
        "admin:catalog_pricerecord_changelist",
        "admin:catalog_importrun_changelist",
        "admin:catalog_fieldlock_changelist",
    ],
)
def test_a_curator_reaches_catalog_curation(client, curator, url_name):
    assert client.get(reverse(url_name)).status_code == 200


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:auth_user_changelist",
        "admin:auth_user_add",
        "admin:auth_group_changelist",
        "admin:auth_group_add",
        "admin:catalog_importrun_add",
        "admin:catalog_pricerecord_add",
    ],
)
def test_a_curator_does_not_reach_users_groups_or_system_records(client, curator, url_name):
    assert client.get(reverse(url_name)).status_code == 403


def test_a_curator_sees_no_users_or_groups_on_the_index(client, curator):
    html = client.get(reverse("admin:index")).content.decode()
    assert "Families" in html
    assert reverse("admin:auth_user_changelist") not in html and reverse("admin:auth_group_changelist") not in html


def test_a_curator_edits_catalog_data(client, curator, data):
    family = data["family"]
    url = reverse("admin:catalog_family_change", args=[family.pk])
    from tests.html import form_data

    form = form_data(client.get(url).content.decode())
    form["license"] = ["MIT"]
    response = client.post(url, {k: v if len(v) > 1 else v[0] for k, v in form.items()})
    assert response.status_code == 302
    family.refresh_from_db()
    assert family.license == "MIT"
    assert family.history.latest().history_user == curator


def test_a_curator_cannot_delete_a_provider_with_offerings(client, curator, data):
    busy, empty = data["busy"], data["empty"]
    assert client.get(reverse("admin:catalog_provider_delete", args=[busy.pk])).status_code == 403
    assert client.post(reverse("admin:catalog_provider_delete", args=[busy.pk]), {"post": "yes"}).status_code == 403
    response = client.post(
        reverse("admin:catalog_provider_changelist"),
        {"action": "delete_selected", "_selected_action": [busy.pk, empty.pk], "post": "yes"},
    )
    assert response.status_code in (200, 403)
    assert Provider.objects.filter(pk=busy.pk).exists()
    # An empty provider is theirs to delete.
    response = client.post(reverse("admin:catalog_provider_delete", args=[empty.pk]), {"post": "yes"})
    assert response.status_code == 302 and not Provider.objects.filter(pk=empty.pk).exists()


def test_a_superuser_may_delete_a_provider_with_offerings(client, data):
    client.force_login(User.objects.create_superuser("root", "root@example.org", "x"))
    Offering.objects.filter(provider=data["busy"]).delete()  # PROTECT: its offerings go first
    response = client.post(reverse("admin:catalog_provider_delete", args=[data["busy"].pk]), {"post": "yes"})
    assert response.status_code == 302


def test_the_provider_admin_refuses_deleting_busy_providers_for_curators(rf, curator, data):
    from django.core.exceptions import PermissionDenied

    model_admin = admin.site._registry[Provider]
    request = rf.post("/")
    request.user = curator
    assert model_admin.has_delete_permission(request, data["empty"])
    assert not model_admin.has_delete_permission(request, data["busy"])
    with pytest.raises(PermissionDenied):
        model_admin.delete_queryset(request, Provider.objects.all())


def test_a_curator_without_the_group_reaches_nothing(client, data):
    user = User.objects.create_user("staff", "staff@example.org", "x", is_staff=True)
    client.force_login(user)
    assert client.get(reverse("admin:catalog_family_changelist")).status_code == 403


# --- Anonymous visitors ---------------------------------------------------------------------


def admin_urls(data):
    """Every admin page: the index, each registered model's list, add, change, history and delete pages."""
    urls = [reverse("admin:index"), reverse("admin:password_change")]
    objects = {
        Family: data["family"],
        Variant: data["variant"],
        Provider: data["busy"],
        Offering: Offering.objects.first(),
    }
    for model in admin.site._registry:
        opts = model._meta
        prefix = f"admin:{opts.app_label}_{opts.model_name}"
        urls.append(reverse(f"{prefix}_changelist"))
        urls.append(reverse(f"{prefix}_add"))
        obj = objects.get(model) or model._default_manager.first()
        pk = obj.pk if obj is not None else 1
        for view in ("change", "history", "delete"):
            urls.append(reverse(f"{prefix}_{view}", args=[pk]))
    urls.append(reverse("admin:app_list", args=["catalog"]))
    return urls


def test_anonymous_visitors_reach_no_admin_page(client, data):
    login = reverse("admin:login")
    for url in admin_urls(data):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(login), url
    for url in (
        reverse("admin:catalog_family_changelist"),
        reverse("admin:catalog_provider_delete", args=[data["busy"].pk]),
    ):
        response = client.post(url, {"action": "delete_selected", "_selected_action": [data["busy"].pk], "post": "yes"})
        assert response.status_code == 302 and response["Location"].startswith(login)
    assert Provider.objects.filter(pk=data["busy"].pk).exists()


def test_the_admin_login_page_is_the_only_admin_page_anonymous_visitors_see(client):
    assert client.get(reverse("admin:login")).status_code == 200


def test_staff_flag_alone_is_not_enough_and_permissions_are_catalog_only():
    perms = Permission.objects.filter(group__name=CURATORS)
    assert perms.exists() and set(perms.values_list("content_type__app_label", flat=True)) == {"catalog"}
