"""``devzone demo``: build the Changzhi demo workspace (real county boundaries, synthetic data)."""

from __future__ import annotations

from pathlib import Path

import typer

from cli._common import echo_err, fail
from gis.errors import PlannerError

__all__ = ["register"]


def demo(
    out: Path = typer.Option(Path("data/demo"), "--out", help="Folder to build (replaced if it "
                             "is a demo workspace; any other non-empty folder is refused)."),
    parcels: int = typer.Option(300, "--parcels", min=1,
                                help="Number of standard-land parcels (e.g. 100000 for "
                                     "benchmarks); other layers do not change."),
    seed: int = typer.Option(2021, "--seed", help="Random seed; the same seed gives the "
                                                  "same data."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only the final line."),
    fmt: str = typer.Option("gpkg", "--format", help="gpkg: every layer in layers.gpkg; "
                            "parquet: the parcels as the GeoParquet dataset parcels.parquet/ "
                            "(written batch by batch, for 10⁷ parcels and --engine dask)."),
) -> None:
    """Build the Changzhi demo workspace (default data/demo)."""
    from layers.demo import build_demo

    try:
        summary = build_demo(out, parcels=parcels, seed=seed, fmt=fmt,
                             progress=None if quiet else (lambda m: echo_err(f"… {m}")))
    except PlannerError as exc:
        raise fail(exc) from None
    if not quiet:
        for line in summary.format():
            typer.echo(line)
    typer.echo(f"built {summary.out} in {summary.seconds:.1f} s, "
               f"{summary.bytes / 1e6:.1f} MB (synthetic data except the county boundaries)")


def register(app: typer.Typer) -> None:
    """Add the ``demo`` command to the ``devzone`` app."""
    app.command("demo")(demo)
