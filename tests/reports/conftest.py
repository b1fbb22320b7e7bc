"""Reports built once per session from the demo workspace (read-only), plus PDF helpers."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from layers.demo import AS_OF


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "".join("".join((page.extract_text() or "").split()) for page in reader.pages)


@pytest.fixture(scope="session")
def pdf_text():
    """``pdf_text(bytes)``: all text of a PDF with whitespace removed (cells wrap anywhere)."""
    return _pdf_text


@pytest.fixture(scope="session")
def as_of():
    return AS_OF


@pytest.fixture(scope="session")
def ws(demo_ws: Path):
    from layers.workspace import Workspace

    return Workspace.load(demo_ws)


@pytest.fixture(scope="session")
def rulebook(ws):
    from layers.readiness import load_rulebook

    return load_rulebook(ws.rules_path)


@pytest.fixture(scope="session")
def readiness(ws, rulebook, as_of):
    """The engine's results for every demo parcel: what the reports must agree with."""
    from layers.readiness import evaluate, inputs_from_workspace

    return evaluate(inputs_from_workspace(ws, rulebook=rulebook), rulebook, as_of=as_of)


@pytest.fixture(scope="session")
def costed_parcel(readiness) -> str:
    """A not-ready parcel whose failing rule has a distance gap and a cost estimate."""
    from layers.readiness import gap_to_ready

    gaps = gap_to_ready(readiness)
    gaps = gaps[(gaps["uncosted_rules"] == 0) & (gaps["total_cost"] > 0)]
    assert len(gaps), "the demo should have a parcel with a costed gap"
    return str(gaps["parcel_id"].iloc[0])


@pytest.fixture(scope="session")
def parcel_report(ws, costed_parcel, as_of):
    from layers.reports import build_parcel_report

    return build_parcel_report(ws, costed_parcel, lang="zh", as_of=as_of)


@pytest.fixture(scope="session")
def parcel_pdf(parcel_report, tmp_path_factory) -> bytes:
    from layers.reports import write_report

    path, _ = write_report(parcel_report, tmp_path_factory.mktemp("parcel") / "parcel.pdf")
    return path.read_bytes()


@pytest.fixture(scope="session")
def parcel_rows(readiness, costed_parcel) -> pd.DataFrame:
    long = readiness.long
    return long[long["parcel_id"].astype(str) == costed_parcel].reset_index(drop=True)


def _pdf_resources(data: bytes) -> dict[str, list]:
    """Fonts (base name, embedded?) and image sizes used on the pages of a PDF."""
    from pypdf import PdfReader

    fonts: list[tuple[str, bool]] = []
    images: list[tuple[int, int]] = []
    for page in PdfReader(io.BytesIO(data)).pages:
        res = page.get("/Resources")
        res = res.get_object() if res is not None else {}
        for font in (res.get("/Font") or {}).values():
            font = font.get_object()
            desc = None
            if font.get("/Subtype") == "/Type0":
                desc = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            else:
                desc = font.get("/FontDescriptor")
            desc = desc.get_object() if desc is not None else {}
            embedded = any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            fonts.append((str(font.get("/BaseFont")), embedded))
        for xobj in (res.get("/XObject") or {}).values():
            xobj = xobj.get_object()
            if xobj.get("/Subtype") == "/Image":
                images.append((int(xobj["/Width"]), int(xobj["/Height"])))
    return {"fonts": fonts, "images": images}


@pytest.fixture(scope="session")
def pdf_resources():
    """``pdf_resources(bytes)``: ``{"fonts": [(name, embedded)], "images": [(w, h)]}``."""
    return _pdf_resources


def _external_refs(html: str) -> list[str]:
    """Every reference in ``html`` that is not a ``data:`` URI (src, href, url(), @import)."""
    import re

    refs = re.findall(r"""(?:src|href|poster|data)\s*=\s*["']?([^"'\s>]+)""", html, flags=re.I)
    refs += re.findall(r"""url\(\s*["']?([^"')]+)""", html, flags=re.I)
    refs += re.findall(r"""@import\s+["']?([^"';]+)""", html, flags=re.I)
    bad = [r for r in refs if not r.startswith(("data:", "#"))]
    bad += re.findall(r"(?:https?|ftp|file)://[^\s\"'<>]+", html, flags=re.I)
    return bad


@pytest.fixture(scope="session")
def external_refs():
    """``external_refs(html)``: references that would leave the document (should be [])."""
    return _external_refs
