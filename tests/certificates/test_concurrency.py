"""Exactly once under concurrency (SECURITY.md G29), on SQLite and PostgreSQL.

Ten requests to issue one learner's certificate run at once in real threads, each with its own
application context, database session and connection (the last test sends them through the live
server of tests/live.py, as ten administrators, and counts e-mails with the SMTP test server).
They all look for an existing certificate *before* any of them writes (a barrier makes sure of
it), so each renders and stores a PDF; the learner's lock then lets one insert, and the nine
others return its certificate and delete their PDF. Only the request that inserted tells the
learner. On SQLite the lock is ``BEGIN IMMEDIATE``; on PostgreSQL ``FOR UPDATE``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from flask_babel import format_datetime

from lms.accounts.models import User
from lms.certificates import issuing, manage
from lms.certificates.credentials.models import IssuedCredential
from lms.certificates.issuing import certificate_folder, issue_certificate
from lms.certificates.models import Certificate
from lms.cohorts.models import Cohort
from lms.core import storage
from lms.extensions import db
from tests.certificates.helpers import make_certificate_world
from tests.factories import UserFactory
from tests.live import at_once, logged_in
from tests.web.helpers import log_in, text

REQUESTS = 10


@pytest.fixture
def world():
    """The certifying world of tests/certificates/helpers.py."""
    return make_certificate_world()


def awarded_learner(world) -> User:
    learner = world.eligible_learner(display_name="Zoé Lefèvre")
    world.award(learner)
    return learner


def blind_first_lookups(monkeypatch, module, count: int) -> None:
    """Make the first ``count`` lookups in ``module`` wait for each other and see nothing."""
    real, barrier = module.current_certificate, threading.Barrier(count)
    calls, lock = {"n": 0}, threading.Lock()

    def racing(*args, **kwargs):
        with lock:
            calls["n"] += 1
            blind = calls["n"] <= count
        if blind:
            barrier.wait(timeout=60)  # every request looked before any of them wrote
            return None
        return real(*args, **kwargs)

    monkeypatch.setattr(module, "current_certificate", racing)


def run_at_once(app, work: Callable[[], object]) -> tuple[list, list]:
    """Run ``work`` in REQUESTS threads, each in its own application context."""
    results, errors = [], []

    def one() -> None:
        with app.app_context():
            try:
                results.append(work())
            except Exception as error:  # reported by the test
                errors.append(error)
            finally:
                db.session.remove()

    db.session.commit()  # hold no transaction while the threads run
    threads = [threading.Thread(target=one) for _ in range(REQUESTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors


def assert_issued_once(learner_id: int) -> None:
    db.session.rollback()
    rows = list(db.session.scalars(db.select(Certificate).filter_by(learner_id=learner_id)))
    assert len(rows) == 1
    assert len({row.number for row in rows}) == 1
    assert storage.stored_keys(certificate_folder()) == {rows[0].storage_key}
    # One credential, with the certificate; the losers' status entries stay unused.
    credentials = list(db.session.scalars(db.select(IssuedCredential)))
    assert [credential.certificate_id for credential in credentials] == [rows[0].id]
    assert credentials[0].document["id"].endswith(f"/credentials/{rows[0].code}.json")


def test_ten_concurrent_issues_give_one_certificate(app, world, monkeypatch):
    learner = awarded_learner(world)
    cohort_id, learner_id, admin_id = world.cohort.id, learner.id, world.admin.id
    blind_first_lookups(monkeypatch, issuing, REQUESTS)

    def issue() -> str:
        certificate = issue_certificate(
            db.session.get(Cohort, cohort_id),
            db.session.get(User, learner_id),
            issued_by=db.session.get(User, admin_id),
        )
        db.session.commit()
        return certificate.number

    numbers, errors = run_at_once(app, issue)

    assert errors == []
    assert len(numbers) == REQUESTS
    assert len(set(numbers)) == 1  # every request answers with the one certificate
    assert_issued_once(learner_id)


def test_ten_concurrent_issue_requests_on_the_page_give_one_certificate(
    app, world, client, monkeypatch
):
    learner = awarded_learner(world)
    log_in(client, world.admin)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    url = f"/admin/cohorts/{world.cohort.id}/learners/{learner.id}/certification/issue"
    clients = []
    for _ in range(REQUESTS):
        other = app.test_client()
        other.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
        clients.append(other)
    blind_first_lookups(monkeypatch, manage, REQUESTS)
    pending = list(clients)
    lock = threading.Lock()

    def post() -> int:
        with lock:
            own = pending.pop()
        return own.post(url, data={"scope": "path"}).status_code

    statuses, errors = run_at_once(app, post)

    assert errors == []
    assert sorted(statuses) == [302] * REQUESTS
    assert_issued_once(learner.id)


def test_ten_administrators_issuing_at_once_give_one_issue_one_email_and_nine_already_issued(
    app, world, live_server, smtp_server, monkeypatch
):
    learner = awarded_learner(world)
    admins = [world.admin]
    admins += [UserFactory(is_admin=True, display_name=f"Admin {n}") for n in range(2, 11)]
    browsers = [logged_in(app, live_server, admin) for admin in admins]
    blind_first_lookups(monkeypatch, manage, REQUESTS)  # all ten are past the page's own check
    url = f"/admin/cohorts/{world.cohort.id}/learners/{learner.id}/certification/issue"

    answers = at_once([lambda b=b: b.post(url, {"scope": "path"}) for b in browsers])

    assert [answer.status for answer in answers] == [302] * REQUESTS
    assert_issued_once(learner.id)
    certificate = db.session.scalar(db.select(Certificate).filter_by(learner_id=learner.id))
    detail = f"/admin/certificates/{certificate.id}"
    told_issued = [n for n, answer in enumerate(answers) if answer.location == detail]
    assert len(told_issued) == 1
    assert certificate.issued_by == admins[told_issued[0]]
    assert [message["X-Envelope-To"] for message in smtp_server] == [learner.email]
    issued = text("Certificate %(number)s was issued.", number=certificate.number)
    already = text(
        "%(name)s already holds %(number)s, issued by %(by)s on %(date)s.",
        name=learner.display_name,
        number=certificate.number,
        by=certificate.issued_by.display_name,
        date=format_datetime(certificate.issued_at, "medium"),
    )
    for n, (browser, answer) in enumerate(zip(browsers, answers, strict=True)):
        page = browser.get(answer.location).text
        assert (issued in page, already in page) == (n in told_issued, n not in told_issued)
