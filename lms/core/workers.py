"""RQ workers that run every job inside the application's context (``lms worker``).

The application is created once per worker process (by the ``lms`` command); each job gets an
application context of its own, hence a fresh database session and ``g``, and commits its own
work. ``AppWorker`` forks a work horse per job, like ``rq worker``: a job that leaks memory or
hangs past its timeout cannot harm the next one. ``AppSimpleWorker`` runs jobs in its own
process (tests, and hosts without ``fork``).
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from rq import SimpleWorker, Worker

from lms.extensions import db


class AppContextMixin:
    """Run each job in an application context of ``app``."""

    def __init__(self, *args: Any, app: Flask, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.app = app

    def perform_job(self, job: Any, queue: Any) -> bool:
        with self.app.app_context():
            if getattr(self, "_is_horse", False):
                # A forked horse must not use the pooled connections it inherited from its
                # parent (SQLAlchemy's advice after fork): drop them without closing them.
                db.engine.dispose(close=False)
            return bool(super().perform_job(job, queue))  # type: ignore[misc]  # RQ's Worker


class AppWorker(AppContextMixin, Worker):
    """An RQ worker forking a horse per job, each job in an application context."""


class AppSimpleWorker(AppContextMixin, SimpleWorker):
    """An RQ worker running each job in its own process, in an application context."""
