"""Certificate issuance budget (PERFORMANCE.md targets 1 and 2).

Seeds the certifying world of ``tests/certificates/helpers.py`` (the §6 path, an M8 evaluation
rating every competency) with eligible learners whose decision awards them, then prints, one
line per figure (``name: value (floor: …, ratio: …, target: …)``):

- ``issue one``: issuing one certificate end to end — the learner's eligibility, the decision
  check, the rows, the QR code, the PDF/A rendering, its SHA-256, the atomic store, the audit
  event and the commit — against a bare ``weasyprint.HTML(string=html).write_pdf(font_config=fc)``
  of the same final HTML with one reused FontConfiguration; runs interleaved (issue, then bare,
  for each learner) after a warm-up, medians (target ≤ 1.15×); every PDF is signed by a
  development identity, as production signs, and the lines below say the signature's CPU share
  of issuance and the PDF's size with it (target ≤ 60 KB);
- ``batch of N``: the batch in two processes (``run_in_processes(…, 2)``, what ``lms
  issue-certificates`` does without Redis) against the same batch in one process, the
  certificates wiped in between (target ≤ 0.6×);
- ``peak rss per worker``: the largest RSS a worker process reported after a certificate
  (target ≤ 250 MB), and ``rss growth``: in the serial run, RSS after the last certificate
  against after the 20th (target ≤ 30 MB).

Run ``python -m benchmarks.certificate_issuance [--learners 100] [--repeat 15]
[--database-url postgresql://…]`` (a scratch database: it is emptied). No timed assertion
anywhere: figures drift with the machine's load, so each one is a ratio measured in one run.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from flask import Flask

from benchmarks.harness import seeded_app
from lms.accounts.models import AuditEvent, User
from lms.certificates.batches import Outcome, run_in_processes, start_batch
from lms.certificates.credentials.models import IssuedCredential
from lms.certificates.decisions import record_decision
from lms.certificates.document import document_from_json
from lms.certificates.eligibility import learner_eligibility
from lms.certificates.issuing import certificate_folder, issue_certificate
from lms.certificates.models import Certificate, DecisionOutcome, IssuanceBatch
from lms.cohorts.models import Cohort
from lms.core import storage
from lms.core.pades_identity import create_development_identity
from lms.extensions import db
from tests.certificates.helpers import make_certificate_world

SETTINGS = {
    "CERTIFICATE_SIGNATORY_NAME": "Claire Martin",
    "CERTIFICATE_SIGNATORY_TITLE": "Directrice de la certification",
    "CERTIFICATE_PLACE": "Lyon",
    "BASE_URL": "https://formation.bien-vivre.example",
}
MB = 1024


@dataclass
class World:
    cohort_id: int
    admin_id: int
    single: list[int]  # learners issued one by one (target 1)
    batch: list[int]  # learners of the batch (target 2)


def seed(single: int, batch: int) -> World:
    """Create the world and ``single + batch`` eligible learners, each awarded."""
    world = make_certificate_world()
    ids = []
    for index in range(single + batch):
        learner = world.eligible_learner(display_name=f"Apprenant·e {index:04d} Lefèvre")
        record_decision(
            world.cohort,
            learner,
            outcome=DecisionOutcome.AWARDED,
            reason="",
            decided_by=world.admin,
        )
        ids.append(learner.id)
    db.session.commit()
    return World(world.cohort.id, world.admin.id, ids[:single], ids[single:])


@dataclass
class Single:
    """Medians of the end-to-end issue and of the bare floor, wall-clock and CPU seconds."""

    wall: float
    cpu: float
    floor_wall: float
    floor_cpu: float
    render_cpu: float  # render_pdf alone (PDF/A-3a, tags, locked-down fetcher), same document
    sign_cpu: float  # the organisation's PAdES signature of that PDF (lms.core.pades)
    size: float  # the issued PDF, signature included, in bytes
    signature_size: float  # what the signature added, in bytes


def timed(run) -> tuple[object, float, float]:
    """Run ``run()``; return its result, wall-clock and CPU seconds (this process)."""
    cpu, wall = time.process_time(), time.perf_counter()
    result = run()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def measure_single(world: World, warmup: int) -> Single:
    """Issue each single learner, then render its final HTML bare; return the medians."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    from lms.certificates.rendering import base_url, render_html, render_pdf
    from lms.certificates.signing import sign_certificate

    font_config = FontConfiguration()
    rows = []
    for index, learner_id in enumerate(world.single):
        cohort, admin = (
            db.session.get(Cohort, world.cohort_id),
            db.session.get(User, world.admin_id),
        )
        learner = db.session.get(User, learner_id)

        def issue(cohort=cohort, learner=learner, admin=admin):
            assert learner_eligibility(cohort, learner).is_eligible
            certificate = issue_certificate(cohort, learner, issued_by=admin)
            db.session.commit()
            return certificate

        certificate, wall, cpu = timed(issue)
        document = document_from_json(certificate.document)
        html = render_html(document)
        # The design's stylesheet, fonts and images resolve against base_url: without it the
        # bare call would render another, unstyled document, faster for the wrong reason.
        page = weasyprint.HTML(string=html, base_url=base_url())
        _, floor_wall, floor_cpu = timed(lambda page=page: page.write_pdf(font_config=font_config))
        unsigned, _, render_cpu = timed(lambda document=document: render_pdf(document))
        _, _, sign_cpu = timed(lambda pdf=unsigned, d=document: sign_certificate(pdf, d))
        if index >= warmup:
            added = certificate.pdf_size - len(unsigned)
            rows.append(
                (
                    wall,
                    cpu,
                    floor_wall,
                    floor_cpu,
                    render_cpu,
                    sign_cpu,
                    certificate.pdf_size,
                    added,
                )
            )
        db.session.remove()
    return Single(*(statistics.median(column) for column in zip(*rows, strict=True)))


def wipe_certificates(learner_ids: list[int]) -> None:
    """Remove these learners' certificates (rows, credentials, audit events, PDFs), every batch."""
    certificates = list(
        db.session.scalars(db.select(Certificate).where(Certificate.learner_id.in_(learner_ids)))
    )
    ids = [str(certificate.id) for certificate in certificates]
    for certificate in certificates:
        storage.delete_stored(certificate_folder(), certificate.storage_key)
    db.session.execute(
        db.delete(AuditEvent).where(
            AuditEvent.object_type == "Certificate", AuditEvent.object_id.in_(ids)
        )
    )
    db.session.execute(
        db.delete(IssuedCredential).where(
            IssuedCredential.certificate_id.in_([certificate.id for certificate in certificates])
        )
    )
    db.session.execute(db.delete(Certificate).where(Certificate.learner_id.in_(learner_ids)))
    db.session.execute(db.delete(IssuanceBatch))
    db.session.commit()


def run_batch_in(app: Flask, world: World, processes: int) -> tuple[float, float, list]:
    """Start a batch of the world's batch learners and run it; return wall, CPU and results.

    CPU is this process's when it runs alone, else the busiest worker's: the time the batch
    would take on a host whose cores are free (a shared host gives a session one share of the
    processors, however many processes it runs: Linux groups a session's processes).
    """
    with app.app_context():
        wipe_certificates(world.batch)
        batch = start_batch(db.session.get(Cohort, world.cohort_id), None)
        db.session.commit()
        assert sorted(batch.learner_ids) == sorted(world.batch), "unexpected batch"
        started, cpu = time.perf_counter(), time.process_time()
        results = list(run_in_processes(batch.id, processes))
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        db.session.remove()
    failed = [result for result in results if result.outcome is not Outcome.ISSUED]
    assert not failed, failed[:3]
    if processes > 1:
        # A forked process's CPU clock starts at zero: its last report is its whole work.
        by_worker: dict[int, float] = {}
        for result in results:
            by_worker[result.pid] = max(by_worker.get(result.pid, 0), result.cpu_seconds)
        cpu = max(by_worker.values())
    return elapsed, cpu, results


def line(name: str, value: str, floor: str, ratio: float, target: str, ok: bool | None) -> None:
    """Print one figure; ``ok`` None for a figure that explains another (no target of its own)."""
    verdict = "" if ok is None else (" OK" if ok else " OVER")
    print(f"{name}: {value} (floor: {floor}, ratio: {ratio:.2f}, target: {target}){verdict}")


def subsetter() -> str:
    from weasyprint.text.ffi import harfbuzz_subset

    return (
        "HarfBuzz"
        if harfbuzz_subset is not None
        else "fontTools (slow: install libharfbuzz-subset0)"
    )


def main(argv: list[str] | None = None) -> None:
    """Seed, measure both targets, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a scratch database (emptied); default: SQLite")
    parser.add_argument("--learners", type=int, default=100, help="learners of the batch")
    parser.add_argument("--repeat", type=int, default=15, help="timed single issues (median)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed single issues first")
    parser.add_argument("--processes", type=int, default=2, help="processes of the parallel run")
    options = parser.parse_args(argv)
    count = options.repeat + options.warmup
    started = time.perf_counter()
    with seeded_app(options.database_url, lambda: seed(count, options.learners)) as (app, world):
        app.config.update(SETTINGS)
        # Every issued PDF is signed, as in production: a development identity signs here.
        create_development_identity(Path(app.instance_path) / "keys", "Bien-vivre SCIC")
        logging.getLogger("lms.security").setLevel(logging.WARNING)  # a line per certificate
        with app.app_context():
            database = db.engine.dialect.name
            print(
                f"database: {database}, batch: {options.learners} learners, seeded in "
                f"{time.perf_counter() - started:.1f} s, subsetting: {subsetter()}, "
                f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
            )
            single = measure_single(world, options.warmup)
        for kind, value, floor in (
            ("", single.wall, single.floor_wall),
            (" cpu", single.cpu, single.floor_cpu),
        ):
            ratio = value / floor
            line(
                f"issue one{kind}",
                f"{value * 1000:.1f} ms",
                f"{floor * 1000:.1f} ms (bare WeasyPrint, same HTML)",
                ratio,
                "≤ 1.15×",
                ratio <= 1.15,
            )
        # Where the CPU goes: the renderer's own share, then everything around it.
        ratio = single.render_cpu / single.floor_cpu
        line(
            "  of which render_pdf cpu",
            f"{single.render_cpu * 1000:.1f} ms",
            f"{single.floor_cpu * 1000:.1f} ms",
            ratio,
            "-, PDF/A-3a, tags, fetcher",
            None,
        )
        share = single.sign_cpu / single.cpu
        line(
            "  of which signing cpu",
            f"{single.sign_cpu * 1000:.1f} ms",
            f"{single.cpu * 1000:.1f} ms (issue one cpu)",
            share,
            f"-, PAdES B-B, {share:.0%} of issuance",
            None,
        )
        kilobytes = single.size / 1024
        line(
            "pdf size",
            f"{kilobytes:.1f} KB",
            f"{single.signature_size / 1024:.1f} KB of signature",
            kilobytes / 60,
            "≤ 60 KB",
            kilobytes <= 60,
        )
        rest = single.cpu - single.render_cpu - single.sign_cpu
        line(
            "  of which the rest cpu",
            f"{rest * 1000:.1f} ms",
            f"{single.floor_cpu * 1000:.1f} ms",
            rest / single.floor_cpu,
            "-, eligibility, document, rows, audit, hash, store, commit",
            None,
        )
        serial, serial_cpu, serial_results = run_batch_in(app, world, 1)
        parallel, parallel_cpu, parallel_results = run_batch_in(app, world, options.processes)
        ratio = parallel / serial
        line(
            f"batch of {options.learners} in {options.processes} processes",
            f"{parallel:.2f} s",
            f"{serial:.2f} s (1 process)",
            ratio,
            "≤ 0.6×",
            ratio <= 0.6,
        )
        ratio = parallel_cpu / serial_cpu
        line(
            "  cpu of the busiest process",
            f"{parallel_cpu:.2f} s",
            f"{serial_cpu:.2f} s (1 process)",
            ratio,
            "≤ 0.6× on free cores",
            ratio <= 0.6,
        )
        peaks: dict[int, int] = {}
        for result in parallel_results:
            peaks[result.pid] = max(peaks.get(result.pid, 0), result.rss_kb)
        peak = max(peaks.values()) / MB
        line("peak rss per worker", f"{peak:.0f} MB", "250 MB", peak / 250, "≤ 250 MB", peak <= 250)
        after_20 = serial_results[min(19, len(serial_results) - 1)].rss_kb / MB
        after_all = serial_results[-1].rss_kb / MB
        growth = after_all - after_20
        line(
            f"rss growth 20 → {len(serial_results)} certificates",
            f"{growth:+.1f} MB",
            f"{after_20:.0f} MB after 20",
            after_all / after_20,
            "≤ +30 MB",
            growth <= 30,
        )


if __name__ == "__main__":
    main()
