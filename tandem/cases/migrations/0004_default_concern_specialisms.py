from django.db import migrations


def load(apps, schema_editor):
    from tandem.cases.defaults import install_concern_specialisms

    install_concern_specialisms(apps)


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_matching_needs"), ("mentors", "0002_default_configuration")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
