"""`devzone check`: standard-land readiness of a workspace's parcels against a rulebook."""

from __future__ import annotations

import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from cli._common import (
    check_lang,
    echo_err,
    load_workspace,
    parse_date,
    scenario_of,
    split_ids,
)
from cli.scenario import with_scenario
from gis.errors import InputError

if TYPE_CHECKING:
    import geopandas as gpd

    from layers.readiness.evaluate import ReadinessResult

__all__ = ["register"]

_PROGRESS_MIN = 20_000  # parcels above which a progress bar is shown on stderr


def register(app: typer.Typer) -> None:
    """Add ``check`` to ``app``."""

    @app.command("check")
    def check_cmd(
        workspace: Path = typer.Argument(..., help="Workspace folder (with workspace.toml)."),
        rules: Path = typer.Option(None, "--rules", help="Rulebook TOML (default: the "
                                   "workspace's [rules] file, else the Changzhi rulebook)."),
        as_of: str = typer.Option(None, "--as-of", help="Check date YYYY-MM-DD for "
                                  "assessment expiry (default: the workspace's as_of, "
                                  "else today)."),
        parcel: list[str] = typer.Option(None, "--parcel", help="Only this parcel id "
                                         "(repeat, or separate ids with commas)."),
        out: Path = typer.Option(None, "--out", help="Write results: .csv (utf-8-sig) or "
                                 ".parquet = the long table, one row per parcel and rule; "
                                 ".gpkg / .geojson / .geoparquet = parcels with readiness, "
                                 "<rule>_status, <rule>_value."),
        lang: str = typer.Option("zh", "--lang", help="Language of the summary: zh or en."),
        build: list[str] = typer.Option(None, "--build", help="Scenario: these planned "
                                        "projects (ids, comma-separated) count as built."),
        assume_planned: bool = typer.Option(False, "--assume-planned", help="Scenario: every "
                                            "planned feature due by the check date is built."),
        engine: str = typer.Option("local", "--engine", help="local: this process; dask: "
                                   "partitions on a Dask cluster, --out FOLDER of Parquet "
                                   "parts (docs/outputs.md)."),
        scheduler: str = typer.Option(None, "--scheduler", help="With --engine dask: a "
                                      "scheduler address tcp://host:8786 (default: a local "
                                      "cluster)."),
        partitions: int = typer.Option(None, "--partitions", min=1, help="With --engine "
                                       "dask: number of partitions."),
    ) -> None:
        """Check every parcel's readiness rule by rule and print a summary."""
        from gis.memory import release_memory
        from layers.readiness import evaluate, inputs_from_workspace, rulebook_in_force
        from layers.readiness.evaluate import LARGE_CHECK
        from layers.readiness.export import check_result_path

        check_lang(lang, "the summary")
        from cli.check_dask import check_engine, check_with_dask

        check_engine(engine, out, (split_ids(parcel) or None), scheduler=scheduler,
                     partitions=partitions)
        if engine == "dask" and (build or assume_planned):
            raise InputError("--build and --assume-planned work with the local engine only.",
                             hint="Drop --engine dask, or check the scenario without it.",
                             zh="--build 和 --assume-planned 仅适用于本机引擎。",
                             hint_zh="请去掉 --engine dask，或不带情景检查。")
        if engine == "local" and out is not None:
            check_result_path(out)
        ws = load_workspace(workspace)
        day = parse_date(as_of, default=ws.as_of)
        rulebook = rulebook_in_force(ws, rules)
        if engine == "dask":
            check_with_dask(ws, rulebook, day, out, scheduler=scheduler, partitions=partitions,
                            lang=lang)
            return
        t0 = time.perf_counter()
        inputs = inputs_from_workspace(ws, rulebook=rulebook)
        for note in ws.dropped("parcels"):  # not in the results: said, not silently
            echo_err(f"注意：地块图层 {note.message_zh}这些地块不在结果中，`devzone validate` "
                     "会列出它们。" if lang == "zh" else f"note: parcels layer {note.message_en} "
                     "They are not in the results; `devzone validate` lists them.")
        # a large check gives memory back between its steps and writes after the summary
        large = len(inputs.parcels) >= LARGE_CHECK
        if large:  # the workspace's copies of the layers: the inputs hold their own
            ws.invalidate()
            release_memory()
        ids = (split_ids(parcel) or None)
        scenario = scenario_of(build, assume_planned)
        total = len(ids) if ids else len(inputs.parcels)
        if total >= _PROGRESS_MIN:
            import click

            with click.progressbar(length=total, label="checking parcels", file=sys.stderr,
                                   show_pos=True) as bar:
                state = {"done": 0}

                def progress(done: int, _total: int) -> None:
                    bar.update(done - state["done"])
                    state["done"] = done

                result = evaluate(inputs, rulebook, as_of=day, parcel_ids=ids,
                                  progress=progress)
        else:
            result = evaluate(inputs, rulebook, as_of=day, parcel_ids=ids)
        result = with_scenario(ws, inputs, rulebook, result, scenario, day, lang)
        seconds = time.perf_counter() - t0
        head = (f"{rulebook.name} {rulebook.version} · 检查日期 {day.isoformat()}"
                if lang == "zh" else
                f"{rulebook.name} {rulebook.version} · as of {day.isoformat()}")
        zones = inputs.layers.get("zones")
        del inputs  # from here on only the result and the zones are needed
        held = [result]  # the only reference: the writer may free the parcels first
        del result
        _summarize_and_write(held, zones, out, head, lang, large=large)
        if out is not None:
            typer.echo(f"已写出 {out}" if lang == "zh" else f"wrote {out}")
        sys.stdout.flush()
        echo_err(f"{total} parcels × {len(rulebook)} rules in {seconds:.1f} s")


def _summarize_and_write(held: list[ReadinessResult], zones: gpd.GeoDataFrame | None,
                         out: Path | None, head: str, lang: str, *, large: bool) -> None:
    """Print the summary of the result ``held`` (taken out of the list) under ``head`` and
    write ``out``: one after the other, memory given back between them, for a ``large``
    result; else the file is written (mostly Arrow and system calls, outside the GIL)
    while the summary is counted."""
    from gis.memory import release_memory
    from layers.readiness import summarize
    from layers.readiness.export import is_long, write_long, write_result

    result = held.pop()
    if large:
        # the layers, rasters and indexes go back to the system before the summary, the
        # parcels' geometries before the long table is written
        release_memory()
        typer.echo(head)
        typer.echo(summarize(result, zones=zones).text(lang))
        if out is not None and is_long(out):
            table = result.long
            del result
            release_memory()
            write_long(table, out)
        elif out is not None:
            write_result(result, out)
        return
    with ThreadPoolExecutor(max_workers=1) as pool:
        writing = pool.submit(write_result, result, out) if out is not None else None
        summary = summarize(result, zones=zones)
        typer.echo(head)
        typer.echo(summary.text(lang))
        if writing is not None:
            writing.result()
