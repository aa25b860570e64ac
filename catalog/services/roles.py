"""Roles: the "Curators" group and what it may do.

Curators add, change and view catalog data, and delete what they curate (a FAQ entry, a source,
a curator lock to release it), but they never touch users or groups, and they cannot delete a
provider that has offerings (ProviderAdmin enforces that row by row). Records that imports and
the system write are read-only to them.

The group is created by a data migration (catalog 0004_curators_group) and kept in step after
every `migrate` (so models added later are covered): its permissions are managed here, in code.
Give anyone other rights through another group.
"""

from __future__ import annotations

from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import post_migrate

CURATORS = "Curators"

# Written by imports and the system: curators read them.
READ_ONLY = {"importrun", "listing", "pricerecord", "disagreement"}
# Curators read them and delete rows (deleting a lock releases it).
VIEW_AND_DELETE = {"fieldlock"}
ALL_ACTIONS = ("add", "change", "delete", "view")


def curator_codenames(apps=global_apps) -> set[str]:
    """The permission codenames of the Curators group, for the catalog's current models."""
    codenames = set()
    for model in apps.get_app_config("catalog").get_models():
        name = model._meta.model_name
        if name.startswith("historical"):
            actions = ("view",)  # history is shown and reverted through the record's own admin
        elif name in READ_ONLY:
            actions = ("view",)
        elif name in VIEW_AND_DELETE:
            actions = ("view", "delete")
        else:
            actions = ALL_ACTIONS
        codenames.update(f"{action}_{name}" for action in actions)
    return codenames


def sync_curators_group(apps=global_apps, using: str = DEFAULT_DB_ALIAS, verbosity: int = 0):
    """Create the Curators group if needed and set its permissions to exactly the curator set."""
    from django.contrib.auth.management import create_permissions

    # The installed app's config (a migration's state has no models module); `apps` picks the models.
    create_permissions(global_apps.get_app_config("catalog"), verbosity=verbosity, using=using, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(using).get_or_create(name=CURATORS)
    permissions = Permission.objects.using(using).filter(
        content_type__app_label="catalog", codename__in=curator_codenames(apps)
    )
    group.permissions.set(permissions)
    return group


def _after_migrate(sender, app_config=None, using=DEFAULT_DB_ALIAS, plan=None, apps=global_apps, **kwargs):
    if app_config is None or app_config.label != "catalog":
        return
    # Only once the group's migration has run (a partial migrate to an older state has no such group).
    if not apps.is_installed("catalog") or not _group_migration_applied(using):
        return
    sync_curators_group(apps=apps, using=using)


def _group_migration_applied(using: str) -> bool:
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    recorder = MigrationRecorder(connections[using])
    return any(name.endswith("_curators_group") for app, name in recorder.applied_migrations() if app == "catalog")


def connect() -> None:
    post_migrate.connect(_after_migrate, dispatch_uid="catalog-curators-group")
