from django.db import migrations


def load(apps, schema_editor):
    from tandem.supervision.defaults import install

    install(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0001_initial"),
        ("mentors", "0002_default_configuration"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
