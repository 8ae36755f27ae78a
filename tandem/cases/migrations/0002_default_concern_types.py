from django.db import migrations


def load(apps, schema_editor):
    from tandem.cases.defaults import install_concern_types

    install_concern_types(apps)


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
