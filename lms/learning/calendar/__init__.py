"""Each person's private calendar feed (iCalendar): module windows, sessions and deadlines.

A person subscribes their calendar application to ``/calendar/<token>.ics``. The token is drawn
at random (256 bits) and only its SHA-256 is stored (``CalendarFeed``): the full address is shown
once, right after it is created or renewed, and cannot be shown again; renewing draws a new token
(the old address stops working at once), revoking deletes it. An unknown, malformed or revoked
token gets the same 404 answer; the feed is rate-limited per client address and needs no session.

Learning owns the feed and answers for the module windows (the cohort's calendar) itself; the
domains above it answer ``lms.learning.signals.calendar_events`` with plain event values
(``lms.learning.calendar.events.CalendarEvent``): assessments for the learner's deadlines,
attendance for the sessions.
"""
