from django.db import migrations


def load(apps, schema_editor):
    from tandem.assessments import defaults as d

    Framework = apps.get_model("assessments", "Framework")
    Dimension = apps.get_model("assessments", "Dimension")
    Factor = apps.get_model("assessments", "Factor")
    RatingLevel = apps.get_model("assessments", "RatingLevel")
    framework, created = Framework.objects.get_or_create(
        code=d.CODE, defaults={"name": d.NAME, "version": d.VERSION, "is_default": True}
    )
    if not created:
        return
    number = 0
    for position, (name, factors) in enumerate(d.DIMENSIONS, start=1):
        dimension = Dimension.objects.create(framework=framework, name=name, position=position)
        for factor in factors:
            number += 1
            Factor.objects.create(dimension=dimension, number=number, name=factor)
    for position, (code, label, rank) in enumerate(d.LEVELS, start=1):
        RatingLevel.objects.create(
            framework=framework, code=code, label=label, rank=rank, position=position
        )


class Migration(migrations.Migration):
    dependencies = [("assessments", "0002_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
