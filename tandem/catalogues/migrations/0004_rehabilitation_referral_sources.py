from django.db import migrations


def add_sources(apps, schema_editor):
    from tandem.catalogues.defaults import (
        REFERRAL_SOURCES,
        REHABILITATION_SOURCES,
        RENAMED_SOURCES,
    )

    ReferralSource = apps.get_model("catalogues", "ReferralSource")
    positions = {code: position for position, (code, _) in enumerate(REFERRAL_SOURCES)}
    names = dict(REFERRAL_SOURCES)
    for code in REHABILITATION_SOURCES:
        if ReferralSource.objects.filter(code=code).exists():
            continue
        # A scheme may already have an entry of that name under another code: keep it.
        if ReferralSource.objects.filter(name=names[code]).exists():
            continue
        ReferralSource.objects.create(code=code, name=names[code], position=positions[code])
    for code, (old, new) in RENAMED_SOURCES.items():
        # Only the default name is renamed; a name the scheme chose stays.
        if not ReferralSource.objects.filter(name=new).exists():
            ReferralSource.objects.filter(code=code, name=old).update(name=new)


class Migration(migrations.Migration):
    dependencies = [("catalogues", "0003_entry_version")]

    operations = [migrations.RunPython(add_sources, migrations.RunPython.noop)]
