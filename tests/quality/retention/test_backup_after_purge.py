"""The backup and restore drill after a purge: the restored instance has the purged rows, the
remaining files and a certificate that still verifies (tests/test_backup.py's checks)."""

from __future__ import annotations

import shutil
from pathlib import Path

from lms.extensions import db
from lms.operations import database, files
from tests.quality.retention.world import build_world
from tests.test_backup import (  # noqa: F401  fixtures
    certificate_verifies,
    make_target,
    restore_url,
    run_backup,
    run_restore,
    stamped,
    table_rows,
)


def test_purge_back_up_restore_and_verify(app, stamped, make_target, runner, tmp_path):  # noqa: F811
    instance = Path(app.instance_path)
    for folder in files.storage_folders(instance):  # earlier tests' files are not this test's
        shutil.rmtree(instance / folder)
    world = build_world()
    purged = runner.invoke(args=["purge"])
    assert purged.exit_code == 0, purged.output
    with db.engine.connect() as connection:
        source_rows = database.database_rows(connection)
        tables = {name: table_rows(connection, name) for name in source_rows}

    backup = run_backup(app, tmp_path / "backup")
    assert backup.exit_code == 0, backup.output
    target = make_target()
    restored = run_restore(target, tmp_path / "backup")

    assert restored.exit_code == 0, restored.output
    assert "row counts match the manifest" in restored.output
    with target.app_context():
        with db.engine.connect() as connection:
            assert {name: table_rows(connection, name) for name in source_rows} == tables
        assert certificate_verifies(target, world.certificate_code)
        again = target.test_cli_runner().invoke(args=["purge", "--dry-run"])
        assert "purge: 0 changes due" in again.output
