"""``lms purge``: the dry run lists exactly what the purge changes; what stays stays."""

from __future__ import annotations

import re
from datetime import date

import pytest

from lms.accounts.models import AuditEvent, User
from lms.assessments.models import Grade, Submission
from lms.attendance.models import AttendanceRecord
from lms.certificates.models import Certificate, CertificationDecision
from lms.extensions import db
from lms.quality.positioning.models import Positioning
from lms.quality.retention.actions import anonymous_name
from lms.quality.surveys.models import SurveyAnswer, SurveyResponse
from tests.quality.retention import snapshot
from tests.quality.retention.world import build_world

LINE = re.compile(r"\[(?P<rule>[a-z]+)\] (?P<table>[a-z_]+) (?P<id>\d+): (?P<what>.+)")


@pytest.fixture
def world(app):
    """Build the fixed world in a clean instance folder."""
    return build_world()


def purge(runner, *args: str):
    result = runner.invoke(args=["purge", *args])
    assert result.exit_code == 0, result.output
    return result.output


def listed(output: str) -> tuple[set[str], set[str]]:
    """Return the row changes and the files a purge's output lists, as ``snapshot`` words."""
    rows, files = set(), set()
    for line in output.splitlines():
        match = LINE.fullmatch(line)
        if not match:
            continue
        row = f"{match['table']} {match['id']}"
        for part in match["what"].split("; "):
            if part == "delete row":
                rows.add(f"{row}: delete row")
            elif part.startswith("erase "):
                columns = sorted(part.removeprefix("erase ").split(", "))
                rows.add(f"{row}: erase " + ", ".join(columns))
            else:
                files.add(part.removeprefix("delete file "))
    return rows, files


def indicator_figures() -> dict[str, object]:
    """Return the raw figures the indicators count: they must not move."""
    return {
        "grades": sorted(
            db.session.execute(db.select(Grade.id, Grade.score, Grade.passed, Grade.state)).all()
        ),
        "submissions": db.session.scalar(db.select(db.func.count(Submission.id))),
        "attendance": sorted(
            db.session.execute(db.select(AttendanceRecord.id, AttendanceRecord.status)).all()
        ),
        "decisions": sorted(
            db.session.execute(
                db.select(CertificationDecision.id, CertificationDecision.outcome)
            ).all()
        ),
        "answers": sorted(
            db.session.execute(
                db.select(SurveyAnswer.id, SurveyAnswer.scale_value, SurveyAnswer.choice)
            ).all()
        ),
        "responses": db.session.scalar(db.select(db.func.count(SurveyResponse.id))),
        "positionings": db.session.scalar(db.select(db.func.count(Positioning.id))),
        "certificates": sorted(
            db.session.execute(
                db.select(
                    Certificate.id,
                    Certificate.state,
                    Certificate.learner_name,
                    Certificate.pdf_sha256,
                )
            ).all()
        ),
    }


def test_the_dry_run_lists_exactly_what_the_purge_changes(world, runner):
    rows_before, files_before = snapshot.rows(), snapshot.files()
    dry = purge(runner, "--dry-run")
    assert snapshot.rows() == rows_before
    assert snapshot.files() == files_before
    assert "dry run: nothing changed" in dry

    real = purge(runner)

    assert [line for line in real.splitlines() if LINE.fullmatch(line)] == [
        line for line in dry.splitlines() if LINE.fullmatch(line)
    ]
    expected_rows, expected_files = listed(dry)
    audit = {
        f"audit_events {event_id}: new row"
        for event_id in db.session.scalars(
            db.select(AuditEvent.id).where(AuditEvent.action == "retention.purge")
        )
    }
    assert snapshot.changes(rows_before, snapshot.rows()) == expected_rows | audit
    assert files_before - snapshot.files() == expected_files
    assert not snapshot.files() - files_before


def test_the_old_cohort_is_purged_and_the_recent_one_untouched(world, runner):
    figures = indicator_figures()
    purge(runner)
    db.session.expire_all()
    alice, bruno, tania = (
        db.session.get(User, i) for i in (world.alice_id, world.bruno_id, world.trainer_id)
    )
    assert alice.display_name == anonymous_name(alice.id)
    assert alice.email == f"personne-{alice.id}@anonymise.invalid"
    assert alice.password_hash is None
    assert not alice.is_active
    assert (bruno.display_name, bruno.email) == ("Bruno Petit", "bruno@example.org")
    assert tania.display_name == "Tania Formatrice"
    assert tania.is_active
    submissions = {s.user_id: s for s in db.session.scalars(db.select(Submission))}
    by_cohort = {
        (p.cohort_id, p.learner_id): p.adjustments
        for p in db.session.scalars(db.select(Positioning))
    }
    assert by_cohort == {
        (world.old_cohort_id, alice.id): "",
        (world.old_cohort_id, bruno.id): "",
        (world.new_cohort_id, bruno.id): "Temps majoré (dyslexie).",
    }
    kept = [s for s in db.session.scalars(db.select(Submission)) if s.purged_at is None]
    assert [(s.user_id, s.text, len(s.files)) for s in kept] == [(bruno.id, "Mon diagnostic.", 1)]
    assert submissions[alice.id].text == ""
    assert not submissions[alice.id].files
    texts = sorted(
        a.text for a in db.session.scalars(db.select(SurveyAnswer)) if a.text is not None
    )
    assert texts == ["", "", "Merci à Tania !"]
    assert indicator_figures() == figures


def test_past_dossiers_go_with_their_archives_and_builds_under_way_wait(world, runner):
    from lms.quality.dossiers.models import DossierState, LearnerDossier
    from lms.quality.dossiers.store import dossier_folder

    def dossiers():
        rows = db.session.scalars(db.select(LearnerDossier).order_by(LearnerDossier.id)).all()
        return [(d.learner_id, d.cohort_id, d.state) for d in rows]

    archives = set(
        db.session.scalars(
            db.select(LearnerDossier.storage_key).where(LearnerDossier.storage_key.is_not(None))
        )
    )
    alice_key = db.session.scalar(
        db.select(LearnerDossier.storage_key).filter_by(learner_id=world.alice_id)
    )
    purge(runner)
    db.session.expire_all()
    assert dossiers() == [
        (world.bruno_id, world.old_cohort_id, DossierState.QUEUED),
        (world.bruno_id, world.new_cohort_id, DossierState.READY),
    ]
    left = {path.name for path in dossier_folder().rglob("*") if path.is_file()}
    assert not any(alice_key in name for name in left)
    assert all(any(key in name for name in left) for key in archives - {alice_key})


def test_the_certificate_still_verifies_after_the_purge(world, runner, client):
    purge(runner)
    page = client.get(f"/verify/{world.certificate_code}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "This certificate is valid." in text
    assert "Alice Martin" in text  # the name the certificate states, as issued
    facts = client.get(f"/verify/{world.certificate_code}.json").get_json()
    assert facts["state"] == "valid"


def test_a_second_purge_changes_nothing(world, runner):
    purge(runner)
    rows, files = snapshot.rows(), snapshot.files()
    output = purge(runner)
    assert "purge: 0 changes made" in output
    assert snapshot.rows() == rows
    assert snapshot.files() == files


def test_the_audit_log_says_what_and_how_many_never_the_values(world, runner):
    purge(runner)
    events = {
        event.object_id: event.after
        for event in db.session.scalars(
            db.select(AuditEvent).where(AuditEvent.action == "retention.purge")
        )
    }
    assert set(events) == {
        "submissions",
        "feedback",
        "extensions",
        "attendance",
        "positioning",
        "dossiers",
        "projects",
        "surveys",
        "accounts",
        "logs",
    }
    assert events["accounts"]["rows_changed"] == {"users": 1}
    assert events["accounts"]["rows_deleted"] == {"password_tokens": 1, "user_sessions": 1}
    assert events["submissions"]["files_deleted"] == 2
    dumped = repr(events)
    for value in ("Alice", "alice@example.org", "dyslexie", "Merci", "rh@employeur"):
        assert value not in dumped


def test_nothing_is_past_before_31_december_of_n_plus_6(world, runner):
    last_day = date(date.today().year - 1, 12, 31)
    output = purge(runner, "--dry-run", "--as-of", last_day.isoformat())
    assert "cohorts past their period: 0" in output
    assert not [
        line
        for line in output.splitlines()
        if LINE.fullmatch(line) and "[logs]" not in line and "[surveys]" not in line
    ]


def test_a_cohort_kept_ten_years_is_not_purged(world, runner):
    result = runner.invoke(args=["cohort-retention", "Promotion 2019", "10"])
    assert result.exit_code == 0, result.output
    assert f"until 31 December {date.today().year + 3}" in result.output
    output = purge(runner, "--dry-run")
    assert "cohorts past their period: 0" in output
    assert "[accounts]" not in output
    assert "[submissions]" not in output


def test_the_indicators_are_the_same_after_the_purge(world, runner):
    """The figures the quality pages show and publish, computed before and after (acceptance)."""
    from lms.core.time import utcnow
    from lms.quality.indicators.figures import indicators
    from lms.quality.indicators.scope import Period, Scope

    every_cohort = Scope(Period(date(2000, 1, 1), date.today()))
    now = utcnow()
    before = indicators(every_cohort, now)
    assert before.learners == 3  # Alice and Bruno in the old cohort, Bruno in the new one
    assert before.certification.numerator == 1  # Alice's path was awarded
    assert before.attendance.held_minutes == 3 * 180  # three learners excused from 3 hours
    assert sum(question.answers for question in before.satisfaction.group("hot").questions) == 3

    purge(runner)
    db.session.expire_all()

    assert indicators(every_cohort, now) == before
