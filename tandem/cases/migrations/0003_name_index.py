"""A blind index of each person's first and last name, so coordinators can find a person
by name (tandem.cases.search); name with date of birth already has ``identity_index``.

The index is filled here for people already referred: their names are decrypted with the
context spelled out (historical models have no ``encryption_subject()``) and indexed as
``BlindIndexField`` would. A person whose data key has been destroyed (erased) keeps an
empty index, as erasure requires.
"""

from django.db import migrations

import tandem.core.encryption.blind_indexes

BATCH = 500


def fill_name_indexes(apps, schema_editor):
    from tandem.core.encryption import SubjectKeyDestroyed, blind_index_parts, normalise
    from tandem.core.encryption.fields import Sealed, decrypt_value

    Case = apps.get_model("cases", "Case")
    db = schema_editor.connection.alias
    cases = Case.objects.using(db).filter(name_index="").order_by("pk")
    last_pk = 0
    while True:
        batch = list(
            cases.filter(pk__gt=last_pk).values_list("pk", "record_uuid", "first_name", "last_name")[
                :BATCH
            ]
        )
        if not batch:
            break
        for pk, record_uuid, *sealed in batch:
            last_pk = pk
            record_id = str(record_uuid)
            try:
                names = [
                    decrypt_value(
                        value.ciphertext if isinstance(value, Sealed) else value,
                        model_label="cases.case",
                        record_id=record_id,
                        field_name=field_name,
                        subject=("client", record_id),
                    )
                    for field_name, value in zip(("first_name", "last_name"), sealed, strict=True)
                ]
            except SubjectKeyDestroyed:
                continue
            if not all(normalise(name) for name in names):
                continue
            index = blind_index_parts(*names, purpose="cases.client.name")
            Case.objects.using(db).filter(pk=pk).update(name_index=index)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_case_pathway"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="name_index",
            field=tandem.core.encryption.blind_indexes.BlindIndexField(
                purpose="cases.client.name", source=["first_name", "last_name"]
            ),
        ),
        migrations.RunPython(fill_name_indexes, migrations.RunPython.noop),
    ]
