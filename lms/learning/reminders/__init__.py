"""Reminder e-mails: before a deadline, the day before a session, after an absence.

Learning owns the framework (``services``): it asks the domains above it which reminders are
due (``lms.learning.signals.due_reminders``; assessments answers for deadlines, attendance for
sessions and absences), leaves out those already sent and those the person turned off, and sends
each one once. Exactly once: each reminder has a row (``SentReminder``: kind, person, subject)
under a unique constraint, inserted in the transaction that sends the message and committed
right after it; a second run, even at the same time, stops at the constraint (it waits for the
first run's transaction on PostgreSQL, then finds the row). A message the SMTP server refuses
rolls its row back: the next run tries again.

``lms send-reminders`` (``cli``) runs the due ones; a scheduler runs it every 15 minutes
(docs/operations.md). Absence notices do not wait for it: closing a sheet queues a run of the
absence kinds after the commit (``send_after_commit``).

Deadline and session-eve reminders are optional (``ReminderPreference``, the person's page
``reminders.preferences``); absence notices are not: they are part of the attendance follow-up
that the training organisation owes the learner and their trainers.
"""
