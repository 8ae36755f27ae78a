"""The default catalogue of lawful bases for sharing, installed by a data migration. A
scheme changes these as data (the catalogue pages); nothing in the code depends on a
particular entry except that a safeguarding escalation is logged under the code
``safeguarding`` when it exists."""

SAFEGUARDING = "safeguarding"

# code, name, Article 6 basis, Article 9 or 10 condition, DPA 2018 Schedule 1 condition
LAWFUL_BASES = [
    (
        SAFEGUARDING,
        "Safeguarding a child or an adult at risk",
        "Article 6(1)(e): public task",
        "Article 9(2)(g): substantial public interest; Article 10",
        "Schedule 1, paragraph 18: safeguarding of children and of individuals at risk",
    ),
    (
        "crime-prevention",
        "Preventing or detecting crime",
        "Article 6(1)(e): public task",
        "Article 9(2)(g): substantial public interest; Article 10",
        "Schedule 1, paragraph 10: preventing or detecting unlawful acts",
    ),
    (
        "statutory-duty",
        "A statutory duty (the prevention duty, multi-agency panels)",
        "Article 6(1)(c): legal obligation",
        "Article 9(2)(g): substantial public interest; Article 10",
        "Schedule 1, paragraph 6: statutory and government purposes",
    ),
    (
        "legal-proceedings",
        "Legal proceedings or a court order",
        "Article 6(1)(c): legal obligation",
        "Article 9(2)(f): legal claims and courts; Article 10",
        "Schedule 1, paragraph 33: legal claims",
    ),
    (
        "consent",
        "The person's consent (progress reports agreed at referral)",
        "Article 6(1)(a): consent",
        "Article 9(2)(a): explicit consent; Article 10",
        "Schedule 1, paragraph 29: consent (criminal-offence data)",
    ),
    (
        "vital-interests",
        "Protecting someone's life",
        "Article 6(1)(d): vital interests",
        "Article 9(2)(c): vital interests; Article 10",
        "Schedule 1, paragraph 30: protecting individual's vital interests",
    ),
]


def install(apps=None) -> None:
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    LawfulBasis = apps.get_model("privacy", "LawfulBasis")
    for position, (code, name, article_6, special, schedule_1) in enumerate(LAWFUL_BASES, start=1):
        LawfulBasis.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "position": position,
                "article_6": article_6,
                "special_condition": special,
                "schedule_1": schedule_1,
            },
        )


# code, kind of record, measured from, months, action, why
RETENTION = [
    (
        "referral-not-taken-forward",
        "A referral not taken forward (not suitable, consent declined)",
        "the decision not to take it forward",
        24,
        "erase",
        "Long enough to recognise a repeat referral; nothing more is needed.",
    ),
    (
        "closed-case",
        "A closed case (closed, consent withdrawn, escalated to statutory services)",
        "the case's last status change",
        72,
        "erase",
        "Six years: the limitation period for claims; follow-ups end at 12 months.",
    ),
    (
        "mentor-applicant",
        "A mentor applicant who did not progress",
        "the end of the application",
        12,
        "erase",
        "Time to answer a complaint about the decision.",
    ),
    (
        "former-mentor",
        "A former mentor's record, vetting and training",
        "the mentor leaving",
        72,
        "erase",
        "Safeguarding allegations can surface years later.",
    ),
    (
        "claims",
        "Payment claims and receipts",
        "the end of the financial year of the claim's month",
        72,
        "anonymise",
        "Six years after the financial year, for the scheme's accounts.",
    ),
    (
        "audit-events",
        "Audit events",
        "the event",
        84,
        "review",
        "Kept longer than the records they describe, to answer who saw what.",
    ),
]


def install_retention(apps=None) -> None:
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    RetentionRule = apps.get_model("privacy", "RetentionRule")
    for position, (code, kind, starts, months, action, reason) in enumerate(RETENTION, start=1):
        RetentionRule.objects.get_or_create(
            code=code,
            defaults={
                "kind": kind,
                "starts_from": starts,
                "period_months": months,
                "action": action,
                "reason": reason,
                "position": position,
            },
        )
