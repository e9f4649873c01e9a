"""Start-up (PERFORMANCE.md target 8): ``create_app()`` in a fresh process, without WeasyPrint.

Each run is a new interpreter that imports ``lms`` and calls ``create_app()`` (what a gunicorn
worker, an RQ worker and every ``lms`` command do first), timed with ``time.perf_counter``
from before the import to the built application; the figure is the median of ``--runs``
fresh processes after one untimed warm-up (which fills the file cache), with its CPU time
beside it (which drifts less on a shared machine). The floor is the same
for a bare Flask application (``import flask``; ``Flask(__name__)``). Each run also says
whether ``weasyprint`` got imported: it must not be (it costs 0.5-0.7 s and 48 MB), since
only certificate rendering needs it.

Run ``python -m benchmarks.startup [--runs 7]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

from lms import ROOT

TARGET_SECONDS = 0.5
APPLICATION = """
import json, sys, time
started, cpu = time.perf_counter(), time.process_time()
from lms import create_app
app = create_app()
elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
print(json.dumps({"seconds": elapsed, "cpu": cpu, "weasyprint": "weasyprint" in sys.modules}))
"""
FLOOR = """
import json, sys, time
started, cpu = time.perf_counter(), time.process_time()
from flask import Flask
app = Flask(__name__)
elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
print(json.dumps({"seconds": elapsed, "cpu": cpu, "weasyprint": "weasyprint" in sys.modules}))
"""


def fresh_process(code: str, instance: str) -> dict:
    """Run ``code`` in a new interpreter on a scratch instance; return what it printed."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    environment["LMS_INSTANCE_PATH"] = instance
    result = subprocess.run(  # noqa: S603  our own interpreter and code
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def median_run(code: str, runs: int, instance: str) -> tuple[float, float, bool]:
    """Return the median wall and CPU times over ``runs`` fresh processes, and whether any
    imported weasyprint."""
    fresh_process(code, instance)  # warm-up: file cache, bytecode
    results = [fresh_process(code, instance) for _ in range(runs)]
    seconds = statistics.median(result["seconds"] for result in results)
    cpu = statistics.median(result["cpu"] for result in results)
    return seconds, cpu, any(result["weasyprint"] for result in results)


def main(argv: list[str] | None = None) -> None:
    """Measure and print the start-up figure and the WeasyPrint check."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="fresh processes (median)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as instance:
        seconds, cpu, weasyprint = median_run(APPLICATION, args.runs, instance)
        floor, floor_cpu, _ = median_run(FLOOR, args.runs, instance)
    met = seconds <= TARGET_SECONDS
    print(
        f"startup create_app: {seconds:.3f} s (floor: {floor:.3f} s bare Flask, "
        f"ratio: {seconds / floor:.1f}, target: ≤ {TARGET_SECONDS} s) {'OK' if met else 'OVER'}"
    )
    # CPU time drifts less than wall time when other processes share the cores.
    print(
        f"startup create_app CPU: {cpu:.3f} s (floor: {floor_cpu:.3f} s bare Flask, "
        f"ratio: {cpu / floor_cpu:.1f}, target: ≤ {TARGET_SECONDS} s) "
        f"{'OK' if cpu <= TARGET_SECONDS else 'OVER'}"
    )
    print(f"startup weasyprint imported: {'yes' if weasyprint else 'no'} (target: no)")
    if weasyprint or not met:
        sys.exit(1)


if __name__ == "__main__":
    main()
