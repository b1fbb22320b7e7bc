"""``devzone check --engine dask``: the check on a Dask cluster, results as a folder of parts."""

from __future__ import annotations

import contextlib
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import typer

from cli._common import echo_err
from gis.errors import InputError

__all__ = ["ENGINES", "check_with_dask"]

ENGINES = ("local", "dask")


def check_engine(engine: str, out: Path | None, parcel_ids: list[str] | None) -> None:
    """Refuse an unknown engine, and what the dask engine does not do, before any work."""
    if engine not in ENGINES:
        raise InputError(f"--engine {engine!r} is not an engine.",
                         hint="Use --engine local (one process) or --engine dask.",
                         zh=f"--engine {engine!r} 不是可用的计算引擎。",
                         hint_zh="请使用 --engine local（单进程）或 --engine dask。")
    if engine != "dask":
        return
    if out is None:
        raise InputError("--engine dask needs --out FOLDER for its results.",
                         hint="Add --out results/ (a folder of Parquet parts).",
                         zh="--engine dask 需要用 --out 文件夹 指定结果的输出位置。",
                         hint_zh="请添加 --out results/（Parquet 分片文件夹）。")
    if parcel_ids:
        raise InputError("--parcel is not available with --engine dask.",
                         hint="Check single parcels with the default engine.",
                         zh="--engine dask 不支持 --parcel。",
                         hint_zh="检查个别地块请使用默认引擎。")


def check_with_dask(ws: Any, rulebook: Any, day: date, out: Path, *, scheduler: str | None,
                    partitions: int | None, lang: str) -> None:
    """Run the check on a cluster (a local one without ``scheduler``) and print the summary."""
    import click

    from layers.readiness.cluster import check_on_cluster

    t0 = time.perf_counter()
    with contextlib.ExitStack() as stack:
        bars: list[Any] = []

        def progress(done: int, total: int) -> None:
            if not bars:  # opened on the first partition done: errors come before any bar
                bars.append(stack.enter_context(click.progressbar(
                    length=total, label="checking partitions", file=sys.stderr,
                    show_pos=True)))
            bars[0].update(1)

        run = check_on_cluster(ws, rulebook, as_of=day, out=out, scheduler=scheduler,
                               partitions=partitions, progress=progress)
    seconds = time.perf_counter() - t0
    head = (f"{rulebook.name} {rulebook.version} · 检查日期 {day.isoformat()}" if lang == "zh"
            else f"{rulebook.name} {rulebook.version} · as of {day.isoformat()}")
    typer.echo(head)
    typer.echo(run.summary.text(lang))
    typer.echo(f"已写出 {out}" if lang == "zh" else f"wrote {out}")
    sys.stdout.flush()
    echo_err(f"{run.parcels} parcels × {len(rulebook)} rules in {seconds:.1f} s "
             f"({run.partitions} partitions on {run.workers} workers)")
