"""The learner's badge: its download, and the links that put it on a professional profile.

The links are plain addresses of the networks' own "add a certification" forms, filled with
what the certificate states (its name, the organisation, the month of issue, the verification
address and the number): no script, no tracking, nothing sent before the learner follows the
link and confirms on the network. LinkedIn is the one network that documents such a form;
the badge file itself goes into any Open Badges wallet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import Response

from lms.certificates.credentials.issuance import credential_json
from lms.certificates.document import CertificateDocument
from lms.core.csv import attachment

LINKEDIN_ADD_CERTIFICATION = "https://www.linkedin.com/profile/add"


@dataclass(frozen=True)
class ProfileLink:
    """A link to a network's form that adds the certificate to the learner's profile."""

    network: str
    url: str


def badge_filename(number: str) -> str:
    """Return the downloaded badge's file name (``badge-EBV-2026-7K3QX9PA.json``)."""
    return f"badge-{number}.json"


def badge_download(credential: dict[str, Any], number: str) -> Response:
    """Send the signed credential as a JSON attachment, exactly as the PDF embeds it."""
    response = Response(credential_json(credential), mimetype="application/ld+json")
    response.headers["Content-Disposition"] = attachment(badge_filename(number))
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def profile_links(credential: dict[str, Any], document: CertificateDocument) -> list[ProfileLink]:
    """Return the links that add the certificate to a professional profile."""
    query = {
        "startTask": "CERTIFICATION_NAME",
        "name": credential.get("name") or document.path_title,
        "organizationName": document.organisation,
        "issueYear": document.issued_on.year,
        "issueMonth": document.issued_on.month,
        "certUrl": document.verification_url,
        "certId": document.number,
    }
    return [ProfileLink("LinkedIn", f"{LINKEDIN_ADD_CERTIFICATION}?{urlencode(query)}")]
