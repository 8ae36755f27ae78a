from tandem.core.forms import GovUKForm


class AuditSearchForm(GovUKForm):
    """How the audit log's search terms are read; the terms themselves, and what each
    does to the list, are ``AuditEventFilter``'s. Every term is optional; an empty
    search lists all."""

    def clean_email(self) -> str:
        return self.cleaned_data["email"].lower()

    def clean_object_type(self) -> str:
        return self.cleaned_data["object_type"].lower()

    def clean_action(self) -> str:
        # "user." asks for the same as "user": every action on users.
        return self.cleaned_data["action"].lower().rstrip(".")

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", "Date to must be the same as or after date from")
        return cleaned
