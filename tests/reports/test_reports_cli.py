"""`devzone report`: writes the file, prints the time, one-sentence errors with exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _fresh_app(monkeypatch: pytest.MonkeyPatch) -> None:
    """A new ``devzone`` app with only the report command (main() registers on each call)."""
    import typer

    import cli.main as cli_main

    app = typer.Typer(pretty_exceptions_enable=False, add_completion=False)
    app.callback()(cli_main._root)
    monkeypatch.setattr(cli_main, "app", app)
    monkeypatch.setattr(cli_main, "COMMAND_MODULES", ("cli.report",))


def _run(args: list[str]) -> int:
    import cli.main as cli_main

    return cli_main.main(args)


def test_parcel_report_to_html(demo_ws: Path, tmp_path, costed_parcel, as_of, capsys):
    out = tmp_path / "p.html"
    code = _run(["report", str(demo_ws), "--parcel", costed_parcel, "--out", str(out),
                 "--as-of", as_of.isoformat(), "--lang", "en"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert out.exists() and costed_parcel in out.read_text(encoding="utf-8")
    assert f"wrote {out}" in captured.out and " s" in captured.out


def test_zone_report_to_pdf(demo_ws: Path, tmp_path, as_of, capsys):
    out = tmp_path / "z.pdf"
    code = _run(["report", str(demo_ws), "--zone", "CZJK", "--out", str(out),
                 "--as-of", as_of.isoformat()])
    assert code == 0, capsys.readouterr().err
    assert out.read_bytes()[:5] == b"%PDF-"


@pytest.mark.parametrize(("extra", "message"), [
    (["--zone", "CZGX", "--restoration"], "exactly one report"),
    ([], "exactly one report"),
    (["--zone", "CZGX", "--lang", "fr"], "--lang"),
    (["--zone", "NOPE"], "Zone 'NOPE'"),
    (["--restoration", "--as-of", "30/06/2025"], "not a date"),
])
def test_bad_options_are_one_sentence_errors(demo_ws: Path, tmp_path, capsys, extra, message):
    out = tmp_path / "x.html"
    code = _run(["report", str(demo_ws), "--out", str(out), *extra])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and "Traceback" not in err
    assert not out.exists()


def test_unknown_suffix_is_refused(demo_ws: Path, tmp_path, capsys):
    code = _run(["report", str(demo_ws), "--restoration", "--out", str(tmp_path / "x.docx")])
    err = capsys.readouterr().err
    assert code == 2 and ".docx" in err and ".pdf" in err
