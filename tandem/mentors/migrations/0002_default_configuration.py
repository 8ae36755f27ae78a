from django.db import migrations


def load_defaults(apps, schema_editor):
    from tandem.mentors.defaults import install_catalogues

    install_catalogues(apps)


class Migration(migrations.Migration):
    dependencies = [("mentors", "0001_initial")]

    operations = [migrations.RunPython(load_defaults, migrations.RunPython.noop)]
