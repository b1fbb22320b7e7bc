"""``devzone check --engine dask``: the check on a Dask cluster, results as a folder of parts."""

from __future__ import annotations

import contextlib
import re
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


def check_engine(engine: str, out: Path | None, parcel_ids: list[str] | None, *,
                 scheduler: str | None = None, partitions: int | None = None) -> None:
    """Refuse an unknown engine, options of the dask engine without it, and what the dask
    engine does not do, before any work."""
    if engine not in ENGINES:
        raise InputError(f"--engine {engine!r} is not an engine.",
                         hint="Use --engine local (one process) or --engine dask.",
                         zh=f"--engine {engine!r} 不是可用的计算引擎。",
                         hint_zh="请使用 --engine local（单进程）或 --engine dask。")
    if engine != "dask":
        given = [o for o, v in (("--scheduler", scheduler), ("--partitions", partitions))
                 if v is not None]
        if given:
            what = "is an option" if len(given) == 1 else "are options"
            raise InputError(f"{' and '.join(given)} {what} of --engine dask only.",
                             hint="Add --engine dask, or drop the option.",
                             zh=f"{' 和 '.join(given)} 仅适用于 --engine dask。",
                             hint_zh="请添加 --engine dask，或去掉该选项。")
        return
    if scheduler is not None:
        check_scheduler(scheduler)
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


_ADDRESS = re.compile(r"(?:(?:tcp|tls|ws|wss)://)?(?:\[[0-9A-Fa-f:.]+\]|[^\s:/\[\]]+):\d{1,5}")


def check_scheduler(address: str) -> None:
    """Refuse a ``--scheduler`` that is not a Dask scheduler's address (``tcp://host:port``)."""
    if not _ADDRESS.fullmatch(address.strip()):
        raise InputError(
            f"--scheduler {address!r} is not the address of a Dask scheduler.",
            hint="Give it as tcp://HOST:PORT, as `dask scheduler` prints it on start "
            "(e.g. tcp://10.0.0.5:8786).",
            zh=f"--scheduler {address!r} 不是 Dask 调度器的地址。",
            hint_zh="请写成 tcp://主机:端口，即 `dask scheduler` 启动时显示的地址"
            "（如 tcp://10.0.0.5:8786）。")


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
