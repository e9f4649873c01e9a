"""A cohort with sessions, closed sheets and records, and the training organisation's settings.

``make_realisation_world()`` builds on the certificate world (tests/certificates/helpers.py):

- three past sessions of M1 on closed sheets: 3 h 30 ten days ago, 4 h five days ago, 2 h
  two days ago; a fourth session yesterday whose sheet is still open (it counts for nobody);
- module M1 credits 2 remote hours once completed;
- Anna (OPCO): present, late, present, and M1 completed: 3 h 30 + 4 h + 2 h + 2 h remote =
  11 h 30 realised, 2 h remote; present on the open sheet too (not counted);
- Bruno (CPF): present, absent, no record: 3 h 30;
- Chloé (OPCO): excused, present, present: 6 h;
- Dan (no funder recorded): nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from lms.accounts.models import User
from lms.attendance.models import ModuleAttendance, TrainingSession
from lms.certificates.realisation.models import RealisationRecord
from lms.cohorts.models import Funder, Membership
from lms.core import storage
from lms.core.time import utcnow
from lms.extensions import db
from tests.certificates.helpers import CertificateWorld, make_certificate_world
from tests.factories import (
    AttendanceRecordFactory,
    AttendanceSheetFactory,
    TrainingSessionFactory,
)

SETTINGS = {
    "TRAINING_ORGANISATION_NAME": "Institut des Territoires du Bien-Vivre",
    "TRAINING_ORGANISATION_NDA": "84 69 1234569",
    "TRAINING_ORGANISATION_SIRET": "987 654 321 00015",
    "TRAINING_ORGANISATION_ADDRESS": "12 rue des Canuts, 69004 Lyon",
    "TRAINING_ORGANISATION_REPRESENTATIVE_NAME": "Claire Martin",
    "TRAINING_ORGANISATION_REPRESENTATIVE_TITLE": "Directrice générale",
    "TRAINING_ORGANISATION_PLACE": "Lyon",
}
# Minutes realised by each learner (attended + remote), and remote minutes, as of today.
EXPECTED = {
    "anna": (210 + 240 + 120 + 120, 120),
    "bruno": (210, 0),
    "chloe": (240 + 120, 0),
    "dan": (0, 0),
}


@dataclass
class RealisationWorld:
    certificates: CertificateWorld
    learners: dict[str, User] = field(default_factory=dict)
    sessions: list[TrainingSession] = field(default_factory=list)

    @property
    def cohort(self):
        return self.certificates.cohort

    @property
    def admin(self) -> User:
        return self.certificates.admin

    @property
    def trainer(self) -> User:
        return self.certificates.trainer


def _session(world: CertificateWorld, days_ago: int, hour: int, minutes: int, closed: bool):
    day = (datetime.now(UTC) - timedelta(days=days_ago)).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )
    session = TrainingSessionFactory(
        cohort=world.cohort,
        module=world.built.modules["M1"],
        starts_at=day,
        ends_at=day + timedelta(minutes=minutes),
    )
    sheet = AttendanceSheetFactory(session=session, closed=closed)
    if closed:
        sheet.closed_by = world.trainer
    return session, sheet


def make_realisation_world(**learner_fields) -> RealisationWorld:
    """Create the world of the module docstring."""
    certificates = make_certificate_world()
    world = RealisationWorld(certificates)
    names = {
        "anna": "Anna Arnaud",
        "bruno": "Bruno Bayle",
        "chloe": "Chloé Caron",
        "dan": "Dan Durand",
    }
    funders = {"anna": Funder.OPCO, "bruno": Funder.CPF, "chloe": Funder.OPCO, "dan": None}
    for slug, name in names.items():
        fields = {"locale": "fr", **learner_fields.get(slug, {})}
        user = certificates.enrol(display_name=name, **fields)
        membership = db.session.scalar(
            db.select(Membership).filter_by(user_id=user.id, cohort_id=certificates.cohort.id)
        )
        membership.funder = funders[slug]
        world.learners[slug] = user
    db.session.add(ModuleAttendance(module=certificates.built.modules["M1"], remote_hours=2))
    certificates.built.complete_modules(world.learners["anna"], ["M1"])
    statuses = {
        # days ago, hour (UTC), minutes: each learner's record (None: no record)
        (10, 8, 210): {"anna": "present", "bruno": "present", "chloe": "excused"},
        (5, 12, 240): {"anna": "late", "bruno": "absent", "chloe": "present"},
        (2, 8, 120): {"anna": "present", "chloe": "present"},
    }
    for (days, hour, minutes), records in statuses.items():
        session, sheet = _session(certificates, days, hour, minutes, closed=True)
        world.sessions.append(session)
        for slug, status in records.items():
            traits = {} if status == "present" else {status: True}
            AttendanceRecordFactory(sheet=sheet, learner=world.learners[slug], **traits)
    session, sheet = _session(certificates, 1, 8, 180, closed=False)
    AttendanceRecordFactory(sheet=sheet, learner=world.learners["anna"])
    world.sessions.append(session)
    db.session.commit()
    return world


def stored_record(learner: User, cohort, pdf: bytes = b"%PDF-1.7\n%%EOF\n", **fields):
    """Record a produced document for ``learner`` with ``pdf`` stored (no rendering)."""
    from lms.certificates.realisation.services import realisation_folder

    stored = storage.store_bytes(realisation_folder(), pdf)
    today = utcnow().date()
    version = 1 + (
        db.session.scalar(
            db.select(db.func.max(RealisationRecord.version)).filter_by(learner_id=learner.id)
        )
        or 0
    )
    values = {
        "kind": "realisation",
        "learner": learner,
        "cohort": cohort,
        "version": version,
        "reference": f"CR-{cohort.id}-{learner.id}-{version}",
        "as_of": today,
        "starts_on": cohort.starts_on,
        "ends_on": today,
        "realised_minutes": 600,
        "remote_minutes": 60,
        "document": {},
        "storage_key": stored.key,
        "sha256": stored.sha256,
        "size": stored.size,
        "template_version": "test",
        **fields,
    }
    record = RealisationRecord(**values)
    db.session.add(record)
    db.session.commit()
    return record


def security_world_realisation(bien_vivre, other, users) -> dict:
    """Return learner A's stored certificat de réalisation and the other cohort's learner's."""
    return {
        "realisation_record": stored_record(users["learner_a"], bien_vivre.cohort),
        "other_realisation_record": stored_record(users["other_learner"], other.cohort),
    }
