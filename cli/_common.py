"""Shared CLI plumbing: error reporting, workspace loading, dates, progress."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import typer

from gis.errors import InputError, PlannerError

__all__ = ["DEBUG", "check_csv_out", "check_lang", "display_width", "echo_err", "fail",
           "load_workspace", "parse_date", "scenario_of", "split_ids"]

DEBUG = {"on": False}


def display_width(text: str) -> int:
    """Terminal columns ``text`` takes (CJK characters take two)."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def echo_err(text: str) -> None:
    """Print to stderr."""
    typer.echo(text, err=True)


def fail(exc: PlannerError, code: int = 2) -> typer.Exit:
    """Report ``exc`` as one readable sentence on stderr and return an ``Exit`` to raise."""
    if DEBUG["on"]:
        raise exc
    echo_err(f"error: {exc}")
    return typer.Exit(code)


def load_workspace(path: Path):  # -> Workspace (lazy import keeps --help fast)
    """Load a workspace or raise a PlannerError naming the folder."""
    from layers.workspace import Workspace

    return Workspace.load(path)


def parse_date(text: str | None, *, option: str = "--as-of",
               default: date | None = None) -> date:
    """Parse an ISO date (YYYY-MM-DD); ``None`` means ``default`` (a workspace's
    snapshot date ``as_of``), else today."""
    if text is None:
        return default or date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{option} {text!r} is not a date.",
                         hint="Use the ISO form YYYY-MM-DD, e.g. 2025-06-30.",
                         zh=f"{option} {text!r} 不是有效日期。",
                         hint_zh="请使用 YYYY-MM-DD 格式，如 2025-06-30。") from None


def check_lang(lang: str, what: str = "the output") -> None:
    """Refuse a ``--lang`` other than ``zh`` or ``en`` (an :class:`InputError`)."""
    if lang not in ("zh", "en"):
        raise InputError(f"--lang {lang!r} is not a language of {what}.",
                         hint="Use --lang zh or --lang en.",
                         zh=f"--lang {lang!r} 不是可用的输出语言。",
                         hint_zh="请使用 --lang zh 或 --lang en。")


def check_csv_out(out: Path | None) -> None:
    """Refuse an ``--out`` that is not a ``.csv`` file (an :class:`InputError`)."""
    if out is not None and out.suffix.lower() != ".csv":
        raise InputError(f"--out {out}: unknown format {out.suffix!r}.",
                         hint="Use a .csv file (utf-8-sig).",
                         zh=f"--out {out}：未知的格式 {out.suffix!r}。",
                         hint_zh="请使用 .csv 文件（utf-8-sig 编码）。")


def is_tty() -> bool:
    return sys.stderr.isatty()


def split_ids(values: list[str] | str | None) -> list[str]:
    """Ids from repeated options and/or comma-separated text (blanks dropped)."""
    if not values:
        return []
    items = [values] if isinstance(values, str) else values
    return [p.strip() for v in items for p in v.split(",") if p.strip()]


def scenario_of(build: list[str] | str | None, assume_planned: bool, *, name: str = ""):
    """The scenario of ``--build`` / ``--assume-planned`` (refusing both at once)."""
    from layers.planning.scenario import Scenario

    ids = split_ids(build)
    if ids and assume_planned:
        raise InputError("--build and --assume-planned cannot be combined.",
                         hint="Name the projects with --build, or use --assume-planned alone.",
                         zh="--build 与 --assume-planned 不能同时使用。",
                         hint_zh="请用 --build 指定项目，或单独使用 --assume-planned。")
    return Scenario.of(ids, assume_planned=assume_planned, name=name)
