from django import forms

from tandem.catalogues.models import Specialism
from tandem.core.forms import GovUKForm

from ..services.advice import ANSWER_MAX, QUESTION_MAX


class AskForm(GovUKForm):
    specialism = forms.ModelChoiceField(
        queryset=Specialism.objects.none(),
        label="Who should answer?",
        help_text="People who hold this specialism will see your question.",
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the specialism your question is about.",
            "invalid_choice": "Choose one of the specialisms listed.",
        },
    )
    question = forms.CharField(
        label="Your question",
        help_text="Do not name the person or say anything that could identify them "
        "(their school, street or family). Advisers see the question and the specialism "
        "only. You, your supervisor and coordinators will see it with the case.",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=QUESTION_MAX,
        error_messages={
            "required": "Enter your question.",
            "max_length": f"Your question must be {QUESTION_MAX:,} characters or fewer.",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["specialism"].queryset = Specialism.objects.filter(is_active=True).order_by(
            "position", "name"
        )


class AnswerForm(GovUKForm):
    answer = forms.CharField(
        label="Your answer",
        help_text="The mentor who asked, their supervisor and coordinators will read it.",
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=ANSWER_MAX,
        error_messages={
            "required": "Enter your answer.",
            "max_length": f"Your answer must be {ANSWER_MAX:,} characters or fewer.",
        },
    )
