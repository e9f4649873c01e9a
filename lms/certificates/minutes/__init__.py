"""The jury's minutes (« procès-verbal de délibération »): plain values, rendered as PDF/A.

Rendering imports WeasyPrint lazily (on the first PDF), like the certificates.
"""

from __future__ import annotations

from lms.certificates.minutes.document import (
    RESULTS,
    MinutesBlock,
    MinutesCandidate,
    MinutesDocument,
    MinutesMember,
    MinutesVote,
)
from lms.certificates.minutes.rendering import (
    minutes_template_version,
    render_minutes,
    render_minutes_html,
)

__all__ = [
    "RESULTS",
    "MinutesBlock",
    "MinutesCandidate",
    "MinutesDocument",
    "MinutesMember",
    "MinutesVote",
    "minutes_template_version",
    "render_minutes",
    "render_minutes_html",
]
