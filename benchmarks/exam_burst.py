"""Exam burst (PERFORMANCE.md target 7): many learners submit the same quiz at the same moment.

Seeds the shipped path with ``--learners`` learners of one cohort, each with an open attempt at
M1's quiz and saved answers (deterministic: every third learner all right, the others not), then
serves the application with Werkzeug's threaded server on loopback. Every learner logs in, then
all of them submit at once from a thread pool, each twice (a double click: ``--clicks``).

Figures: requests that failed (an exception or an answer other than a redirect), lost
submissions (attempts left open or scored differently from their answers), attempts scored more
than once (counted in the server), and the burst's wall time with its median and p95 latency.
Target: 0 errors, 0 lost, every attempt scored once.

Run ``python -m benchmarks.exam_burst [--database-url URL] [--learners 200]``. Without a URL the
data goes into a temporary SQLite file; a given database is emptied and filled (use a scratch one).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import statistics
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import requests
from werkzeug.security import generate_password_hash
from werkzeug.serving import make_server

from benchmarks.harness import benchmark_app
from lms.accounts.models import User
from lms.assessments.models import Assessment, AssessmentKind, QuizAttempt
from lms.assessments.quizzes import services
from lms.assessments.quizzes import views as quiz_views
from lms.cohorts.models import Cohort, CohortState, Membership, MembershipRole, ModuleCalendar
from lms.curriculum.services import load_path_file, shipped_path_file
from lms.extensions import db

PASSWORD = "benchmark password, long enough 2024"  # noqa: S105 (seeded scratch data)
# Cheap hashes: the benchmark measures quiz submissions, not 200 logins' key stretching.
FAST_HASH = "scrypt:1024:8:1"


def seed(learners: int) -> tuple[int, dict[str, tuple[int, int, dict]]]:
    """Fill the database; return the quiz id and, per e-mail, (attempt id, score, answers form)."""
    path = load_path_file(shipped_path_file()).path
    now = datetime.now(UTC)
    cohort = Cohort(
        name="Promotion d'examen",
        path=path,
        starts_on=(now - timedelta(days=60)).date(),
        ends_on=(now + timedelta(days=300)).date(),
        state=CohortState.ACTIVE,
    )
    db.session.add(cohort)
    m1 = next(module for module in path.modules if module.code == "M1")
    db.session.add(ModuleCalendar(cohort=cohort, module=m1, opens_at=now - timedelta(days=7)))
    quiz = db.session.scalar(
        db.select(Assessment).filter_by(module_id=m1.id, kind=AssessmentKind.QUIZ)
    )
    quiz.time_limit_minutes = None  # the burst may run longer than the quiz's limit
    hashed = generate_password_hash(PASSWORD, method=FAST_HASH)
    attempts = {}
    for index in range(learners):
        user = User(email=f"exam{index:04d}@bench.example", display_name=f"Candidat·e {index}")
        user.password_hash = hashed
        db.session.add_all(
            [user, Membership(user=user, cohort=cohort, role=MembershipRole.LEARNER)]
        )
        db.session.flush()
        attempt = services.start_attempt(quiz, user, cohort, now)
        answers = _answers(quiz, right=index % 3 == 0)
        services.save_answers(attempt, answers, now)
        form = {f"question_{q}": [str(o) for o in options] for q, options in answers.items()}
        attempts[user.email] = (attempt.id, services.score_attempt(attempt), form)
    db.session.commit()
    return quiz.id, attempts


def _answers(quiz: Assessment, right: bool) -> dict[int, list[int]]:
    """Return all the right answers, or the first option of every question."""
    if right:
        return {q.id: [o.id for o in q.options if o.is_correct] for q in quiz.questions}
    return {q.id: [q.options[0].id] for q in quiz.questions}


def count_scorings() -> Counter:
    """Count, in the server, the submissions that really scored each attempt."""
    scored: Counter = Counter()
    lock = threading.Lock()
    real = quiz_views.submit_attempt

    def counting(attempt, *args, **kwargs):
        outcome = real(attempt, *args, **kwargs)
        if outcome != services.SubmitOutcome.ALREADY_SUBMITTED:
            with lock:
                scored[attempt.id] += 1
        return outcome

    quiz_views.submit_attempt = counting
    return scored


def log_in(base: str, email: str) -> requests.Session:
    """Return an HTTP session logged in as the learner with this e-mail."""
    session = requests.Session()
    response = session.post(
        f"{base}/login", data={"email": email, "password": PASSWORD}, allow_redirects=False
    )
    assert response.status_code in (302, 303), (email, response.status_code)
    return session


def burst(base: str, quiz_id: int, sessions: dict, attempts: dict, clicks: int, workers: int):
    """Submit every attempt ``clicks`` times at once; return (errors, latencies, wall time)."""
    jobs = [(email, *attempts[email][::2]) for email in sessions for _ in range(clicks)]
    start = threading.Barrier(min(workers, len(jobs)))

    def submit(job) -> tuple[bool, float]:
        email, attempt_id, form = job
        url = f"{base}/assessments/{quiz_id}/quiz/attempts/{attempt_id}/submit"
        with contextlib.suppress(threading.BrokenBarrierError):
            start.wait(timeout=60)  # the last wave may have fewer jobs than workers
        began = time.perf_counter()
        try:
            response = sessions[email].post(url, data=form, allow_redirects=False, timeout=120)
            ok = response.status_code in (302, 303) and "/quiz" in response.headers["Location"]
        except requests.RequestException:
            ok = False
        return ok, time.perf_counter() - began

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(submit, jobs))
    wall = time.perf_counter() - began
    return sum(1 for ok, _ in results if not ok), [t for _, t in results], wall


def lost_submissions(attempts: dict) -> int:
    """Count attempts left open or scored differently from their saved answers."""
    db.session.remove()
    rows = dict(
        db.session.execute(
            db.select(QuizAttempt.id, QuizAttempt.score).where(
                QuizAttempt.submitted_at.is_not(None)
            )
        ).all()
    )
    return sum(1 for attempt_id, score, _form in attempts.values() if rows.get(attempt_id) != score)


def main(argv: list[str] | None = None) -> None:
    """Seed, serve, burst and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a scratch database (emptied); default: SQLite")
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--clicks", type=int, default=2, help="submissions per learner")
    parser.add_argument("--workers", type=int, default=200, help="client threads")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/exam_burst.sqlite3"
        app = benchmark_app(
            url,
            folder,
            SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 20, "max_overflow": 20}
            if url.startswith("postgresql")
            else {},
        )
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
        logging.getLogger("lms.security").setLevel(logging.WARNING)  # no line per login
        with app.app_context():
            db.drop_all()
            db.create_all()
            quiz_id, attempts = seed(args.learners)
            db.session.remove()
        scored = count_scorings()
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        try:
            sessions = {email: log_in(base, email) for email in attempts}
            errors, latencies, wall = burst(
                base, quiz_id, sessions, attempts, args.clicks, args.workers
            )
        finally:
            server.shutdown()
        with app.app_context():
            lost = lost_submissions(attempts)
            twice = sum(1 for attempt_id, *_ in attempts.values() if scored[attempt_id] != 1)
            if args.database_url is None:
                db.engine.dispose()
        report(url, args, errors, lost, twice, latencies, wall)


def report(url, args, errors, lost, twice, latencies, wall) -> None:
    """Print one line per figure, with its target."""
    p95 = statistics.quantiles(latencies, n=20)[-1]
    print(f"database: {url.split(':')[0]}, learners: {args.learners}, clicks: {args.clicks}")
    print(f"exam_burst errors: {errors} (target: 0) {'OK' if errors == 0 else 'OVER'}")
    print(f"exam_burst lost submissions: {lost} (target: 0) {'OK' if lost == 0 else 'OVER'}")
    print(f"exam_burst attempts not scored exactly once: {twice} (target: 0)")
    print(
        f"exam_burst time: {wall:.2f} s for {len(latencies)} requests "
        f"(median {statistics.median(latencies) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms)"
    )


if __name__ == "__main__":
    main()
