"""HTML from the Jinja2 templates, PDF from that HTML (WeasyPrint), and the atomic write."""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gis.errors import InputError, PlannerError

__all__ = ["FORMATS", "Report", "render_html", "to_pdf", "write_report"]

FORMATS = (".html", ".htm", ".pdf")
TEMPLATES = Path(__file__).with_name("templates")


@dataclass
class Report:
    """A rendered report: one self-contained HTML document and what it is about.

    Attributes
    ----------
    html
        The whole document (CSS inline, images as ``data:`` URIs, no external URL).
    title
        Title as shown in the document (in the report's language).
    filename
        A suggested file name without suffix (ASCII-safe id, e.g. ``parcel_CZ-001``).
    lang
        ``zh`` or ``en``.
    notes
        What was missing or approximated (also printed in the report).
    seconds
        Time spent building the HTML (data gathering, checks, map, template).
    """

    html: str
    title: str
    filename: str = "report"
    lang: str = "zh"
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


@functools.cache
def _env() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    return env


@functools.cache
def _css() -> str:
    from layers.palette import badge_css

    return (TEMPLATES / "report.css").read_text(encoding="utf-8") + badge_css() + "\n"


def render_html(template: str, **context: Any) -> str:
    """Render ``templates/<template>`` with ``context`` (autoescaped) and the inline CSS."""
    return _env().get_template(template).render(css=_css(), **context)


def to_pdf(html: str) -> bytes:
    """The A4 PDF of a report's HTML, rendered by WeasyPrint without any network access.

    Chinese text needs a CJK font (``fonts-noto-cjk``); the stylesheet names
    "Noto Sans CJK SC" first.
    """
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: system pango missing
        raise PlannerError(f"PDF output needs WeasyPrint and its system libraries ({exc}).",
                           hint="Install weasyprint and pango, or write .html and print it "
                           "from the browser.",
                           zh=f"生成 PDF 需要 WeasyPrint 及其系统库（{exc}）。",
                           hint_zh="请安装 weasyprint 和 pango，或改为输出 .html 后在浏览器中打印。"
                           ) from exc
    # data: URIs only: a report never reaches the network or the file system
    try:
        from weasyprint.urls import URLFetcher
    except ImportError:  # WeasyPrint < 67: a fetcher is a function
        from weasyprint import default_url_fetcher

        def fetcher(url: str, *args: Any, **kwargs: Any) -> Any:
            if not url.startswith("data:"):
                raise ValueError(f"URI uses disallowed protocol: {url[:60]}")
            return default_url_fetcher(url, *args, **kwargs)
    else:
        fetcher = URLFetcher(allowed_protocols={"data"}, timeout=1)
    return weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf()


def write_report(report: Report, path: str | Path) -> tuple[Path, float]:
    """Write ``report`` as ``.html`` or ``.pdf`` (by suffix) atomically.

    Returns the path and the seconds spent on this step (PDF rendering included).
    """
    from gis import io as gio

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"Cannot write report {path}: unknown format {path.suffix!r}.",
                         hint="Use .html or .pdf.",
                         zh=f"无法写入报告 {path}：不支持的格式 {path.suffix!r}。",
                         hint_zh="请使用 .html 或 .pdf。")
    t0 = time.perf_counter()
    if suffix == ".pdf":
        gio.write_bytes_atomic(path, to_pdf(report.html))
    else:
        gio.write_text_atomic(path, report.html)
    return path, time.perf_counter() - t0
