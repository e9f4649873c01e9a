"""RQ's cron scheduler configuration: a run of the due reminders every 15 minutes.

For installations that run ``lms worker`` on Redis and prefer RQ's scheduler to cron or a
systemd timer (docs/operations.md)::

    rq cron --url "$LMS_REDIS_URL" /srv/lms/rq_cron.py

It lives beside gunicorn.conf.py, outside the ``lms`` package: importing RQ's scheduler (and
croniter) is for this process only, never for the web or worker processes. The scheduler only
puts the job on the ``mail`` queue; an ``lms worker`` runs it inside the
application (``send_due_reminders`` commits its own work, one reminder at a time).
"""

from __future__ import annotations

from rq import cron

from lms.learning.reminders.services import send_due_reminders

cron.register(send_due_reminders, queue_name="mail", cron="*/15 * * * *", job_timeout=600)
