# The "Curators" group: add, change and view catalog data; no users, groups, or deletion of
# providers that have offerings (ProviderAdmin). catalog.services.roles holds the policy and keeps
# the group in step after every later `migrate`.

from django.db import migrations


def create_curators_group(apps, schema_editor):
    from catalog.services.roles import sync_curators_group

    sync_curators_group(apps=apps, using=schema_editor.connection.alias)


def remove_curators_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.using(schema_editor.connection.alias).filter(name="Curators").delete()


class Migration(migrations.Migration):

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("catalog", "0004_history"),
    ]

    operations = [
        migrations.RunPython(create_curators_group, remove_curators_group),
    ]
