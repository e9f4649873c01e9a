"""The rotating code: six digits, per sheet, current and previous step accepted, nothing stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lms.attendance.sheets import codes

MOMENT = datetime(2026, 12, 5, 9, 0, 10, tzinfo=UTC)


def test_a_code_is_six_digits_and_stable_within_its_step():
    code = codes.current_code(7, MOMENT)
    assert len(code) == 6
    assert code.isdigit()
    assert codes.current_code(7, MOMENT + timedelta(seconds=15)) == code


def test_the_code_changes_every_thirty_seconds_and_per_sheet():
    following = [codes.current_code(7, MOMENT + timedelta(seconds=30 * i)) for i in range(20)]
    assert len(set(following)) > 15
    assert codes.current_code(8, MOMENT) != codes.current_code(7, MOMENT)


def test_the_current_and_the_previous_code_are_accepted():
    now = MOMENT + timedelta(seconds=30)
    assert codes.code_matches(7, codes.current_code(7, now), now)
    assert codes.code_matches(7, codes.current_code(7, MOMENT), now)


def test_a_code_two_steps_old_is_refused():
    old = codes.current_code(7, MOMENT)
    assert not codes.code_matches(7, old, MOMENT + timedelta(seconds=60))


def test_another_sheets_code_and_malformed_codes_are_refused():
    assert not codes.code_matches(7, codes.current_code(8, MOMENT), MOMENT)
    for typed in ("", "12345", "1234567", "abcdef", "١٢٣٤٥٦", "12 34 5"):
        assert not codes.code_matches(7, typed, MOMENT)


def test_spaces_typed_inside_the_code_are_ignored():
    code = codes.current_code(7, MOMENT)
    assert codes.code_matches(7, f" {code[:3]} {code[3:]} ", MOMENT)


def test_the_code_depends_on_the_secret_key(app, monkeypatch):
    code = codes.current_code(7, MOMENT)
    monkeypatch.setitem(app.config, "SECRET_KEY", "another-secret-key-long-enough-0123456789")
    assert codes.current_code(7, MOMENT) != code


def test_seconds_left_counts_down_to_the_next_step():
    assert codes.seconds_left(MOMENT) == 20
    assert codes.seconds_left(MOMENT + timedelta(seconds=20)) == 30
