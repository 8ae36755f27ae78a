"""What accounts keeps in a user's session: one place that the middleware, decorators
and services read and write, so that none of them imports another for a key name."""

SESSION_STARTED_KEY = "_tandem_started_at"
SESSION_SEEN_KEY = "_tandem_seen_at"
REAUTH_SESSION_KEY = "_tandem_reauth_at"
