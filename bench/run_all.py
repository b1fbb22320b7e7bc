"""Run every benchmark script in bench/ and print one table (``make bench``).

A script is a benchmark when it has an ``if __name__ == "__main__":`` block (helpers
such as ``citylike.py`` say so in :data:`HELPERS`). Each runs in its own process;
``--quick`` is passed to the scripts whose ``--help`` lists it, and a script whose
``--help`` lists ``--json`` writes its rows to a file (a list of flat objects),
which become rows of the table. Other scripts' Markdown tables (``| a | b |`` lines)
are read from their output. Everything a script prints stays visible above the table.

Usage::

    .venv/bin/python bench/run_all.py            # every script, its default sizes
    .venv/bin/python bench/run_all.py --quick    # smoke run
    .venv/bin/python bench/run_all.py --only readiness map
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import host_speed

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
HELPERS = {"run_all", "citylike"}


def scripts() -> list[Path]:
    """The benchmark scripts, by name."""
    return sorted(p for p in BENCH.glob("*.py") if p.stem not in HELPERS
                  and "__main__" in p.read_text(encoding="utf-8"))


def _options(script: Path) -> str:
    proc = subprocess.run([sys.executable, str(script), "--help"], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    return proc.stdout


def _markdown_rows(text: str) -> list[dict]:
    """The rows of the Markdown tables in ``text`` (header line, rule line, rows)."""
    rows: list[dict] = []
    head: list[str] | None = None
    for line in text.splitlines():
        line = line.strip()
        if not (line.startswith("|") and line.endswith("|")):
            head = None
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if head is None:
            head = cells
        elif all(set(c) <= set("-: ") for c in cells):
            continue
        else:
            rows.append(dict(zip(head, cells, strict=False)))
    return rows


def run(script: Path, *, quick: bool) -> tuple[list[dict], int, float]:
    """Run one script; its rows, exit code and wall seconds."""
    opts = _options(script)
    cmd = [sys.executable, str(script)]
    if quick and "--quick" in opts:
        cmd.append("--quick")
    with tempfile.TemporaryDirectory() as tmp:
        out_json = Path(tmp) / "rows.json"
        if "--json" in opts:
            cmd += ["--json", str(out_json)]
        print(f"\n$ {' '.join(cmd[1:])}", flush=True)
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=False)
        seconds = time.perf_counter() - t0
        print(proc.stdout, end="", flush=True)
        if out_json.exists():
            rows = json.loads(out_json.read_text(encoding="utf-8"))
        else:
            rows = _markdown_rows(proc.stdout)
    return rows, proc.returncode, seconds


def _cell(row: dict) -> str:
    return "; ".join(f"{k}={v}" for k, v in row.items() if v not in (None, "", "—")
                     and k != "bench")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="pass --quick where a script has it")
    ap.add_argument("--only", nargs="+", help="script names (without .py)")
    args = ap.parse_args()
    found = [s for s in scripts() if not args.only or s.stem in args.only]
    before = host_speed.describe()
    print(before, flush=True)
    results = []
    for script in found:
        rows, code, seconds = run(script, quick=args.quick)
        results.append((script.stem, rows, code, seconds))
    print("\n## All benchmarks" + (" (--quick)" if args.quick else ""))
    print(f"before the first script, {before}; after the last, {host_speed.describe()}")
    print("| bench | result | status |")
    print("|---|---|---|")
    for name, rows, code, seconds in results:
        status = "ok" if code == 0 else f"failed (exit {code})"
        if not rows:
            print(f"| {name} | (no table; output above) | {status}, {seconds:.0f} s |")
        for row in rows:
            print(f"| {name} | {_cell(row)} | {status} |")
    return 0 if all(code == 0 for _, _, code, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
