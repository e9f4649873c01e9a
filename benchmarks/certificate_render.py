"""Certificate rendering budget (PERFORMANCE.md targets 1, 1b and 3), on the shipped path.

Renders the path certificate of ``tests/certificates/documents.py`` (8 modules, 4 blocks, 12
competencies) and prints, one line per figure (``name: value (floor: …, ratio: …, target: …)``):

- ``subsetting``: which font subsetter WeasyPrint uses (HarfBuzz is ≈ 3× faster than fontTools);
- ``render_pdf``: median time of ``lms.certificates.rendering.render_pdf`` (Jinja, QR code,
  locked-down fetcher, PDF/A-3a with tags) against a bare ``weasyprint.HTML(string=html,
  base_url=…).write_pdf(font_config=fc)`` of the same final HTML, one reused FontConfiguration,
  runs interleaved after a warm-up, in this process;
- ``pdf size``: bytes of our PDF (target 3: ≤ 60 KB), the bare PDF as floor;
- ``rss growth``: this process's RSS after ``--memory-renders`` renders against after 20 (flat);
- ``chromium …``: the same HTML printed by Debian's Chromium through Playwright (one reused page,
  ``set_content`` + ``page.pdf``), its fonts and images served from ``certificates/`` by a
  loopback HTTP server with cache headers so that both engines run warm; time, PDF size and the
  RSS summed over Chromium's whole process tree, against ours (target 1b: time ≤ 1×, size ≤ 1/3,
  memory ≤ 1/5). Skipped, saying so, without ``/usr/bin/chromium`` or Playwright.

Run ``python -m benchmarks.certificate_render [--runs 15] [--memory-renders 200]
[--no-chromium]``. No timed assertion anywhere: figures drift with the machine's load.
"""

from __future__ import annotations

import argparse
import functools
import multiprocessing
import os
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from lms.certificates.rendering import DESIGN_FOLDER, base_url, render_html, render_pdf
from tests.certificates.documents import path_certificate_document

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
SIZE_TARGET = 60 * 1024
KB = 1024
MB = 1024 * 1024


def line(name: str, value: str, floor: str, ratio: float | None, target: str) -> None:
    """Print one figure in the PERFORMANCE.md format."""
    shown = "-" if ratio is None else f"{ratio:.2f}"
    print(f"{name}: {value} (floor: {floor}, ratio: {shown}, target: {target})")


def rss_bytes(pid: int) -> int:
    """Return the resident set size of one process, from /proc."""
    with open(f"/proc/{pid}/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def descendants(pid: int) -> list[int]:
    """Return the ids of every process below ``pid``, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found, queue = [], [pid]
    while queue:
        for child in children.get(queue.pop(), []):
            found.append(child)
            queue.append(child)
    return found


def chromium_tree_rss() -> int:
    """Sum the RSS of every Chromium process started below this one (not Playwright's driver)."""
    total = 0
    for pid in descendants(os.getpid()):
        try:
            executable = os.readlink(f"/proc/{pid}/exe")
            if "chromium" in executable:
                total += rss_bytes(pid)
        except OSError:
            continue
    return total


class QuietAssetHandler(SimpleHTTPRequestHandler):
    """Serve the design folder with cache headers, without logging each request."""

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "public, max-age=3600, immutable")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def asset_server() -> Iterator[str]:
    """Serve ``certificates/`` on loopback for Chromium from a child process; yield its URL.

    A child process, not a thread: serving fonts must not compete with our renders for this
    process's interpreter lock, and its CPU time counts with Chromium's (it is a descendant).
    """
    handler = functools.partial(QuietAssetHandler, directory=str(DESIGN_FOLDER))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.handle_error = lambda request, address: None  # a cancelled font load is no error
    child = multiprocessing.get_context("fork").Process(target=server.serve_forever, daemon=True)
    child.start()
    server.socket.close()  # the child keeps its own copy of the listening socket
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        child.terminate()
        child.join()


def tree_cpu_seconds(pids: list[int]) -> float:
    """Return the user and system CPU time spent so far by these processes, from /proc."""
    ticks = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


@dataclass
class Timings:
    """Median wall-clock and CPU seconds of one way of making the PDF."""

    wall: float
    cpu: float


def interleaved_medians(
    runs: dict[str, Callable[[], bytes]], repeat: int, warmup: int
) -> dict[str, Timings]:
    """Time each callable ``repeat`` times in turn after a warm-up; return the medians.

    CPU time counts this process and every process it started (Chromium and Playwright's
    driver), so that a multi-process engine is not flattered by a loaded machine.
    """
    for run in runs.values():
        for _ in range(warmup):
            run()
    walls: dict[str, list[float]] = {name: [] for name in runs}
    cpus: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            children = descendants(os.getpid())
            children_before = tree_cpu_seconds(children)
            cpu_before, started = time.process_time(), time.perf_counter()
            run()
            walls[name].append(time.perf_counter() - started)
            cpu = time.process_time() - cpu_before
            cpus[name].append(cpu + tree_cpu_seconds(children) - children_before)
    return {
        name: Timings(statistics.median(walls[name]), statistics.median(cpus[name]))
        for name in runs
    }


def measure_weasyprint(html: str, repeat: int) -> tuple[dict[str, Timings], int, int]:
    """Return the medians of ours and of the bare floor, and both PDF sizes."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    document = path_certificate_document()
    font_config = FontConfiguration()

    def bare() -> bytes:
        return weasyprint.HTML(string=html, base_url=base_url()).write_pdf(font_config=font_config)

    medians = interleaved_medians(
        {"ours": lambda: render_pdf(document), "bare": bare}, repeat, warmup=3
    )
    return medians, len(render_pdf(document)), len(bare())


def measure_memory(renders: int) -> tuple[int, int]:
    """Return this process's RSS after 20 renders and after ``renders`` renders."""
    document = path_certificate_document()
    after_20 = 0
    for index in range(1, renders + 1):
        render_pdf(document)
        if index == 20:
            after_20 = rss_bytes(os.getpid())
    return after_20, rss_bytes(os.getpid())


def measure_chromium(html: str, repeat: int) -> tuple[Timings, Timings, int, int] | None:
    """Return Chromium's median times, ours in the same loop, its PDF size and tree RSS."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("chromium: skipped (Playwright is not installed)")
        return None
    if not CHROMIUM.exists():
        print(f"chromium: skipped ({CHROMIUM} is missing)")
        return None
    document = path_certificate_document()
    with asset_server() as assets, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()
        served_html = html.replace("<head>", f'<head><base href="{assets}">', 1)

        def chromium() -> bytes:
            page.set_content(served_html, wait_until="load")
            return page.pdf(prefer_css_page_size=True, print_background=True)

        medians = interleaved_medians(
            {"chromium": chromium, "ours": lambda: render_pdf(document)}, repeat, warmup=3
        )
        size, tree_rss = len(chromium()), chromium_tree_rss()
        browser.close()
    return medians["chromium"], medians["ours"], size, tree_rss


def subsetting_path() -> str:
    """Say which font subsetter WeasyPrint uses: HarfBuzz (fast) or fontTools (≈ 3× slower)."""
    from weasyprint.text.ffi import harfbuzz_subset

    return "harfbuzz" if harfbuzz_subset is not None else "fonttools"


def main(argv: list[str] | None = None) -> None:
    """Measure and print the certificate rendering figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="timed runs per engine (median)")
    parser.add_argument("--memory-renders", type=int, default=200)
    parser.add_argument("--no-chromium", action="store_true", help="skip the Chromium figures")
    args = parser.parse_args(argv)

    html = render_html(path_certificate_document())
    subsetter = subsetting_path()
    line("subsetting", subsetter, "harfbuzz", None, "harfbuzz")

    medians, size, bare_size = measure_weasyprint(html, args.runs)
    ours, bare = medians["ours"], medians["bare"]
    floor = "bare WeasyPrint, same HTML, no PDF/A"
    line(
        "render_pdf",
        f"{ours.wall * 1000:.1f} ms",
        f"{bare.wall * 1000:.1f} ms ({floor})",
        ours.wall / bare.wall,
        "≤ 1.15",
    )
    line(
        "render_pdf cpu",
        f"{ours.cpu * 1000:.1f} ms",
        f"{bare.cpu * 1000:.1f} ms ({floor})",
        ours.cpu / bare.cpu,
        "≤ 1.15",
    )
    line(
        "pdf size",
        f"{size / KB:.1f} KB",
        f"{bare_size / KB:.1f} KB (bare, no PDF/A)",
        size / SIZE_TARGET,
        "≤ 60 KB",
    )

    after_20, after_all = measure_memory(args.memory_renders)
    growth = after_all - after_20
    line(
        f"rss growth 20 → {args.memory_renders} renders",
        f"{growth / MB:+.1f} MB",
        f"{after_20 / MB:.0f} MB after 20",
        after_all / after_20,
        "flat, ≤ +30 MB",
    )
    our_rss = rss_bytes(os.getpid())

    if args.no_chromium:
        print("chromium: skipped (--no-chromium)")
        return
    measured = measure_chromium(html, args.runs)
    if measured is None:
        return
    chromium, ours, chromium_size, tree_rss = measured
    peer = "Chromium page.pdf"
    line(
        "render time vs chromium",
        f"{ours.wall * 1000:.1f} ms",
        f"{chromium.wall * 1000:.1f} ms ({peer})",
        ours.wall / chromium.wall,
        "≤ 1",
    )
    line(
        "render cpu vs chromium",
        f"{ours.cpu * 1000:.1f} ms",
        f"{chromium.cpu * 1000:.1f} ms ({peer}, whole process tree)",
        ours.cpu / chromium.cpu,
        "≤ 1",
    )
    line(
        "pdf size vs chromium",
        f"{size / KB:.1f} KB (PDF/A-3a, tagged)",
        f"{chromium_size / KB:.1f} KB (Chromium, untagged, not PDF/A)",
        size / chromium_size,
        "≤ 0.33",
    )
    line(
        "memory vs chromium",
        f"{our_rss / MB:.0f} MB (this process RSS)",
        f"{tree_rss / MB:.0f} MB (Chromium process tree RSS)",
        our_rss / tree_rss,
        "≤ 0.2",
    )


if __name__ == "__main__":
    main()
