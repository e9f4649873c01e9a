"""gunicorn settings for production: ``gunicorn 'lms:create_app()'`` from the repository root.

gunicorn reads ``./gunicorn.conf.py`` by itself; every setting below can be changed by an
environment variable (or on the command line, which wins). Sync workers: on a small host they
serve as much as threaded ones (PERFORMANCE.md) and a slow request cannot starve the others of
its worker. Workers are stateless (sessions in the database, rate limits and jobs in Redis), so
more hosts can serve behind the proxy.
"""

import multiprocessing
import os


def _number(name: str, default: int) -> int:
    """Read a whole number from the environment, or refuse to start with a clear message."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise SystemExit(f"{name} must be a whole number of 1 or more, not {raw!r}")
    return int(raw)


# Where to listen: loopback behind a local proxy; "0.0.0.0:8000" in a container.
bind = os.environ.get("LMS_BIND", "127.0.0.1:8000").split(",")
# 2 × cores + 1 (gunicorn's advice), capped: each worker holds its own database connections.
workers = _number("LMS_WEB_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 9))
worker_class = "sync"
# A request running longer than this is killed (its worker restarted): pages answer in
# milliseconds; long work (certificate batches) runs as jobs (lms worker).
timeout = _number("LMS_WEB_TIMEOUT", 30)
graceful_timeout = 30
# Renew each worker after about this many requests (± 10 %, so that they do not all restart at
# once), so that slow memory growth cannot pile up; a restart costs a worker about 0.5 s.
max_requests = _number("LMS_WEB_MAX_REQUESTS", 5000)
max_requests_jitter = max_requests // 10
# Addresses of the proxies allowed to set X-Forwarded-Proto for gunicorn itself; the
# application trusts X-Forwarded-* through LMS_PROXY_FIX_* (docs/operations.md, "Proxy").
forwarded_allow_ips = os.environ.get("LMS_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Logs to the standard streams, for the service manager or the container runtime.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LMS_LOG_LEVEL", "info")
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
logger_class = "lms.core.access_log.RedactingLogger"  # no reset token in the access log
# No runtime control socket (gunicorn 25.1+): its default path is shared by every instance
# of the host user; set control_socket in a copy of this file to use gunicornc.
control_socket_disable = True
