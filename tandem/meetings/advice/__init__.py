"""Questions for specialist advice (theology, ideology…) about a case.

A mentor working with a person asks, without naming them, for advice from the people
who hold a specialism: active mentors with that specialism, and coordinators. Advisers
see the specialism, the question and the case's concern type, never the case reference
or anything else that identifies the person; the asking mentor, their supervisor and
coordinators see the questions and answers with the case.
"""
