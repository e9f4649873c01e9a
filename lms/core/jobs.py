"""Background jobs: RQ on Redis when ``REDIS_URL`` is set, run inline at once otherwise.

``enqueue(function, *args, queue=..., **kwargs)`` is the only way code starts a job. A job
function is a module-level function that takes plain values (ids, strings, numbers: they are
pickled into Redis, and an ORM object would be stale by the time a worker runs), runs inside an
application context of its own, and commits its own work, like a CLI command. Enqueue only
after the caller's commit: a worker may start the job before the caller's transaction ends.

Both modes return a handle with the same small interface: ``id``, ``status`` (``queued``,
``started``, ``finished``, ``failed``…), ``result`` and ``error``. Inline, the job runs in a
fresh application context (its own database session, as in a worker), and a failure is logged
and reported by the handle rather than raised, as a worker would report it.

``lms worker`` runs the RQ worker (``lms.core.workers``): each job runs in an application
context of the application the command created, once per worker process.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import click
from flask import current_app
from flask.cli import with_appcontext

if TYPE_CHECKING:
    from redis import Redis

# Queues, in the order a worker serves them: mail is short and waited for by people.
QUEUES = ("mail", "default", "certificates")
# Seconds between retries of a failed job (the worker's scheduler re-enqueues it).
RETRY_INTERVALS = (30, 120, 600)


class JobError(RuntimeError):
    """A job could not be handed to the queue (Redis unreachable)."""


@dataclass(frozen=True)
class InlineJob:
    """The handle of a job that already ran in the calling process."""

    id: str
    status: str  # "finished" or "failed"
    result: Any = None
    error: str | None = None


class QueuedJob:
    """The handle of a job on an RQ queue; each attribute reads its current state in Redis."""

    def __init__(self, job: Any) -> None:
        self._job = job

    @property
    def id(self) -> str:
        return str(self._job.id)

    @property
    def status(self) -> str:
        """RQ's status, or ``expired`` once Redis has dropped the job (``JOB_RESULT_TTL``)."""
        from rq.exceptions import InvalidJobOperation

        try:
            return str(self._job.get_status(refresh=True).value)
        except InvalidJobOperation:
            return "expired"

    @property
    def result(self) -> Any:
        return self._job.return_value(refresh=True)

    @property
    def error(self) -> str | None:
        latest = self._job.latest_result()
        return latest.exc_string if latest is not None and latest.exc_string else None


def enqueue(
    function: Callable[..., Any],
    *args: Any,
    queue: str = "default",
    retries: int = 0,
    **kwargs: Any,
) -> InlineJob | QueuedJob:
    """Run ``function(*args, **kwargs)`` as a job on ``queue``; return its handle.

    ``retries`` failed runs are tried again later, on RQ only (after 30 s, 2 min, 10 min).
    """
    if queue not in QUEUES:
        raise ValueError(f"unknown job queue {queue!r} (known: {', '.join(QUEUES)})")
    if not current_app.config.get("REDIS_URL"):
        return _run_inline(function, args, kwargs)
    return _enqueue_on_rq(function, args, kwargs, queue, retries)


def _run_inline(
    function: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> InlineJob:
    """Run the job now, in a fresh application context, and report how it went."""
    job_id = uuid.uuid4().hex
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    with app.app_context():
        try:
            result = function(*args, **kwargs)
        except Exception as error:  # reported by the handle, as a worker would
            app.logger.exception("job.failed id=%s function=%s", job_id, _name(function))
            return InlineJob(job_id, "failed", error=f"{type(error).__name__}: {error}")
    return InlineJob(job_id, "finished", result=result)


def _enqueue_on_rq(
    function: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    queue: str,
    retries: int,
) -> QueuedJob:
    """Put the job on its RQ queue; raise JobError when Redis does not answer."""
    from redis.exceptions import RedisError
    from rq import Queue, Retry

    config = current_app.config
    rq_queue = Queue(queue, connection=redis_connection())
    retry = Retry(max=retries, interval=list(RETRY_INTERVALS[:retries])) if retries else None
    try:
        job = rq_queue.enqueue(
            function,
            args=args,
            kwargs=kwargs,
            job_timeout=config["JOB_TIMEOUT"],
            result_ttl=config["JOB_RESULT_TTL"],
            retry=retry,
        )
    except RedisError as error:
        raise JobError(f"cannot reach Redis at {redis_address()}: {error}") from error
    return QueuedJob(job)


def redis_connection(timeout: float | None = 5.0) -> Redis:
    """Return a Redis client for ``REDIS_URL``; ``timeout`` bounds connecting and each reply.

    A worker passes ``timeout=None``: it blocks on the queues longer than any short timeout.
    Clients are kept per application, so that their connection pool is reused.
    """
    from redis import Redis

    url = current_app.config["REDIS_URL"]
    clients: dict[tuple[str, float | None], Redis] = current_app.extensions.setdefault(
        "lms.redis", {}
    )
    if (url, timeout) not in clients:
        clients[url, timeout] = Redis.from_url(
            url, socket_connect_timeout=timeout or 5, socket_timeout=timeout
        )
    return clients[url, timeout]


def redis_address() -> str:
    """Return host:port/db of ``REDIS_URL``, without its password, for messages."""
    parts = urlsplit(current_app.config["REDIS_URL"])
    return f"{parts.hostname}:{parts.port or 6379}{parts.path or ''}"


def _name(function: Callable[..., Any]) -> str:
    return f"{function.__module__}.{function.__qualname__}"


@click.command("worker")
@click.option(
    "--queue",
    "queues",
    multiple=True,
    type=click.Choice(QUEUES),
    help="A queue to serve (repeat the option); default: all, mail first.",
)
@click.option("--burst", is_flag=True, help="Stop once the queues are empty.")
@with_appcontext
def worker_command(queues: tuple[str, ...], burst: bool) -> None:
    """Run an RQ worker that performs the jobs of the application's queues."""
    from redis.exceptions import RedisError

    from lms.core.workers import AppWorker

    if not current_app.config.get("REDIS_URL"):
        raise click.UsageError(
            "LMS_REDIS_URL is not set: jobs run inline in the web process and need no worker."
        )
    connection = redis_connection(timeout=None)
    try:
        connection.ping()
    except RedisError as error:
        raise click.ClickException(f"cannot reach Redis at {redis_address()}: {error}") from error
    worker = AppWorker(
        list(queues or QUEUES),
        connection=connection,
        app=current_app._get_current_object(),  # type: ignore[attr-defined]
    )
    worker.work(burst=burst, with_scheduler=True, logging_level="INFO")
