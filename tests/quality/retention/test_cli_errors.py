"""``lms purge`` and ``lms cohort-retention`` refuse bad input with a message naming it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from lms import create_app
from lms.config import ConfigError
from tests.factories import CohortFactory


def test_a_date_that_is_not_one_is_refused(runner):
    result = runner.invoke(args=["purge", "--dry-run", "--as-of", "2031-02-30"])
    assert result.exit_code == 2
    assert "'2031-02-30' is not a date like 2031-01-15" in result.output


def test_only_a_dry_run_may_look_ahead(runner):
    later = (date.today() + timedelta(days=400)).isoformat()
    result = runner.invoke(args=["purge", "--as-of", later])
    assert result.exit_code == 2
    assert f"--as-of {later} is after today" in result.output
    assert "only a dry run may look ahead" in result.output
    assert runner.invoke(args=["purge", "--dry-run", "--as-of", later]).exit_code == 0


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("RETENTION_EVIDENCE_YEARS", 0, "LMS_RETENTION_EVIDENCE_YEARS must be between 1 and 50"),
        ("RETENTION_SURVEY_YEARS", 51, "LMS_RETENTION_SURVEY_YEARS must be between 1 and 50"),
        ("RETENTION_EVIDENCE_YEARS", "six", "must be a whole number of years, not 'six'"),
        ("RETENTION_SURVEY_YEARS", True, "must be a whole number of years, not True"),
    ],
)
def test_bad_retention_settings_stop_the_start(tmp_path, key, value, message):
    with pytest.raises(ConfigError, match=message):
        create_app({"INSTANCE_PATH": str(tmp_path), key: value})


def test_a_setting_from_the_environment_is_read(tmp_path, monkeypatch):
    monkeypatch.setenv("LMS_RETENTION_EVIDENCE_YEARS", "10")
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["RETENTION_EVIDENCE_YEARS"] == 10


def test_a_cohort_period_needs_a_known_cohort_and_one_choice(runner):
    CohortFactory(name="Promotion Lyon")
    unknown = runner.invoke(args=["cohort-retention", "Promotion Lille", "10"])
    assert unknown.exit_code == 2
    assert "no cohort is named 'Promotion Lille'" in unknown.output
    both = runner.invoke(args=["cohort-retention", "Promotion Lyon", "10", "--default"])
    assert both.exit_code == 2
    assert "give a number of years (1 to 50) or --default, not both" in both.output
    neither = runner.invoke(args=["cohort-retention", "Promotion Lyon"])
    assert neither.exit_code == 2
    too_many = runner.invoke(args=["cohort-retention", "Promotion Lyon", "60"])
    assert too_many.exit_code == 2
    assert "60 is not in the range 1<=x<=50" in too_many.output
    back = runner.invoke(args=["cohort-retention", "Promotion Lyon", "--default"])
    assert back.exit_code == 0
    assert "6 years, the setting" in back.output
