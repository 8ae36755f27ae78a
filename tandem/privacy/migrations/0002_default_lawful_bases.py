from django.db import migrations


def load(apps, schema_editor):
    from tandem.privacy.defaults import install

    install(apps)


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
