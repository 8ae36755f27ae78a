from django.db import migrations


def load(apps, schema_editor):
    from tandem.privacy.defaults import install_retention

    install_retention(apps)


class Migration(migrations.Migration):
    dependencies = [("privacy", "0003_retention")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
