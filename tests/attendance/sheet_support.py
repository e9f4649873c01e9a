"""A session with its cohort, trainer, learners and sheet, and times around its signing window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from lms.attendance.models import AttendanceSheet, TrainingSession
from lms.attendance.sheets import codes
from lms.core.time import utcnow
from lms.extensions import db
from tests.factories import (
    MembershipFactory,
    TrainingSessionFactory,
    UserFactory,
)

FAKE_PDF = b"%PDF-1.7 sheet"


@dataclass
class SheetWorld:
    session: TrainingSession
    trainer: object
    learners: list
    sheet: AttendanceSheet

    @property
    def learner(self):
        return self.learners[0]

    def code(self, now: datetime | None = None) -> str:
        return codes.current_code(self.sheet.id, now or utcnow())


def sheet_world(learners: int = 2, *, starts_in: timedelta = timedelta(minutes=5), **session):
    """A session starting ``starts_in`` from now (signing open by default), its open sheet."""
    starts_at = (utcnow() + starts_in).replace(microsecond=0)
    training = TrainingSessionFactory(
        starts_at=starts_at, ends_at=starts_at + timedelta(hours=3, minutes=30), **session
    )
    trainer = UserFactory(display_name="Théo Formateur")
    MembershipFactory(user=trainer, cohort=training.cohort, trainer=True)
    training.trainers.append(trainer)
    people = [
        MembershipFactory(cohort=training.cohort, user__display_name=f"Apprenant·e {i:03d}").user
        for i in range(learners)
    ]
    sheet = AttendanceSheet(session=training)
    db.session.add(sheet)
    db.session.commit()
    return SheetWorld(training, trainer, people, sheet)


def mark_closed(world: SheetWorld) -> None:
    """Close the sheet in the database only (no records, no PDF): for refusals on closed sheets."""
    trainer_id, starts_at = world.trainer.id, world.session.starts_at
    with db.session.no_autoflush:
        world.sheet.state, world.sheet.closed_by_id = "closed", trainer_id
        world.sheet.closed_at = starts_at
    db.session.commit()


def security_world_sheets(bien_vivre, other, users) -> dict:
    """For the world's cohort and the other one: a session whose sheet is open for signing, and
    a session whose sheet is closed with a stored PDF version, on which a learner (learner A,
    the other cohort's learner) is excused with a stored supporting file."""
    from lms.attendance.models import (
        AttendanceRecord,
        AttendanceSheetDocument,
        AttendanceStatus,
        RecordedBy,
        SheetState,
    )
    from lms.attendance.sheets.document import sheets_folder
    from lms.attendance.sheets.supporting import supporting_folder
    from lms.core import storage

    found = {}
    for prefix, built, learner in (
        ("", bien_vivre, "learner_a"),
        ("other_", other, "other_learner"),
    ):
        starts_at = (utcnow() + timedelta(minutes=5)).replace(microsecond=0)
        module = built.modules["M1"]
        open_session = TrainingSessionFactory(
            cohort=built.cohort,
            module=module,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=3),
        )
        sheet = AttendanceSheet(session=open_session)
        db.session.add(sheet)
        closed_session = TrainingSessionFactory(cohort=built.cohort, module=module)
        closer = users["admin"]
        closed = AttendanceSheet(
            session=closed_session,
            state=SheetState.CLOSED,
            closed_at=utcnow(),
            closed_by=closer,
        )
        db.session.add(closed)
        db.session.flush()
        stored = storage.store_bytes(sheets_folder(), FAKE_PDF)
        document = AttendanceSheetDocument(
            sheet=closed,
            version=1,
            storage_key=stored.key,
            sha256=stored.sha256,
            size=stored.size,
            created_by=closer,
        )
        db.session.add(document)
        supporting = storage.store_bytes(supporting_folder(), FAKE_PDF)
        excused = AttendanceRecord(
            sheet=closed,
            learner=users[learner],
            status=AttendanceStatus.EXCUSED,
            recorded_by=RecordedBy.TRAINER,
            recorder=closer,
            recorded_at=closed_session.starts_at,
            reason="Arrêt maladie",
            file_key=supporting.key,
            file_name="arret-maladie.pdf",
            file_sha256=supporting.sha256,
        )
        db.session.add(excused)
        found.update(
            {
                f"{prefix}training_session": open_session,
                f"{prefix}sheet": sheet,
                f"{prefix}closed_session": closed_session,
                f"{prefix}sheet_document": document,
                f"{prefix}excused_record": excused,
            }
        )
    db.session.commit()
    return found


def live_world_sheets(cohort, module, trainers, learners, now) -> dict[str, int]:
    """For the browser tests: two sessions of ``cohort`` open for signing (the sweep's, the
    journey's) and a closed one with a stored PDF version; return their ids."""
    from lms.attendance.models import (
        AttendanceRecord,
        AttendanceSheetDocument,
        AttendanceStatus,
        RecordedBy,
        SheetState,
    )
    from lms.attendance.sheets.document import sheets_folder
    from lms.core import storage

    ids = {}
    starts_at = (now + timedelta(minutes=10)).replace(second=0, microsecond=0)
    for name, start in (
        ("open", starts_at),
        ("journey", starts_at + timedelta(minutes=5)),
        ("closed", starts_at - timedelta(days=1)),
    ):
        session = TrainingSession(
            cohort=cohort,
            module=module,
            starts_at=start,
            ends_at=start + timedelta(hours=3, minutes=30),
            modality="in_person",
            place="Tiers-lieu La Fabrique, 12 rue des Arts, Lille",
            trainers=list(trainers),
        )
        sheet = AttendanceSheet(session=session)
        db.session.add(sheet)
        if name == "closed":
            sheet.state, sheet.closed_at, sheet.closed_by = SheetState.CLOSED, start, trainers[0]
            for index, learner in enumerate(learners):
                db.session.add(
                    AttendanceRecord(
                        sheet=sheet,
                        learner=learner,
                        status=AttendanceStatus.PRESENT if index else AttendanceStatus.ABSENT,
                        recorded_by=RecordedBy.CODE if index else RecordedBy.TRAINER,
                        recorder=None if index else trainers[0],
                        recorded_at=start,
                    )
                )
            stored = storage.store_bytes(sheets_folder(), FAKE_PDF)
            db.session.add(
                AttendanceSheetDocument(
                    sheet=sheet,
                    version=1,
                    storage_key=stored.key,
                    sha256=stored.sha256,
                    size=stored.size,
                    created_at=start,
                    created_by=trainers[0],
                )
            )
        db.session.flush()
        ids[f"{name}_session"], ids[f"{name}_sheet"] = session.id, sheet.id
    return ids
