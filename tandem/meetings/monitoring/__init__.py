"""Contact monitoring, lone working and the calendar feed: the parts of meetings that
watch over the mentoring rather than record it.

``selectors`` reads (the contact-overdue list, lone-working alerts, a mentor's sessions
today, a calendar feed's sessions); ``contact``, ``lone_working`` and ``calendar`` hold
every write as services; ``permissions`` the policies; ``forms`` the input shapes.
"""
