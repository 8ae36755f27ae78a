"""The schedule's rules for mentor applicants, former mentors and claims are applied by
Tandem now (erase, erase, anonymise); audit events stay a review. Rows a scheme has
already changed from the old default ("review") are left as the scheme set them."""

from django.db import migrations

NOW_APPLIED = {
    "mentor-applicant": {"action": "erase"},
    "former-mentor": {"action": "erase"},
    "claims": {
        "action": "anonymise",
        "starts_from": "the end of the financial year of the claim's month",
    },
}


def apply(apps, schema_editor):
    RetentionRule = apps.get_model("privacy", "RetentionRule")
    for code, values in NOW_APPLIED.items():
        RetentionRule.objects.filter(code=code, action="review").update(**values)


def unapply(apps, schema_editor):
    RetentionRule = apps.get_model("privacy", "RetentionRule")
    for code, values in NOW_APPLIED.items():
        RetentionRule.objects.filter(code=code, action=values["action"]).update(action="review")


class Migration(migrations.Migration):
    dependencies = [("privacy", "0011_mentor_retention")]

    operations = [migrations.RunPython(apply, unapply)]
