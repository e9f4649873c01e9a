"""``lms check-storage`` checks the dossiers' archives too (through ``stored_documents``)."""

from __future__ import annotations

import pytest

from lms.core import storage
from lms.quality.dossiers.store import dossier_folder
from tests.factories import CohortFactory, MembershipFactory, UserFactory
from tests.quality.dossiers.support import ready_dossier
from tests.stores import empty_file_stores


@pytest.fixture
def dossier(app):
    """A ready dossier of a learner, its archive stored."""
    empty_file_stores()
    learner = UserFactory(display_name="Inès Dubois")
    cohort = CohortFactory()
    MembershipFactory(user=learner, cohort=cohort)
    yield ready_dossier(learner, cohort, b"PK\x05\x06" + bytes(18))
    empty_file_stores()


def check(runner, *options):
    return runner.invoke(args=["check-storage", *options])


def test_a_stored_dossier_is_counted_and_consistent(dossier, runner):
    result = check(runner)

    assert result.exit_code == 0, result.output
    assert "dossiers: 1 files, 1 rows" in result.output
    assert "0 problems found, 0 remaining" in result.output


def test_a_lost_or_changed_archive_is_reported_and_a_leftover_removed(dossier, runner):
    path = storage.stored_path(dossier_folder(), dossier.storage_key)
    path.write_bytes(path.read_bytes() + b"tampered")
    leftover = storage.store_bytes(dossier_folder(), b"an archive no row names")
    leftover_path = storage.stored_path(dossier_folder(), leftover.key)

    result = check(runner, "--fix")

    assert result.exit_code == 1  # the changed archive stays, as evidence
    subject = f"dossier {dossier.id} (learner {dossier.learner_id}, version 1)"
    assert f"PROBLEM dossiers hash-mismatch: {subject}" in result.output
    assert "fixed dossiers orphan-file" in result.output
    assert not leftover_path.exists()
    assert path.exists()

    path.unlink()
    result = check(runner)

    assert result.exit_code == 1
    assert f"PROBLEM dossiers missing-file: {subject}" in result.output
