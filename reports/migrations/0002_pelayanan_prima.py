from django.db import migrations


def create_award(apps, schema_editor):
    Award = apps.get_model("reports", "Award")
    Award.objects.get_or_create(
        code="pelayanan-prima", defaults={"title": "Pelayanan Prima", "grades": ["A"]}
    )


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_documents_certificates")]

    operations = [migrations.RunPython(create_award, migrations.RunPython.noop)]
