"""Information sharing's audit actions in words (tandem.audit.actions)."""

from tandem.audit.actions import register_action_labels

register_action_labels(
    {
        "disclosure.record": "Logged information shared outside the scheme",
        "information_request.log": "Logged a request for information",
        "information_request.decide": "Decided a request for information",
        "information_request.redecide": "Changed the decision on a request for information",
        "information_request.answer": "Recorded the answer to a request for information",
        "progress_report.compose": "Composed a progress report",
        "progress_report.release": "Released a progress report",
        "progress_report.download": "Downloaded a progress report",
        "sharing_log.view": "Looked at the sharing log",
        "retention.review": "Reviewed what the retention schedule says is due",
        "retention.erase": "Erased a person or a mentor under the retention schedule",
        "retention.anonymise": "Anonymised a person under the retention schedule",
        "subject_access.compile": "Compiled a subject access package",
        "subject_access.log": "Logged a subject access request",
        "subject_access.extend": "Extended the deadline of a subject access request",
        "subject_access.review": "Reviewed a subject access package before release",
        "subject_access.redact": "Withheld an item from a subject access package",
        "subject_access.unredact": "Put back an item withheld from a subject access package",
        "subject_access.release": "Approved the release of a subject access package",
        "subject_access.complete": "Completed a subject access request",
        "restriction.place": "Restricted processing of a person's records",
        "restriction.lift": "Lifted a restriction of processing",
        "erasure_request.decide": "Decided a request to be erased",
        "rectification.make": "Corrected a person's record",
        "legal_hold.place": "Placed a legal hold on a case or a mentor",
        "legal_hold.lift": "Lifted a legal hold on a case or a mentor",
        "retention.anonymise_claims": "Anonymised payment claims past the finance period",
        "user.erase": "Erased a sign-in account (its name and email replaced)",
    },
    record_types={
        "privacy.disclosure": "a record of information shared",
        "privacy.informationrequest": "a request for information",
        "privacy.progressreport": "a progress report",
    },
)
