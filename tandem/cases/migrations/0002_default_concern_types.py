from django.db import migrations


def load(apps, schema_editor):
    from tandem.cases.defaults import CONCERN_TYPES

    ConcernType = apps.get_model("cases", "ConcernType")
    for position, (code, name) in enumerate(CONCERN_TYPES):
        ConcernType.objects.get_or_create(code=code, defaults={"name": name, "position": position})


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
