"""Questions the cohorts domain asks higher domains (blinker signals whose receivers answer).

``learners_progress_count`` asks how many learners of a cohort have recorded progress (lessons done,
submissions...). Each receiver answers with a number; a cohort whose learners have progress
cannot change its path version. The cohorts domain never imports ``learning`` or ``assessments``.

``other_duties`` asks where else a trainer has work, for their home (« Mes promotions »): sent
once by that page with ``sender`` the trainer; each receiver answers a list of
``(endpoint, label)`` (``lms.certificates.jury.access.jury_homes``: « Mes jurys » while they sit
on a jury, one query). Only the home pays for it, not every page of the navigation.
"""

from __future__ import annotations

from blinker import Namespace

cohort_signals = Namespace()

learners_progress_count = cohort_signals.signal(
    "cohort-progress",
    doc="Ask how many learners of a cohort (the sender) have progress; receivers return an int.",
)

other_duties = cohort_signals.signal(
    "other-duties",
    doc="Ask where else a trainer (the sender) has work; receivers return (endpoint, label)s.",
)
