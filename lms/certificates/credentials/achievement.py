"""What a certificate's Open Badges 3.0 credential says, built from plain values.

A path certificate is one ``Achievement`` of type ``Certificate``; a block attestation one of
type ``ext:BlocDeCompetences`` (a « bloc de compétences » is a certified part of the
qualification, several competencies assessed together: Open Badges' ``Competency`` would name
one competency). The achievement aligns with each competency it certifies (``ceasn:Competency``),
describes each as a result on the path's scale (``PerformanceLevel``: the scale's labels, low to
high, and the level required), and the subject's ``result`` gives the level reached, as the PDF
prints it.

The app has no public page per competency, so achievements, competencies and result
descriptions are named by ``urn:uuid:`` identifiers derived (UUID version 5) from the issuer's
address and the path's code, version, block and competency codes: the same competency keeps the
same identifier in every credential, and a new version of the path gives new ones.

The credential is in French (``inLanguage`` ``fr``) whatever the language of the person who
issues it, as the certificate is: its sentences are written here, not translated. Every string
goes through ``typeset`` (no control or bidirectional character, ’ as the PDF prints it).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from lms.certificates.credentials.profile import OB_CONTEXT, VC_CONTEXT
from lms.certificates.document import CertificateDocument, CertificateKind
from lms.certificates.typesetting import typeset
from lms.core.dataintegrity import xsd_datetime

CREDENTIAL_TYPES = ["VerifiableCredential", "OpenBadgeCredential"]
SCHEMA_ID = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
SCHEMA_TYPE = "1EdTechJsonSchemaValidator2019"
PATH_ACHIEVEMENT_TYPE = "Certificate"
BLOCK_ACHIEVEMENT_TYPE = "ext:BlocDeCompetences"
COMPETENCY_TARGET_TYPE = "ceasn:Competency"
RESULT_TYPE = "PerformanceLevel"
LANGUAGE = "fr"


@dataclass(frozen=True)
class CompetencyFacts:
    """What the credential says of a competency beyond the document's line: its description."""

    code: str
    description: str


@dataclass(frozen=True)
class CredentialFacts:
    """Everything a credential states, read at issuance; the builder reads nothing else."""

    document: CertificateDocument
    credential_url: str
    issuer: dict[str, Any]
    issued_at: datetime
    learner_email: str
    salt: str
    path_code: str
    path_description: str
    scale: tuple[str, ...]  # the labels of the path's levels, by value (0 first)
    competencies: tuple[CompetencyFacts, ...]
    block_evaluation: str  # how the block is assessed ("" for a path certificate)
    module_codes: tuple[str, ...]  # the modules the achievement covers (hours and dates)
    decided_by_jury: bool
    status_list_url: str
    status_index: int
    timezone: str = "Europe/Paris"


def identity_hash(email: str, salt: str) -> str:
    """Return Open Badges' salted hash of an e-mail address: ``sha256$`` + hex."""
    return "sha256$" + hashlib.sha256((email + salt).encode()).hexdigest()


def derived_id(issuer_url: str, *names: object) -> str:
    """Return a stable ``urn:uuid:`` for what the names designate under this issuer."""
    name = "/".join([issuer_url.rstrip("/"), *(str(part) for part in names)])
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def _clean(value: Any) -> Any:
    """Return the value with every string ``typeset`` (safe for XML, JSON and print)."""
    if isinstance(value, str):
        return typeset(value)
    if isinstance(value, list):
        return [_clean(item) for item in value]
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    return value


def build_credential(facts: CredentialFacts) -> dict[str, Any]:
    """Return the unsigned ``OpenBadgeCredential`` of a certificate."""
    document = facts.document
    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "identityType": "emailAddress",
                "hashed": True,
                "salt": facts.salt,
                "identityHash": identity_hash(facts.learner_email, facts.salt),
            },
            {
                "type": "IdentityObject",
                "identityType": "name",
                "hashed": False,
                "identityHash": document.learner_name,
            },
        ],
        "achievement": _achievement(facts),
        "result": _results(facts),
    }
    subject.update(_activity_dates(facts))
    credential = {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": facts.credential_url,
        "type": list(CREDENTIAL_TYPES),
        "issuer": facts.issuer,
        "validFrom": xsd_datetime(facts.issued_at),
        "name": _credential_name(document),
        "description": _credential_description(document),
        "credentialSubject": subject,
        "credentialStatus": {
            "id": f"{facts.status_list_url}#{facts.status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(facts.status_index),
            "statusListCredential": facts.status_list_url,
        },
        "credentialSchema": [{"id": SCHEMA_ID, "type": SCHEMA_TYPE}],
    }
    return _clean(credential)


def _credential_name(document: CertificateDocument) -> str:
    if document.kind == CertificateKind.BLOCK:
        block = document.blocks[0]
        return f"Attestation du bloc {block.code} — {block.title}"
    return f"Certificat — {document.path_title}"


def _credential_description(document: CertificateDocument) -> str:
    what = "Attestation" if document.kind == CertificateKind.BLOCK else "Certificat"
    return (
        f"{what} n° {document.number} du parcours certifiant « {document.path_title} » "
        f"(version {document.path_version}), délivré par {document.organisation} "
        f"le {document.issued_on:%d/%m/%Y}. Vérification : {document.verification_url}"
    )


def _achievement(facts: CredentialFacts) -> dict[str, Any]:
    document, issuer_url = facts.document, facts.issuer["id"]
    path_names = (facts.path_code, f"v{document.path_version}")
    if document.kind == CertificateKind.BLOCK:
        block = document.blocks[0]
        achievement_id = derived_id(issuer_url, *path_names, block.code)
        kind, name, code = BLOCK_ACHIEVEMENT_TYPE, f"{block.code} — {block.title}", block.code
        description = (
            f"Bloc de compétences {block.code} du parcours certifiant « {document.path_title} » "
            f"(version {document.path_version}) : {block.title}."
        )
    else:
        achievement_id = derived_id(issuer_url, *path_names)
        kind, name, code = PATH_ACHIEVEMENT_TYPE, document.path_title, facts.path_code
        description = facts.path_description.strip() or document.path_title
    hours = sum(m.hours for m in document.modules if m.code in facts.module_codes)
    achievement = {
        "id": achievement_id,
        "type": ["Achievement"],
        "achievementType": kind,
        "name": name,
        "description": description,
        "humanCode": code,
        "version": str(document.path_version),
        "inLanguage": LANGUAGE,
        "criteria": {"narrative": _criteria(facts)},
        "alignment": [_alignment(facts, line) for line in document.competencies],
        "resultDescription": [_result_description(facts, line) for line in document.competencies],
    }
    if hours:
        achievement["creditsAvailable"] = float(hours)
    return achievement


def _criteria(facts: CredentialFacts) -> str:
    """Return how the achievement is earned: the block's assessment, or the path's rule."""
    document = facts.document
    required = "; ".join(
        f"{line.code} : {_label(facts.scale, line.required_level)}"
        for line in document.competencies
    )
    if document.kind == CertificateKind.BLOCK:
        evaluation = " ".join(facts.block_evaluation.split())
        rule = f"Le bloc est validé quand chaque compétence atteint le niveau requis ({required})."
        return f"{evaluation}\n\n{rule}" if evaluation else rule
    who = (
        "sur décision du jury de certification"
        if facts.decided_by_jury
        else "sur décision de certification de l’organisme"
    )
    blocks = ", ".join(block.code for block in document.blocks)
    return (
        f"Le certificat est délivré {who}, quand les blocs de compétences du parcours "
        f"({blocks}) sont validés : chaque compétence au niveau requis sur l’échelle du "
        f"parcours ({required})."
    )


def _label(scale: Sequence[str], level: int) -> str:
    return scale[level] if 0 <= level < len(scale) else str(level)


def _competency_id(facts: CredentialFacts, block_code: str, code: str) -> str:
    document = facts.document
    return derived_id(
        facts.issuer["id"], facts.path_code, f"v{document.path_version}", block_code, code
    )


def _alignment(facts: CredentialFacts, line) -> dict[str, Any]:
    descriptions = {competency.code: competency.description for competency in facts.competencies}
    alignment = {
        "type": ["Alignment"],
        "targetName": line.title,
        "targetUrl": _competency_id(facts, line.block_code, line.code),
        "targetCode": line.code,
        "targetFramework": f"{facts.document.path_title} (version {facts.document.path_version})",
        "targetType": COMPETENCY_TARGET_TYPE,
    }
    if description := " ".join(descriptions.get(line.code, "").split()):
        alignment["targetDescription"] = description
    return alignment


def _result_description_id(facts: CredentialFacts, line) -> str:
    return _competency_id(facts, line.block_code, line.code) + "-result"


def _result_description(facts: CredentialFacts, line) -> dict[str, Any]:
    return {
        "id": _result_description_id(facts, line),
        "type": ["ResultDescription"],
        "name": f"{line.code} — {line.title}",
        "resultType": RESULT_TYPE,
        "allowedValue": list(facts.scale),
        "requiredValue": _label(facts.scale, line.required_level),
    }


def _results(facts: CredentialFacts) -> list[dict[str, Any]]:
    return [
        {
            "type": ["Result"],
            "resultDescription": _result_description_id(facts, line),
            "value": line.level_label,
        }
        for line in facts.document.competencies
    ]


def _activity_dates(facts: CredentialFacts) -> dict[str, str]:
    """Return when the covered modules ran (their calendar's first and last days), if known."""
    modules = [m for m in facts.document.modules if m.code in facts.module_codes]
    starts = [m.opens_on for m in modules if m.opens_on]
    ends = [m.closes_on for m in modules if m.closes_on]
    zone = ZoneInfo(facts.timezone)
    dates = {}
    if starts:
        dates["activityStartDate"] = _local(min(starts), time(0, 0), zone)
    if ends:
        dates["activityEndDate"] = _local(max(ends), time(23, 59, 59), zone)
    return dates


def _local(day: date, moment: time, zone: ZoneInfo) -> str:
    return datetime.combine(day, moment, zone).isoformat()
