from django.db import migrations


def load_defaults(apps, schema_editor):
    from tandem.mentors import defaults as d

    Area = apps.get_model("mentors", "Area")
    Language = apps.get_model("mentors", "Language")
    Specialism = apps.get_model("mentors", "Specialism")
    CheckType = apps.get_model("mentors", "VettingCheckType")
    Module = apps.get_model("mentors", "TrainingModule")
    Level = apps.get_model("mentors", "AccreditationLevel")
    Code = apps.get_model("mentors", "CodeOfConduct")

    for name in d.AREAS:
        Area.objects.get_or_create(name=name)
    for name in d.LANGUAGES:
        Language.objects.get_or_create(name=name)
    for code, name, qualification, theology in d.SPECIALISMS:
        Specialism.objects.get_or_create(
            code=code,
            defaults={"name": name, "requires_qualification": qualification, "is_theology": theology},
        )
    for position, (code, name, required, days) in enumerate(d.CHECK_TYPES):
        CheckType.objects.get_or_create(
            code=code,
            defaults={"name": name, "required": required, "validity_days": days, "position": position},
        )
    modules = {}
    for code, name, hours in d.MODULES:
        modules[code], _ = Module.objects.get_or_create(
            code=code, defaults={"name": name, "cpd_hours": hours}
        )
    for code, name, rank, required, sessions, observed, months in d.LEVELS:
        level, created = Level.objects.get_or_create(
            code=code,
            defaults={
                "name": name, "rank": rank, "min_supervised_sessions": sessions,
                "requires_observed_practice": observed, "validity_months": months,
            },
        )
        if created:
            level.required_modules.set([modules[c] for c in required])
    Code.objects.get_or_create(
        version=d.CODE_OF_CONDUCT_VERSION, defaults={"text": d.CODE_OF_CONDUCT_TEXT}
    )


class Migration(migrations.Migration):
    dependencies = [("mentors", "0001_initial")]

    operations = [migrations.RunPython(load_defaults, migrations.RunPython.noop)]
