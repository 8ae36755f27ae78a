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
    },
    record_types={
        "privacy.disclosure": "a record of information shared",
        "privacy.informationrequest": "a request for information",
        "privacy.progressreport": "a progress report",
    },
)
