"""``lms check-storage`` on the juries' minutes: rows without files, files without rows, changed
files, and a closing that fails after its PDF is written (fault injection, SECURITY.md H33)."""

from __future__ import annotations

import pytest

from lms.certificates.jury import closing
from lms.certificates.jury.closing import close_jury
from lms.certificates.jury.minutes_store import minutes_folder
from lms.certificates.jury.models import JuryMinutes, JuryState
from lms.core import storage
from lms.extensions import db
from tests.certificates.jury.support import JuryWorld, voted_jury_world
from tests.stores import empty_file_stores


@pytest.fixture
def world(app):
    """A jury whose every member voted, and an empty uploads folder (the check reads it too)."""
    empty_file_stores()
    world = voted_jury_world()
    yield world
    empty_file_stores()


def closed(world: JuryWorld) -> JuryMinutes:
    _decisions, minutes = close_jury(world.president, world.jury)
    db.session.commit()
    return minutes


def check(runner, *options):
    return runner.invoke(args=["check-storage", *options])


def test_closed_minutes_are_counted_and_consistent(world, runner):
    closed(world)

    result = check(runner)

    assert result.exit_code == 0, result.output
    assert "minutes: 1 files, 1 rows" in result.output
    assert "0 problems found, 0 remaining" in result.output


def test_a_failure_after_the_minutes_pdf_is_written_leaves_a_file_fix_removes(
    world, runner, monkeypatch
):
    def audit_down(*args, **kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(closing, "record_audit_event", audit_down)
    with pytest.raises(RuntimeError):
        close_jury(world.president, world.jury)
    db.session.rollback()
    monkeypatch.undo()
    [orphan] = storage.stored_keys(minutes_folder())
    assert db.session.scalar(db.select(db.func.count(JuryMinutes.id))) == 0
    db.session.refresh(world.jury)
    assert world.jury.state == JuryState.OPEN  # the closing rolled back as a whole

    reported = check(runner)
    assert reported.exit_code == 1
    assert f"PROBLEM minutes orphan-file: file {orphan}" in reported.output

    fixed = check(runner, "--fix")
    assert fixed.exit_code == 0, fixed.output
    assert f"fixed minutes orphan-file: file {orphan}" in fixed.output
    assert storage.stored_keys(minutes_folder()) == set()
    again = check(runner, "--fix")
    assert "0 problems found, 0 remaining" in again.output

    minutes = closed(world)  # the president closes again: one file, one row
    assert storage.stored_keys(minutes_folder()) == {minutes.storage_key}


def test_lost_and_changed_minutes_are_reported_and_kept(world, runner):
    first = closed(world)
    path = storage.stored_path(minutes_folder(), first.storage_key)
    path.write_bytes(path.read_bytes() + b"%tampered")
    lost = JuryMinutes(
        jury=world.jury, version=2, pdf_sha256="0" * 64, pdf_size=1, storage_key="f" * 32
    )
    db.session.add(lost)
    db.session.commit()
    leftover = path.parent / f"{storage.TEMPORARY_PREFIX}abc123"
    leftover.write_bytes(b"half a PDF")

    result = check(runner, "--fix")

    assert result.exit_code == 1
    assert (
        f"PROBLEM minutes hash-mismatch: minutes {first.id} (jury {world.jury.id})" in result.output
    )
    assert f"PROBLEM minutes missing-file: minutes {lost.id} (jury {world.jury.id}, version 2)" in (
        result.output
    )
    assert "fixed minutes temporary-file" in result.output
    assert path.exists()  # kept as evidence
    assert not leftover.exists()
    assert db.session.get(JuryMinutes, lost.id) is not None  # rows are never deleted
