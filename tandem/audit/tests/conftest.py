# The autouse fixture that empties the audit log before a transactional test's flush.
from tandem.audit.testing import empty_audit_log_before_flush  # noqa: F401
