"""Benchmark of the printable reports: build time (HTML) and PDF time of each report kind.

Usage: ``python bench/reports.py [--demo DIR] [--out DIR] [--repeat 3]``. Builds the demo
workspace into a temporary folder unless ``--demo`` names one, then writes a parcel
report (a not-ready parcel with a costed gap), a zone report (CZGX) and the restoration
report, each in zh and en, as HTML and PDF into ``--out`` (default ``bench/out/reports``).
Prints the first and best-of-``repeat`` times of each step, the file sizes and the PDF page counts.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from layers.demo import AS_OF, build_demo
from layers.reports import (
    build_parcel_report,
    build_restoration_report,
    build_zone_report,
    to_pdf,
    write_report,
)
from layers.workspace import Workspace


def _best(fn, repeat: int):
    """(first run s, best run s, result): the first run includes cold caches and imports."""
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return times[0], min(times), out


def _pages(pdf: bytes) -> int:
    import io

    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def _costed_parcel(ws: Workspace) -> str:
    from layers.readiness import evaluate, gap_to_ready, inputs_from_workspace, rulebook_in_force

    rb = rulebook_in_force(ws)
    gaps = gap_to_ready(evaluate(inputs_from_workspace(ws, rulebook=rb), rb, as_of=AS_OF))
    gaps = gaps[(gaps["uncosted_rules"] == 0) & (gaps["total_cost"] > 0)]
    return str(gaps["parcel_id"].iloc[0])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--demo", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=Path("bench/out/reports"))
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.demo
        if root is None:
            root = Path(tmp) / "demo"
            build_demo(root)
        ws = Workspace.load(root)
        pid = _costed_parcel(ws)
        jobs = {
            f"parcel_{pid}": lambda lang: build_parcel_report(ws, pid, lang=lang, as_of=AS_OF),
            "zone_CZGX": lambda lang: build_zone_report(ws, "CZGX", lang=lang, as_of=AS_OF),
            "restoration": lambda lang: build_restoration_report(ws, lang=lang, as_of=AS_OF),
        }
        args.out.mkdir(parents=True, exist_ok=True)
        print(f"{'report':<24}{'lang':<5}{'build 1st/best s':>18}{'pdf 1st/best s':>16}"
              f"{'html KB':>9}{'pdf KB':>8}{'pages':>7}")
        for name, build in jobs.items():
            for lang in ("zh", "en"):
                b1, b, rep = _best(lambda b=build, lg=lang: b(lg), args.repeat)
                p1, p, pdf = _best(lambda r=rep: to_pdf(r.html), args.repeat)
                html_path, _ = write_report(rep, args.out / f"{name}_{lang}.html")
                pdf_path = args.out / f"{name}_{lang}.pdf"
                pdf_path.write_bytes(pdf)
                print(f"{name:<24}{lang:<5}{b1:>11.2f} /{b:>5.2f}{p1:>9.2f} /{p:>5.2f}"
                      f"{html_path.stat().st_size / 1024:>9.0f}{len(pdf) / 1024:>8.0f}"
                      f"{_pages(pdf):>7}")
        print(f"reports in {args.out.resolve()}")


if __name__ == "__main__":
    main()
