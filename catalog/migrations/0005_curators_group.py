# The "Curators" group: add, change and view catalog data; no users, groups, or deletion of
# providers that have offerings (ProviderAdmin). The migration only creates the group (it imports no
# live code); catalog.services.roles holds the policy and sets the group's permissions after every
# `migrate` (post_migrate), so they always match the models of the day.

from django.db import migrations


def create_curators_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.using(schema_editor.connection.alias).get_or_create(name="Curators")


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
