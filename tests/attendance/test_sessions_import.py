"""Importing sessions from a CSV file: every bad row named, nothing written before the commit."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest

from lms.accounts.models import AuditEvent
from lms.attendance.models import Modality, TrainingSession
from lms.attendance.sessions.importing import (
    ImportFileError,
    commit_sessions,
    preview_sessions,
)
from lms.extensions import db
from tests.attendance.support import (
    add_session,
    client_of,
    count_sessions,
    make_session_world,
    next_weekday,
    paris,
)
from tests.web.helpers import text

HEADER = "module;date;start;end;modality;place;link;trainers\n"
PLACE = "Tiers-lieu La Coursive, 8 rue de Paris, Lille"


@pytest.fixture
def world():
    return make_session_world()


def csv_of(*lines: str) -> bytes:
    return (HEADER + "\n".join(lines) + "\n").encode()


def good_lines(world, day: date) -> list[str]:
    both = f"{world.trainer.email};{world.other_trainer.email}"
    return [
        f"M2;{day.isoformat()};09:00;12:30;in_person;{PLACE};;{world.trainer.email}",
        f'M2;{day.strftime("%d/%m/%Y")};13h30;17:00;remote;;https://visio.example.org/m2;"{both}"',
    ]


def test_a_good_file_is_previewed_then_committed_with_one_digest_per_person(
    app, world, smtp_server
):
    day = next_weekday()
    data = csv_of(*good_lines(world, day))
    report = preview_sessions(world.cohort, data)
    assert report.counts == {"create": 2, "error": 0}
    assert count_sessions() == 0
    client = client_of(app, world.trainer)
    url = f"/manage/cohorts/{world.cohort.id}/sessions/import"
    page = client.post(url, data={"file": (io.BytesIO(data), "seances.csv")})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<dd data-count="create">2</dd>' in html
    assert count_sessions() == 0
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', html).group(1)
    response = client.post(f"{url}/commit", data={"key": key})
    assert response.status_code == 302
    sessions = db.session.scalars(db.select(TrainingSession).order_by(TrainingSession.starts_at))
    first, second = sessions.all()
    assert (first.starts_at, first.ends_at, first.place) == (
        paris(day, 9),
        paris(day, 12, 30),
        PLACE,
    )
    assert second.modality == Modality.REMOTE
    assert second.starts_at == paris(day, 13, 30)
    assert len(second.trainers) == 2
    # One message per learner and trainer, listing both sessions.
    assert len(smtp_server) == 4
    assert all(
        m["Subject"] == f"New sessions in your schedule ({world.cohort.name})" for m in smtp_server
    )
    assert "https://visio.example.org/m2" in smtp_server[0].get_content()
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="session.import"))
    assert event.after["created"] == 2
    # Posting the same key again finds nothing: no session twice.
    again = client.post(f"{url}/commit", data={"key": key}, follow_redirects=True)
    assert text(
        "This import has expired or does not exist; upload the file again."
    ) in again.get_data(as_text=True)
    assert count_sessions() == 2


def test_every_bad_row_is_named_with_its_line_and_problem(world):
    day = next_weekday()
    email = world.trainer.email
    iso = day.isoformat()
    lines = [
        f"M2;{iso};09:00;12:30;in_person;{PLACE};;{email}",  # 2: fine
        f"M9;{iso};14:00;15:00;in_person;{PLACE};;{email}",  # 3
        f"M2;31/02/2026;09:00;12:30;in_person;{PLACE};;{email}",  # 4
        f"M2;{iso};9 heures;12:30;in_person;{PLACE};;{email}",  # 5
        f"M2;{iso};14:00;13:00;in_person;{PLACE};;{email}",  # 6
        f"M2;{iso};14:00;15:00;hybride;{PLACE};;{email}",  # 7
        f"M2;{iso};14:00;15:00;in_person;;;{email}",  # 8
        f"M2;{iso};14:00;15:00;remote;;http://visio.example.org;{email}",  # 9
        f"M2;{iso};14:00;15:00;in_person;{PLACE};;{world.outsider_trainer.email}",  # 10
        f"M2;{iso};14:00;15:00;in_person;{PLACE};;",  # 11
        f"M2;{iso};11:00;13:00;in_person;{PLACE};;{email}",  # 12: overlaps line 2
        f"M2;{iso};14:00;15:00;in_person;Salle \u202eA;;{email}",  # 13
    ]
    report = preview_sessions(world.cohort, csv_of(*lines))
    reasons = {row.line: row.reason for row in report.rows}
    assert report.counts == {"create": 1, "error": 11}
    assert reasons[2] == ""
    assert reasons[3] == "unknown module “M9” in the cohort's path"
    assert reasons[4] == "bad date “31/02/2026” (2026-03-12 or 12/03/2026)"
    assert reasons[5] == "bad time “9 heures” (such as 09:00)"
    assert reasons[6] == "The session must end after it starts."
    assert reasons[7] == "unknown modality “hybride” (in_person or remote)"
    assert reasons[8] == "Give the place of an in-person session."
    assert reasons[9] == "The link must be a web address starting with https://."
    assert reasons[10] == f"not a trainer of this cohort: {world.outsider_trainer.email}"
    assert reasons[11] == "Choose at least one trainer of the cohort."
    assert reasons[12] == "overlaps the session of line 2"
    assert reasons[13] == "invisible or control characters: U+202E RIGHT-TO-LEFT OVERRIDE"
    assert count_sessions() == 0


def test_an_existing_session_is_an_overlap_too(world):
    day = next_weekday()
    add_session(world, day, start=(8, 0), end=(10, 0))
    report = preview_sessions(world.cohort, csv_of(good_lines(world, day)[0]))
    assert report.rows[0].reason.startswith(
        "Another session of the cohort takes place at that time"
    )


def test_the_commit_checks_the_file_again(app, world, smtp_server):
    day = next_weekday()
    data = csv_of(*good_lines(world, day))
    assert preview_sessions(world.cohort, data).counts == {"create": 2, "error": 0}
    add_session(world, day, start=(12, 0), end=(14, 0))  # planned meanwhile
    report = commit_sessions(world.cohort, data, world.trainer)
    db.session.commit()
    assert report.counts == {"create": 0, "error": 2}
    assert count_sessions() == 1
    assert db.session.scalar(db.select(AuditEvent).filter_by(action="session.import")) is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty: it needs a header row and sessions."),
        (
            b"module,date,start\nM2,2026-01-01,09:00\n",
            "The header row lacks the columns: end, modality, trainers.",
        ),
        (b"x" * (1024 * 1024 + 1), "The file is larger than 1 MB."),
        (
            (HEADER + "M2;2026-01-01;09:00;10:00;remote;;x;y\n" * 1001).encode(),
            "The file has more than 1000 rows.",
        ),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_whole(world, data, message):
    with pytest.raises(ImportFileError, match=re.escape(message)):
        preview_sessions(world.cohort, data)


def test_the_upload_page_shows_the_file_problem(app, world):
    client = client_of(app, world.trainer)
    url = f"/manage/cohorts/{world.cohort.id}/sessions/import"
    response = client.post(url, data={"file": (io.BytesIO(b"a;b\n1;2\n"), "x.csv")})
    assert response.status_code == 200
    assert text(
        "The header row lacks the columns: %(columns)s.",
        columns="module, date, start, end, modality, trainers",
    ) in response.get_data(as_text=True)
    assert count_sessions() == 0


def test_a_key_previewed_for_another_cohort_or_person_is_refused(app, world):
    day = next_weekday()
    data = csv_of(*good_lines(world, day))
    trainer = client_of(app, world.trainer)
    url = f"/manage/cohorts/{world.cohort.id}/sessions/import"
    html = trainer.post(url, data={"file": (io.BytesIO(data), "s.csv")}).get_data(as_text=True)
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', html).group(1)
    expired = text("This import has expired or does not exist; upload the file again.")
    # The administrator did not upload it.
    admin = client_of(app, world.admin)
    response = admin.post(f"{url}/commit", data={"key": key}, follow_redirects=True)
    assert expired in response.get_data(as_text=True)
    # Another cohort's import page does not find it either.
    other = world.extra["other"].cohort
    response = admin.post(
        f"/manage/cohorts/{other.id}/sessions/import/commit",
        data={"key": key},
        follow_redirects=True,
    )
    assert expired in response.get_data(as_text=True)
    response = trainer.post(f"{url}/commit", data={"key": "not a key"}, follow_redirects=True)
    assert expired in response.get_data(as_text=True)
    assert count_sessions() == 0


def test_past_sessions_are_imported_without_mail(app, world, smtp_server):
    day = date.today() - timedelta(days=14)
    report = commit_sessions(world.cohort, csv_of(*good_lines(world, day)), world.admin)
    db.session.commit()
    from lms.attendance.sessions.notify import notify_imported

    assert notify_imported(world.cohort, report.created) == 0
    assert count_sessions() == 2
    assert smtp_server == []
