from django.db import migrations


def load(apps, schema_editor):
    from tandem.mentors.defaults import install_places_and_faiths

    install_places_and_faiths(apps)


class Migration(migrations.Migration):
    dependencies = [("mentors", "0004_faith_and_area_points")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
