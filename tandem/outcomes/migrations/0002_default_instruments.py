from django.db import migrations


def load(apps, schema_editor):
    from tandem.outcomes.defaults import install

    install(apps)


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
