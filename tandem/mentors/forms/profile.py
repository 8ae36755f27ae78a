"""Forms for a mentor's profile (used by the mentor and by coordinators), conflict-of-
interest declarations, the code of conduct, change requests and their review.

The profile form is built from the scheme's catalogues (languages, specialisms, areas):
one proficiency select per language and one checkbox with evidence per specialism, so
it works without JavaScript and needs no formset management. ``cleaned_profile()``
gives the shape ``profile_update`` takes.
"""

from __future__ import annotations

from django import forms

from tandem.catalogues import ethnicity as census
from tandem.catalogues.ethnicity import EthnicityDescriptionField, EthnicityField
from tandem.catalogues.forms import offered_or_current
from tandem.catalogues.models import Area, Faith, Language, Specialism
from tandem.core.forms import GovUKForm

from ..models import (
    AgeBand,
    ConflictKind,
    DayPart,
    Gender,
    Mentor,
    Proficiency,
    ProfileChangeRequest,
    Weekday,
)

MAX_CASELOAD_CAP = 6
MAX_TRAVEL_RADIUS_KM = 100

YES_NO = [("yes", "Yes"), ("no", "No")]

WHY_BACKGROUND = (
    "Some people who are referred ask for a mentor who shares or understands their faith "
    "or culture. This is only used for matching, only coordinators see it, and it can be "
    "left blank."
)
WHY_LIVED_EXPERIENCE = (
    "Some people are helped most by a mentor who has been through something similar, such "
    "as involvement in extremism or offending. This is only used for matching, only "
    "coordinators see it, and it can be left blank."
)


def _text(label: str, *, max_length: int, help_text: str = "", rows: int = 0, **attrs):
    widget = forms.Textarea(attrs={"rows": rows, **attrs}) if rows else forms.TextInput(attrs)
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=False,
        help_text=help_text,
        widget=widget,
        error_messages={"max_length": f"{label} must be {max_length} characters or fewer"},
    )


class ProfileForm(GovUKForm):
    """The profile. ``with_caseload_cap`` adds the cap, which only coordinators set."""

    gender = forms.ChoiceField(
        label="Gender",
        choices=Gender.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    gender_self_description = _text(
        "If in another way, how do you describe your gender?", max_length=100
    )
    age_band = forms.ChoiceField(
        label="Age band",
        choices=[("", "Not given"), *AgeBand.choices],
        required=False,
    )
    faith = forms.ModelChoiceField(
        label="Faith",
        queryset=Faith.objects.none(),  # set per mentor
        required=False,
        empty_label="Not given",
        help_text="Only used when a person asks for a mentor who shares their faith.",
        error_messages={"invalid_choice": "Select a faith from the list, or “Not given”"},
    )
    faith_background = _text(
        "Faith background", max_length=500, help_text=WHY_BACKGROUND, rows=2, spellcheck="true"
    )
    cultural_background = _text(
        "Cultural background", max_length=500, help_text=WHY_BACKGROUND, rows=2
    )
    ethnicity = EthnicityField(
        help_text="Voluntary. Only coordinators and you see it; the scheme counts it only in "
        "protected totals (small groups withheld) to see whom it needs to recruit."
    )
    ethnicity_description = EthnicityDescriptionField()
    has_lived_experience = forms.ChoiceField(
        label="Lived experience of extremism or offending",
        choices=YES_NO,
        required=False,
        widget=forms.RadioSelect,
        help_text=WHY_LIVED_EXPERIENCE,
    )
    lived_experience = _text("If yes, describe the lived experience", max_length=2000, rows=3)
    areas = forms.ModelMultipleChoiceField(
        label="Areas served",
        queryset=Area.objects.none(),  # set per mentor
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select every area where sessions can take place.",
        error_messages={"invalid_choice": "Select areas from the list"},
    )
    travel_radius_km = forms.IntegerField(
        label="Travel radius in kilometres",
        min_value=0,
        max_value=MAX_TRAVEL_RADIUS_KM,
        help_text=f"How far can sessions be from home? A whole number from 0 to "
        f"{MAX_TRAVEL_RADIUS_KM}.",
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "class": "govuk-input--width-3", "spellcheck": "false"}
        ),
        error_messages={
            "required": "Enter the travel radius in kilometres",
            "invalid": "Enter the travel radius as a whole number, like 15",
            "min_value": f"Enter a travel radius from 0 to {MAX_TRAVEL_RADIUS_KM} kilometres",
            "max_value": f"Enter a travel radius from 0 to {MAX_TRAVEL_RADIUS_KM} kilometres",
        },
    )
    offers_online = forms.BooleanField(
        label="Can hold sessions online (video calls)", required=False
    )

    def __init__(self, *args, mentor: Mentor, with_caseload_cap: bool = False, **kwargs):
        self.with_caseload_cap = with_caseload_cap
        # Entries retired since the mentor chose them stay on their form, so that saving
        # it keeps them; nobody can newly choose one.
        self.languages = list(
            offered_or_current(Language, [row.language_id for row in mentor.languages.all()])
        )
        self.specialisms = list(
            offered_or_current(Specialism, [row.specialism_id for row in mentor.specialisms.all()])
        )
        # The catalogue fields join the declared ones before the form is set up, so that
        # GovUKFormMixin styles them like any other field.
        self.base_fields = {**type(self).base_fields, **self._catalogue_fields()}
        super().__init__(*args, **kwargs)
        self.fields["faith"].queryset = offered_or_current(Faith, mentor.faith_id)
        self.fields["areas"].queryset = offered_or_current(Area, mentor.areas.all())

    def _catalogue_fields(self) -> dict[str, forms.Field]:
        fields: dict[str, forms.Field] = {}
        if self.with_caseload_cap:
            fields["caseload_cap"] = forms.IntegerField(
                label="Caseload cap",
                min_value=0,
                max_value=MAX_CASELOAD_CAP,
                help_text=f"The most cases this mentor may hold at once, from 0 to "
                f"{MAX_CASELOAD_CAP}.",
                widget=forms.TextInput(
                    attrs={
                        "inputmode": "numeric",
                        "class": "govuk-input--width-2",
                        "spellcheck": "false",
                    }
                ),
                error_messages={
                    "required": "Enter the caseload cap",
                    "invalid": "Enter the caseload cap as a whole number, like 2",
                    "min_value": f"Enter a caseload cap from 0 to {MAX_CASELOAD_CAP}",
                    "max_value": f"Enter a caseload cap from 0 to {MAX_CASELOAD_CAP}",
                },
            )
        for language in self.languages:
            fields[f"language_{language.pk}"] = forms.ChoiceField(
                label=language.name,
                choices=[("", "Not spoken"), *Proficiency.choices],
                required=False,
                error_messages={"invalid_choice": f"Select how well {language.name} is spoken"},
            )
        for specialism in self.specialisms:
            prefix = f"specialism_{specialism.pk}"
            fields[prefix] = forms.BooleanField(label=specialism.name, required=False)
            fields[f"{prefix}_evidence"] = _text(
                "Evidence",
                max_length=500,
                help_text="For example training, work or volunteering in this area.",
            )
            if specialism.requires_qualification:
                fields[f"{prefix}_qualification"] = _text(
                    "Qualification",
                    max_length=300,
                    help_text="Required: the qualification held, where and when it was awarded.",
                )
        for day in Weekday:
            fields[f"availability_{day.value}"] = forms.MultipleChoiceField(
                label=day.label,
                choices=DayPart.choices,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                error_messages={"invalid_choice": f"Select times of day for {day.label}"},
            )
        return fields

    # Shapes the templates iterate over -------------------------------------------------

    def language_rows(self):
        return [(language, self[f"language_{language.pk}"]) for language in self.languages]

    def specialism_rows(self):
        rows = []
        for specialism in self.specialisms:
            prefix = f"specialism_{specialism.pk}"
            rows.append(
                {
                    "specialism": specialism,
                    "claimed": self[prefix],
                    "evidence": self[f"{prefix}_evidence"],
                    "qualification": (
                        self[f"{prefix}_qualification"]
                        if specialism.requires_qualification
                        else None
                    ),
                }
            )
        return rows

    def availability_rows(self):
        return [self[f"availability_{day.value}"] for day in Weekday]

    # Validation -------------------------------------------------------------------------

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("gender") != Gender.SELF_DESCRIBED:
            # The description belongs to "In another way" only; never keep a stale one.
            cleaned["gender_self_description"] = ""
        if cleaned.get("has_lived_experience") != "yes" and cleaned.get("lived_experience"):
            self.add_error(
                "has_lived_experience",
                "Select yes if you want to describe lived experience, or delete the description",
            )
        for specialism in self.specialisms:
            prefix = f"specialism_{specialism.pk}"
            if (
                cleaned.get(prefix)
                and specialism.requires_qualification
                and not cleaned.get(f"{prefix}_qualification", "").strip()
            ):
                self.add_error(
                    f"{prefix}_qualification",
                    f"Enter the qualification in {specialism.name}: the scheme only "
                    "records this specialism with a qualification",
                )
        return cleaned

    def cleaned_profile(self) -> dict:
        """The shape ``profile_update`` takes."""
        c = self.cleaned_data
        data = {
            "gender": c["gender"],
            "gender_self_description": c["gender_self_description"].strip(),
            "age_band": c["age_band"],
            "faith": c["faith"],
            "faith_background": c["faith_background"].strip(),
            "cultural_background": c["cultural_background"].strip(),
            "ethnicity": c["ethnicity"] or None,
            "ethnicity_description": (
                " ".join(c["ethnicity_description"].split())
                if c["ethnicity"] in census.DESCRIBED
                else ""
            )
            or None,
            "has_lived_experience": c["has_lived_experience"] == "yes",
            "lived_experience": c["lived_experience"].strip(),
            "areas": list(c["areas"]),
            "travel_radius_km": c["travel_radius_km"],
            "offers_online": c["offers_online"],
            "languages": {
                language.pk: c[f"language_{language.pk}"]
                for language in self.languages
                if c.get(f"language_{language.pk}")
            },
            "specialisms": {
                specialism.pk: (
                    c[f"specialism_{specialism.pk}_evidence"].strip(),
                    c.get(f"specialism_{specialism.pk}_qualification", "").strip(),
                )
                for specialism in self.specialisms
                if c.get(f"specialism_{specialism.pk}")
            },
            "availability": {
                (day.value, part) for day in Weekday for part in c[f"availability_{day.value}"]
            },
        }
        if self.with_caseload_cap:
            data["caseload_cap"] = c["caseload_cap"]
        return data


def profile_initial(mentor: Mentor) -> dict:
    """The form's initial values from the mentor's saved profile (prefetched or not)."""
    initial = {
        "gender": mentor.gender,
        "gender_self_description": mentor.gender_self_description,
        "age_band": mentor.age_band,
        "faith": mentor.faith_id,
        "faith_background": mentor.faith_background,
        "cultural_background": mentor.cultural_background,
        "ethnicity": mentor.ethnicity or "",
        "ethnicity_description": mentor.ethnicity_description or "",
        "has_lived_experience": "yes" if mentor.has_lived_experience else "no",
        "lived_experience": mentor.lived_experience,
        "areas": [area.pk for area in mentor.areas.all()],
        "travel_radius_km": mentor.travel_radius_km,
        "offers_online": mentor.offers_online,
        "caseload_cap": mentor.caseload_cap,
    }
    for row in mentor.languages.all():
        initial[f"language_{row.language_id}"] = row.proficiency
    for row in mentor.specialisms.all():
        prefix = f"specialism_{row.specialism_id}"
        initial[prefix] = True
        initial[f"{prefix}_evidence"] = row.evidence
        initial[f"{prefix}_qualification"] = row.qualification
    for slot in mentor.availability.all():
        initial.setdefault(f"availability_{slot.weekday}", []).append(slot.part)
    return initial


# Declarations, code of conduct, change requests ----------------------------------------


class ConflictForm(GovUKForm):
    kind = forms.ChoiceField(
        label="Who or what are you connected to?",
        choices=ConflictKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select who or what you are connected to"},
    )
    name = forms.CharField(
        label="Name",
        max_length=200,
        help_text="The name of the person, family, school or organisation.",
        error_messages={
            "required": "Enter the name of the person, family, school or organisation",
            "max_length": "The name must be 200 characters or fewer",
        },
    )
    connection = forms.CharField(
        label="How are you connected?",
        max_length=1000,
        required=False,
        help_text="For example: my nephew; I am a governor of this school.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "The connection must be 1000 characters or fewer"},
    )


class WithdrawForm(GovUKForm):
    declaration = forms.IntegerField(widget=forms.HiddenInput)


class CodeAcceptForm(GovUKForm):
    accept = forms.BooleanField(
        label="I have read and accept the code of conduct",
        error_messages={"required": "Confirm that you have read and accept the code of conduct"},
    )


class ChangeRequestForm(GovUKForm):
    field = forms.ChoiceField(
        label="What do you want to change?",
        choices=list(ProfileChangeRequest.FIELDS.items()),
        widget=forms.RadioSelect,
        error_messages={"required": "Select what you want to change"},
    )
    new_value = forms.CharField(
        label="New name or email address",
        max_length=254,
        help_text="Write it exactly as it should appear.",
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
        error_messages={
            "required": "Enter the new name or email address",
            "max_length": "The new value must be 254 characters or fewer",
        },
    )
    explanation = forms.CharField(
        label="Why is it changing?",
        max_length=1000,
        required=False,
        help_text="For example: I got married. A coordinator may ask to see evidence.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "The explanation must be 1000 characters or fewer"},
    )

    def clean(self):
        cleaned = super().clean()
        field, value = cleaned.get("field"), (cleaned.get("new_value") or "").strip()
        if field == "email" and value:
            try:
                forms.EmailField().clean(value)
            except forms.ValidationError:
                self.add_error(
                    "new_value",
                    "Enter an email address in the correct format, like name@example.org",
                )
            else:
                cleaned["new_value"] = value.lower()
        elif field == "full_name" and value:
            if len(value) > 150:
                self.add_error("new_value", "The name must be 150 characters or fewer")
            cleaned["new_value"] = " ".join(value.split())
        return cleaned


class DecisionForm(GovUKForm):
    request_id = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])
    reason = forms.CharField(
        label="Reason",
        max_length=500,
        required=False,
        help_text="Required when rejecting. The mentor can see this reason.",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": "The reason must be 500 characters or fewer"},
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "reject" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", "Enter the reason for rejecting the request")
        return cleaned
