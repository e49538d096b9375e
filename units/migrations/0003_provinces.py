"""Indonesia's 38 provinces with their official codes (units/provinces.py)."""

from django.db import migrations

from units.provinces import provinces_upsert


def forward(apps, schema_editor):
    provinces_upsert(apps.get_model("units", "Province"))


class Migration(migrations.Migration):
    dependencies = [
        ("units", "0002_head_title_language"),
    ]

    # Backwards leaves the provinces: agencies may refer to them.
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
