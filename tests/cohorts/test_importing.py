"""The CSV import of learners: reading files, previewing, committing idempotently."""

from __future__ import annotations

import pytest
from flask_babel import gettext

from lms.accounts.models import AuditEvent, PasswordToken, User
from lms.cohorts.access import is_learner_of
from lms.cohorts.importing import (
    MAX_IMPORT_BYTES,
    MAX_IMPORT_ROWS,
    ImportFileError,
    commit_import,
    load_upload,
    preview_import,
    read_rows,
    stash_upload,
)
from lms.cohorts.models import CohortState, Membership, MembershipRole
from lms.extensions import db
from tests.factories import CohortFactory, MembershipFactory, UserFactory

HEADER = "email,display_name,cohort,locale\n"


def csv_bytes(*lines: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    """Return a CSV file made of the header and ``lines``."""
    return (header + "".join(line + "\n" for line in lines)).encode(encoding)


def statuses(report) -> list[tuple[str, str, str]]:
    """Return (e-mail, status, reason) for every row of a report, in file order."""
    return [(row.email, str(row.status), row.reason) for row in report.rows]


def count(model) -> int:
    """Count the rows of a table."""
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_reads_utf8_with_a_byte_order_mark_and_semicolons():
    data = "\ufeffemail;display_name;cohort\nzoe@example.org;Zoé Durand;Promo\n".encode()
    (row,) = read_rows(data)
    assert (row.email, row.display_name, row.cohort_name, row.locale) == (
        "zoe@example.org",
        "Zoé Durand",
        "Promo",
        "fr",
    )


def test_reads_latin1_files_as_excel_writes_them():
    data = csv_bytes("zoe@example.org,Zoé Hélène,Promo été,en", encoding="cp1252")
    (row,) = read_rows(data)
    assert (row.display_name, row.cohort_name, row.locale) == ("Zoé Hélène", "Promo été", "en")


def test_reads_quoted_commas_and_skips_blank_lines():
    data = csv_bytes('"zoe@example.org","Durand, Zoé",Promo', "", " , , ")
    (row,) = read_rows(data)
    assert row.display_name == "Durand, Zoé"


def test_header_columns_are_required():
    with pytest.raises(ImportFileError) as refused:
        read_rows(b"email,name\nzoe@example.org,Zoe\n")
    assert str(refused.value) == gettext(
        "The header row lacks the columns: %(columns)s.", columns="display_name, cohort"
    )


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"\n\n"])
def test_empty_files_are_refused(data):
    with pytest.raises(ImportFileError):
        read_rows(data)


def test_oversize_and_overlong_files_are_refused():
    with pytest.raises(ImportFileError, match=str(MAX_IMPORT_BYTES // (1024 * 1024))):
        read_rows(b"x" * (MAX_IMPORT_BYTES + 1))
    lines = [f"user{n}@example.org,User {n},Promo" for n in range(MAX_IMPORT_ROWS + 1)]
    with pytest.raises(ImportFileError, match=f"{MAX_IMPORT_ROWS}"):
        read_rows(csv_bytes(*lines))


def test_preview_gives_every_row_a_status_and_writes_nothing():
    cohort = CohortFactory(name="Promo", capacity=3)
    archived = CohortFactory(name="Ancienne", state=CohortState.ARCHIVED)
    enrolled = MembershipFactory(cohort=cohort).user
    existing = UserFactory()
    trainer = MembershipFactory(cohort=cohort, trainer=True).user
    data = csv_bytes(
        "new@example.org,Nouvelle Personne,Promo,fr",
        f"{existing.email.upper()},Existing,Promo,",
        f"{enrolled.email},Enrolled,Promo,",
        f"{trainer.email},Trainer,Promo,",
        "NEW@example.org,Twice,Promo,",
        "bad-address,Bad,Promo,",
        "nameless@example.org,,Promo,",
        f"long@example.org,{'x' * 121},Promo,",
        "nowhere@example.org,Nowhere,Inconnue,",
        "old@example.org,Old,Ancienne,",
        "lang@example.org,Lang,Promo,de",
        "full@example.org,Full,Promo,",
    )
    actor = UserFactory(admin=True)
    before = (count(User), count(Membership))
    report = preview_import(data, actor)
    assert statuses(report) == [
        ("new@example.org", "create", ""),
        (existing.email, "enrol", ""),
        (enrolled.email, "skip", gettext("already enrolled")),
        (trainer.email, "error", gettext("is a trainer of this cohort")),
        ("new@example.org", "error", gettext("duplicate in the file (line %(line)d)", line=2)),
        ("bad-address", "error", gettext("bad e-mail address")),
        ("nameless@example.org", "error", gettext("missing name")),
        ("long@example.org", "error", gettext("name too long (120 characters at most)")),
        ("nowhere@example.org", "error", gettext("unknown cohort “%(name)s”", name="Inconnue")),
        (
            "old@example.org",
            "error",
            gettext("the cohort “%(name)s” is archived", name=archived.name),
        ),
        ("lang@example.org", "error", gettext("unknown language (fr or en)")),
        ("full@example.org", "error", gettext("over capacity (%(capacity)d learners)", capacity=3)),
    ]
    assert report.counts == {"create": 1, "enrol": 1, "skip": 1, "error": 9}
    assert (count(User), count(Membership)) == before


def test_commit_creates_accounts_enrols_and_invites_the_new_people(app, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", "https://lms.example.org")
    actor = UserFactory(admin=True)
    cohort = CohortFactory(name="Promo")
    existing = UserFactory()
    data = csv_bytes("zoe@example.org,Zoé Durand,Promo,en", f"{existing.email},X,Promo,")
    report = commit_import(data, actor)
    db.session.commit()
    assert report.counts == {"create": 1, "enrol": 1, "skip": 0, "error": 0}
    zoe = db.session.scalar(db.select(User).filter_by(email="zoe@example.org"))
    assert (zoe.display_name, zoe.locale, zoe.password_hash) == ("Zoé Durand", "en", None)
    assert is_learner_of(zoe, cohort)
    assert is_learner_of(existing, cohort)
    assert db.session.scalars(db.select(PasswordToken.user_id)).all() == [zoe.id]
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="cohort.import"))
    assert (event.object_id, event.after) == (
        str(cohort.id),
        {"enrolled": 2, "accounts_created": 1},
    )


def bulk_file(cohort_name: str) -> tuple[bytes, dict[int, str]]:
    """Return a 500-row file with 20 bad rows, and the line -> reason of the bad ones."""
    lines, bad = [], {}
    reasons = [
        ("not-an-address", "Bad Address", cohort_name, gettext("bad e-mail address")),
        ("learner7@example.org", "Again", cohort_name, "duplicate"),
        ("x{n}@example.org", "Lost", "Promotion inconnue", "unknown"),
        ("y{n}@example.org", "", cohort_name, gettext("missing name")),
        (
            "z{n}@example.org",
            "N" * 130,
            cohort_name,
            gettext("name too long (120 characters at most)"),
        ),
    ]
    for number in range(500):
        line = number + 2
        if number % 25 == 24:  # 20 bad rows, spread over the file
            email, name, cohort, reason = reasons[(number // 25) % len(reasons)]
            lines.append(f"{email.format(n=number)},{name},{cohort},fr")
            bad[line] = reason
        else:
            lines.append(f"learner{number}@example.org,Learner {number},{cohort_name},fr")
    return csv_bytes(*lines), bad


def test_acceptance_500_rows_with_20_bad_ones(monkeypatch):
    invited = []
    monkeypatch.setattr(
        "lms.accounts.tokens.send_invitation", lambda user, **kw: invited.append(user)
    )
    actor = UserFactory(admin=True)
    CohortFactory(name="Promotion 2026", capacity=1000)
    data, bad = bulk_file("Promotion 2026")
    preview = preview_import(data, actor)
    assert {row.line for row in preview.errors} == set(bad)
    for row in preview.errors:
        expected = bad[row.line]
        if expected == "duplicate":
            assert row.reason == gettext("duplicate in the file (line %(line)d)", line=9)
        elif expected == "unknown":
            assert row.reason == gettext("unknown cohort “%(name)s”", name="Promotion inconnue")
        else:
            assert row.reason == expected
    assert count(User) == 1
    report = commit_import(data, actor)
    db.session.commit()
    assert report.counts == {"create": 480, "enrol": 0, "skip": 0, "error": 20}
    assert (count(User), count(Membership), len(invited)) == (481, 480, 480)
    again = commit_import(data, actor)
    db.session.commit()
    assert again.counts == {"create": 0, "enrol": 0, "skip": 480, "error": 20}
    assert (count(User), count(Membership), len(invited)) == (481, 480, 480)


def test_preview_makes_few_queries_however_many_rows(query_counter):
    CohortFactory(name="Promotion 2026", capacity=None)
    data, _bad = bulk_file("Promotion 2026")
    actor = UserFactory(admin=True)
    with query_counter as queries:
        preview_import(data, actor)
    assert queries.count <= 6


def test_stashed_upload_comes_back_only_for_its_administrator(app, tmp_path):
    owner, other = UserFactory(admin=True), UserFactory(admin=True)
    key = stash_upload(tmp_path, b"email,display_name,cohort\n", owner)
    assert load_upload(tmp_path, key, owner) == b"email,display_name,cohort\n"
    for actor, wanted in [(other, key), (owner, "../../etc/passwd"), (owner, "x" * 32)]:
        with pytest.raises(ImportFileError):
            load_upload(tmp_path, wanted, actor)


def test_stashed_upload_changed_on_disk_is_refused(tmp_path):
    owner = UserFactory(admin=True)
    key = stash_upload(tmp_path, b"email,display_name,cohort\n", owner)
    (tmp_path / f"{key}.csv").write_bytes(b"email,display_name,cohort\nevil@example.org,E,P\n")
    with pytest.raises(ImportFileError):
        load_upload(tmp_path, key, owner)


def test_trainer_rows_are_not_enrolled_as_learners(monkeypatch):
    monkeypatch.setattr("lms.accounts.tokens.send_invitation", lambda user, **kw: None)
    cohort = CohortFactory(name="Promo")
    trainer = MembershipFactory(cohort=cohort, trainer=True).user
    commit_import(csv_bytes(f"{trainer.email},T,Promo,fr"), UserFactory(admin=True))
    db.session.commit()
    assert cohort.role_of(trainer) == MembershipRole.TRAINER
