"""Throughput (PERFORMANCE.md target 6): pages served per second by gunicorn, against a floor.

Seeds a cohort of the shipped path with ``--learners`` learners at different stages (the data
of ``benchmarks.render_ratio``), starts gunicorn with ``gunicorn.conf.py`` and 2 sync workers
on loopback, logs a midway learner in through the login form, then runs
``wrk -t2 -c16 -d10s`` on:

- ``trivial``: ``/healthz``, no session: the floor (what gunicorn and Flask alone serve),
  measured first and last: the floor is the mean of both, as the shared machine's load drifts;
- ``dashboard``: the learner dashboard, with the learner's session cookie;
- ``verification``: the public page ``/verify/<code>`` of a certificate issued for the
  benchmark, when the application has that route (skipped, with the reason, otherwise).

Every answer must be a 2xx (a Lua hook counts the others: a redirect to the login page would
be fast and wrong) and wrk must report no socket error; otherwise the script says so and exits
with status 1. Targets: dashboard ≥ 15 % of trivial, verification ≥ 25 %. Beside each ratio
of requests per second, the script prints the same ratio from the gunicorn workers' CPU time
per request (read from /proc): on a busy shared machine it tells what idle cores would give.
The verification
limit per address (``RATELIMIT_VERIFY``) is raised in the instance's ``lms.cfg``: wrk is one
address, and the figure is the page with its limiter check, not 429 answers.

Run ``python -m benchmarks.throughput [--database-url URL] [--learners 100] [--duration 10]``;
``--profile`` also prints where the dashboard's time goes (pyinstrument, in-process). Without a
URL the data goes into a temporary SQLite file; a given database is emptied and filled.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

import requests
from flask import Flask

from benchmarks.harness import PASSWORD, SECRET_KEY, describe, seeded_app
from benchmarks.render_ratio import seed
from lms import ROOT
from lms.accounts.models import User
from lms.extensions import db

TARGETS = {"dashboard": 0.15, "verification": 0.25}
# Counts, in every wrk thread, the answers that are not 2xx, and prints the total at the end.
STATUS_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) not_2xx = 0 end
function response(status, headers, body)
  if status < 200 or status > 299 then not_2xx = not_2xx + 1 end
end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("not_2xx") end
  io.write(string.format("NOT_2XX %d\\n", total))
end
"""


class BenchmarkError(RuntimeError):
    """The measurement is not valid (errors, wrong answers, a server that did not start)."""


@dataclass(frozen=True)
class Load:
    """What wrk measured on one URL."""

    requests_per_second: float
    p50_ms: float
    socket_errors: int
    not_2xx: int
    error_kinds: str = ""  # wrk's breakdown: connect, read, write, timeout
    cpu_ms: float = 0.0  # CPU time of the gunicorn workers per request served


def free_port() -> int:
    """Return a loopback port that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_environment(app: Flask) -> dict[str, str]:
    """Return the environment of a production-like instance on the benchmark's database."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    environment.update(
        LMS_ENV="production",
        LMS_SECRET_KEY=SECRET_KEY,
        LMS_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        LMS_INSTANCE_PATH=app.instance_path,
        LMS_SESSION_COOKIE_SECURE="false",  # plain HTTP on loopback
        LMS_CERTIFICATE_SIGNATORY_NAME="Camille Directrice",
        LMS_CERTIFICATE_SIGNATORY_TITLE="Directrice pédagogique",
        LMS_CERTIFICATE_PLACE="Lyon",
    )
    return environment


def start_gunicorn(app: Flask, workers: int, log: Path) -> tuple[subprocess.Popen, str]:
    """Start gunicorn with the repository's configuration; return it and its base URL."""
    port = free_port()
    # One address (wrk's) would meet the verification limit (60 a minute) at once: raise it,
    # so that the figure is the page with its limiter check, not 429 answers.
    Path(app.instance_path, "lms.cfg").write_text('RATELIMIT_VERIFY = "10000000 per minute"\n')
    command = [
        *(sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py")),
        *("--workers", str(workers), "--bind", f"127.0.0.1:{port}"),
        # No renewal after N requests: at thousands of requests a second it would restart the
        # workers many times in a run, where production renews them every few minutes.
        *("--max-requests", "0", "lms:create_app()"),
    ]
    with log.open("wb") as errors:
        # The access log (stdout) is written, as in production, then thrown away.
        server = subprocess.Popen(  # noqa: S603  our interpreter, our arguments
            command, cwd=ROOT, env=server_environment(app), stdout=subprocess.DEVNULL, stderr=errors
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchmarkError(f"gunicorn stopped at start:\n{log.read_text()}")
        try:
            if requests.get(f"{base}/readyz", timeout=1).status_code == 200:
                return server, base
        except requests.RequestException:
            time.sleep(0.2)
    server.terminate()
    raise BenchmarkError(f"gunicorn did not answer /readyz within 30 s:\n{log.read_text()}")


def log_in(base: str, email: str) -> str:
    """Log in through the form (CSRF token included); return the ``Cookie`` header value."""
    session = requests.Session()
    page = session.get(f"{base}/login", timeout=10)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)
    if token is None:
        raise BenchmarkError("no CSRF token on the login page")
    answer = session.post(
        f"{base}/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)},
        allow_redirects=False,
        timeout=10,
    )
    if answer.status_code not in (302, 303) or "/login" in answer.headers.get("Location", ""):
        raise BenchmarkError(f"login refused for {email}: {answer.status_code}")
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in session.cookies)


def check_page(url: str, cookie: str | None, expected: str) -> None:
    """Fetch the page once and check that it is the page meant, not a redirect or an error."""
    headers = {"Cookie": cookie} if cookie else {}
    answer = requests.get(url, headers=headers, allow_redirects=False, timeout=10)
    if answer.status_code != 200 or expected not in answer.text:
        raise BenchmarkError(f"{url} answered {answer.status_code} without {expected!r}")


def workers_cpu_seconds(master: int) -> float:
    """Return the CPU time (user + system) used so far by the children of ``master``."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(fields[1]) == master:  # fields[1] is the parent's pid
            total += int(fields[11]) + int(fields[12])  # utime, stime in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def run_wrk(
    url: str, cookie: str | None, args: argparse.Namespace, script: Path, master: int
) -> Load:
    """Load ``url`` with wrk; return what it measured, with the workers' CPU per request."""
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s"]
    command += ["--latency", "--timeout", "5s", "-s", str(script)]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    cpu_before = workers_cpu_seconds(master)
    result = subprocess.run(  # noqa: S603  wrk from PATH, our arguments
        [*command, url], capture_output=True, text=True, timeout=args.duration + 60, check=False
    )
    cpu = workers_cpu_seconds(master) - cpu_before
    if result.returncode != 0:
        raise BenchmarkError(f"wrk failed on {url}: {result.stderr or result.stdout}")
    load = parse_wrk(result.stdout)
    served = re.search(r"^\s*(\d+) requests in", result.stdout, re.MULTILINE)
    count = int(served.group(1)) if served else 0
    return replace(load, cpu_ms=cpu * 1000 / count if count else 0.0)


def parse_wrk(output: str) -> Load:
    """Read requests per second, median latency, socket errors and non-2xx answers."""
    rate = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    p50 = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s)\b", output, re.MULTILINE)
    not_2xx = re.search(r"^NOT_2XX (\d+)", output, re.MULTILINE)
    if not (rate and p50 and not_2xx):
        raise BenchmarkError(f"cannot read wrk's output:\n{output}")
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p50.group(2)]
    return Load(
        requests_per_second=float(rate.group(1)),
        p50_ms=float(p50.group(1)) * scale,
        socket_errors=sum(int(n) for n in errors.groups()) if errors else 0,
        not_2xx=int(not_2xx.group(1)),
        error_kinds=errors.group(0) if errors else "",
    )


def verification_code(app: Flask, learner_id: int) -> tuple[str | None, str]:
    """Return a certificate's code to verify, or None and why the line is skipped.

    The page exists once the certificates domain serves ``/verify/<code>``; the certificate is
    issued for the benchmark with the domain's own services (an awarded decision, then issue).
    """
    if not any(rule.rule.startswith("/verify/") for rule in app.url_map.iter_rules()):
        return None, "the application has no /verify/<code> route yet"
    with app.app_context():
        app.config.update(server_environment_settings())
        try:
            return issue_for_benchmark(learner_id), ""
        except Exception as error:  # the figure is skipped, with the reason, not the run
            db.session.rollback()
            return None, f"could not issue a certificate to verify: {error!r}"


def server_environment_settings() -> dict[str, str]:
    """Return the certificate settings that the served instance gets from its environment."""
    return {
        "CERTIFICATE_SIGNATORY_NAME": "Camille Directrice",
        "CERTIFICATE_SIGNATORY_TITLE": "Directrice pédagogique",
        "CERTIFICATE_PLACE": "Lyon",
    }


def issue_for_benchmark(learner_id: int) -> str:
    """Award and issue the learner's path certificate; return its verification code."""
    from lms.certificates.decisions import record_decision
    from lms.certificates.issuing import issue_certificate
    from lms.certificates.models import DecisionOutcome
    from lms.cohorts.models import Membership, MembershipRole

    learner = db.session.get(User, learner_id)
    admin = User(email="admin@bench.example", display_name="Alice Administratrice", is_admin=True)
    db.session.add(admin)
    membership = db.session.scalar(
        db.select(Membership).filter_by(user_id=learner_id, role=MembershipRole.LEARNER)
    )
    cohort = membership.cohort
    record_decision(
        cohort,
        learner,
        outcome=DecisionOutcome.AWARDED,
        reason="Benchmark: a certificate to verify.",
        decided_by=admin,
    )
    certificate = issue_certificate(cohort, learner, issued_by=admin)
    db.session.commit()
    return certificate.code


def profile_dashboard(app: Flask, email: str, requests_count: int = 200) -> None:
    """Print where the dashboard's time goes, served in-process (pyinstrument)."""
    from pyinstrument import Profiler

    client = app.test_client()
    with app.app_context():
        app.config.update(WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    client.post("/login", data={"email": email, "password": PASSWORD})
    client.get("/dashboard")
    profiler = Profiler(interval=0.0005)
    with profiler:
        for _ in range(requests_count):
            client.get("/dashboard")
    print(profiler.output_text(unicode=True, color=False, show_all=False))


def report(name: str, load: Load, floor: Load | None) -> bool:
    """Print one figure; return whether it is valid and meets its target."""
    valid = load.socket_errors == 0 and load.not_2xx == 0
    checks = f"errors: {load.socket_errors}, non-2xx: {load.not_2xx}"
    if load.error_kinds:
        checks += f"; {load.error_kinds}"
    cpu = f"workers' CPU {load.cpu_ms:.2f} ms/request"
    if floor is None:
        print(
            f"{name}: {load.requests_per_second:.0f} req/s "
            f"(p50 {load.p50_ms:.1f} ms; {cpu}; {checks})"
        )
        return valid
    ratio = load.requests_per_second / floor.requests_per_second
    target = TARGETS[name]
    met = valid and ratio >= target
    print(
        f"{name}: {load.requests_per_second:.0f} req/s (floor: "
        f"{floor.requests_per_second:.0f} req/s trivial, ratio: {ratio:.3f}, "
        f"target: ≥ {target:g}) {'OK' if met else 'UNDER'} (p50 {load.p50_ms:.1f} ms; {checks})"
    )
    if load.cpu_ms and floor.cpu_ms:
        # What the ratio would be on idle cores: the workers' CPU per request drifts much less
        # than requests per second when other processes share the machine.
        print(
            f"{name} CPU: {load.cpu_ms:.2f} ms/request (floor: {floor.cpu_ms:.2f} ms trivial, "
            f"ratio: {floor.cpu_ms / load.cpu_ms:.3f}, target: ≥ {target:g})"
        )
    return met


def options(argv: list[str] | None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a scratch database (emptied); default: SQLite")
    parser.add_argument("--learners", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--duration", type=int, default=10, help="seconds per URL")
    parser.add_argument("--profile", action="store_true", help="profile the dashboard too")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Seed, serve with gunicorn, load each page with wrk, print the figures."""
    args = options(argv)
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk)")
    with seeded_app(args.database_url, lambda: seed(args.learners)) as (app, ids):
        _cohort_id, _trainer_id, learner_id = ids
        describe(app, learners=args.learners, workers=args.workers)
        with app.app_context():
            learner = db.session.get(User, learner_id)
            email, name = learner.email, learner.display_name
        code, skipped = verification_code(app, learner_id)
        ok = measure(app, args, email, name, code, skipped)
        if args.profile:
            profile_dashboard(app, email)
    if not ok:
        sys.exit(1)


def measure(app: Flask, args, email: str, name: str, code: str | None, skipped: str) -> bool:
    """Serve with gunicorn and load every page; return whether every figure is valid."""
    with tempfile.TemporaryDirectory() as scratch:
        script = Path(scratch) / "status.lua"
        script.write_text(STATUS_SCRIPT)
        server, base = start_gunicorn(app, args.workers, Path(scratch) / "gunicorn.log")
        try:
            cookie = log_in(base, email)
            check_page(f"{base}/healthz", None, '"status"')
            check_page(f"{base}/dashboard", cookie, name)
            loads = {"trivial (before)": run_wrk(f"{base}/healthz", None, args, script, server.pid)}
            loads["dashboard"] = run_wrk(f"{base}/dashboard", cookie, args, script, server.pid)
            if code is not None:
                check_page(f"{base}/verify/{code}", None, name)
                loads["verification"] = run_wrk(
                    f"{base}/verify/{code}", None, args, script, server.pid
                )
            loads["trivial (after)"] = run_wrk(f"{base}/healthz", None, args, script, server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
    return report_all(loads, skipped)


def report_all(loads: dict[str, Load], skipped: str) -> bool:
    """Print every figure against the mean of the trivial runs before and after (load drifts)."""
    trivial = [loads.pop("trivial (before)"), loads.pop("trivial (after)")]
    ok = all(
        [report("trivial (before)", trivial[0], None), report("trivial (after)", trivial[1], None)]
    )
    floor = Load(
        requests_per_second=statistics.mean(load.requests_per_second for load in trivial),
        p50_ms=statistics.mean(load.p50_ms for load in trivial),
        socket_errors=0,
        not_2xx=0,
        cpu_ms=statistics.mean(load.cpu_ms for load in trivial),
    )
    for name, load in loads.items():
        ok &= report(name, load, floor)
    if "verification" not in loads:
        print(f"verification: skipped ({skipped})")
    return ok


if __name__ == "__main__":
    try:
        main()
    except BenchmarkError as error:
        sys.exit(f"throughput: {error}")
