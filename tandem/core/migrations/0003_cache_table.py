"""The database cache's table, created by ``migrate`` so that a deployment cannot forget
``createcachetable`` (sign-in throttling reads the cache, and a missing table answers
500 there). Django's own command does the work: it creates the table of every
``DatabaseCache`` in ``CACHES`` that routes to this database, and leaves an existing
table alone, so running it again is harmless. With Redis configured there is nothing to do.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_notification")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop, elidable=False)]
