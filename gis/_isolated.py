"""Reading untrusted files in a child process with a time and memory limit.

The child answers with data only, never with code: the features as an Arrow IPC
file (geometry as WKB) and a small JSON document (CRS, notes, or the error).
Nothing the child writes is unpickled, so a compromised or confused child can at
worst hand back wrong data, which the parent checks like any other input.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd
import pyproj
import shapely

from gis import errors as _errors
from gis._locate import _as_path
from gis._notes import Note
from gis.errors import InputError, PlannerError

if TYPE_CHECKING:
    from gis._read import ReadResult

__all__ = ["read_table_isolated", "read_vector_isolated"]

_GIB = 1024**3
_DATA = "result.arrow"  # the features or rows: Arrow IPC file, geometry as WKB
_META = "result.json"  # written last: {"status": "ok" | "error", …}
_MAX_META = 4 * 1024**2  # a larger answer is malformed (notes are a few sentences)
_VECTOR_ARGS = frozenset({"layer", "encoding", "expect", "assume_crs"})
_TABLE_ARGS = frozenset({"layer", "encoding"})

_CHILD_BOOT = (
    "import resource, sys\n"
    "lim = int(sys.argv[1])\n"
    "if lim > 0:\n"
    "    resource.setrlimit(resource.RLIMIT_AS, (lim, lim))\n"
    "import runpy\n"
    "sys.argv = [sys.argv[0], *sys.argv[2:]]\n"
    "runpy.run_module('gis._isolated', run_name='__main__', alter_sys=True)\n"
)


def read_vector_isolated(
    source: str | os.PathLike[str],
    *,
    timeout: float = 60.0,
    memory_limit: int = 4 * _GIB,
    **kwargs: Any,
) -> ReadResult:
    """:func:`read_vector` in a child process with a time and address-space limit.

    A GDAL crash, hang or runaway allocation on an untrusted upload then costs
    only the child. ``kwargs`` are those of :func:`read_vector`.

    Parameters
    ----------
    timeout : float
        Seconds before the child is killed.
    memory_limit : int
        Address-space limit of the child in bytes (RLIMIT_AS); 0 for none.

    Raises
    ------
    InputError
        "the file could not be parsed safely: …" on a crash, timeout, memory
        exhaustion or a malformed answer; errors raised by ``read_vector`` in the
        child are re-raised with their own class and message.
    """
    from gis._read import ReadResult

    _check_args(kwargs, _VECTOR_ARGS)
    path = _as_path(source).resolve()
    meta, frame = _run_child("vector", path, _json_kwargs(kwargs), timeout, memory_limit)
    try:
        gdf = _to_geodataframe(frame, meta)
        notes = [_note(n) for n in meta.get("notes", [])]
        crs_source = meta.get("crs_source", "declared")
        if crs_source not in ("declared", "detected", "assumed"):
            raise ValueError(f"crs_source {crs_source!r}")
        return ReadResult(gdf=gdf, notes=notes, source=str(meta.get("source", path)),
                          crs_source=crs_source)
    except (ValueError, TypeError, KeyError, pyproj.exceptions.CRSError,
            shapely.errors.ShapelyError) as exc:
        raise _malformed(path, exc) from None


def read_table_isolated(
    source: str | os.PathLike[str],
    *,
    timeout: float = 60.0,
    memory_limit: int = 4 * _GIB,
    **kwargs: Any,
) -> pd.DataFrame:
    """:func:`read_table` in a child process, with the limits of :func:`read_vector_isolated`.

    ``kwargs`` are those of :func:`read_table` (``layer``, ``encoding``).
    """
    _check_args(kwargs, _TABLE_ARGS)
    path = _as_path(source).resolve()
    _, frame = _run_child("table", path, kwargs, timeout, memory_limit)
    return frame


# ---------------------------------------------------------------------------
# parent side
# ---------------------------------------------------------------------------


def _child_command(memory_limit: int, request: Path) -> list[str]:
    """The child's command line (a separate function so tests can substitute a fake child)."""
    return [sys.executable, "-c", _CHILD_BOOT, str(int(memory_limit)), str(request)]


def _run_child(op: str, path: Path, kwargs: dict[str, Any], timeout: float,
               memory_limit: int) -> tuple[dict[str, Any], pd.DataFrame]:
    """Run the child on ``path``; its JSON answer and its rows (errors re-raised here)."""
    root = str(Path(__file__).resolve().parent.parent)
    with tempfile.TemporaryDirectory(prefix="devzone-read-") as tmp:
        request = Path(tmp) / "request.json"
        request.write_text(
            json.dumps({"op": op, "source": str(path), "kwargs": kwargs, "out": tmp}),
            encoding="utf-8",
        )
        env = dict(os.environ)
        env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH")
                                    else "")
        env.setdefault("OPENBLAS_NUM_THREADS", "1")
        try:
            proc = subprocess.run(
                _child_command(memory_limit, request), capture_output=True, timeout=timeout,
                env=env, check=False, stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            raise InputError(
                f"The file {path.name} could not be parsed safely: reading took longer than "
                f"{timeout:g} s and was stopped.",
                hint="Check the file, or simplify/split it before uploading.",
                zh=f"无法安全解析文件 {path.name}：读取超过 {timeout:g} 秒，已中止。",
                hint_zh="请检查文件，或先简化、拆分后再上传。",
            ) from None
        meta_path = Path(tmp) / _META
        if proc.returncode != 0 or not meta_path.is_file():
            failure, failure_zh = _child_failure(proc)
            raise InputError(
                f"The file {path.name} could not be parsed safely: {failure}.",
                hint="Check the file, or export it again from the source software.",
                zh=f"无法安全解析文件 {path.name}：{failure_zh}。",
                hint_zh="请检查文件，或用原软件重新导出。",
            )
        try:
            meta = _load_meta(meta_path)
            error = _rebuild_error(meta) if meta["status"] == "error" else None
            if error is None and meta["status"] != "ok":
                raise ValueError(f"status {meta['status']!r}")
            frame = None if error else _read_arrow(Path(tmp) / _DATA)
        except (ValueError, TypeError, KeyError, OSError) as exc:
            raise _malformed(path, exc) from None
    if error is not None:
        raise error
    assert frame is not None
    return meta, frame


def _load_meta(path: Path) -> dict[str, Any]:
    if path.stat().st_size > _MAX_META:
        raise ValueError("the answer is too large")
    meta = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(meta, dict) or "status" not in meta:
        raise ValueError("the answer is not a JSON object with a status")
    return meta


def _read_arrow(path: Path) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.ipc

    try:
        with pa.memory_map(str(path), "r") as source:
            table = pyarrow.ipc.open_file(source).read_all()
    except pa.ArrowException as exc:
        raise ValueError(f"the rows are not an Arrow IPC file ({exc})") from None
    return table.to_pandas()


def _to_geodataframe(frame: pd.DataFrame, meta: dict[str, Any]) -> gpd.GeoDataFrame:
    geom_col = meta["geometry"]
    if not isinstance(geom_col, str) or geom_col not in frame:
        raise ValueError(f"no geometry column {geom_col!r}")
    wkb = frame[geom_col].to_numpy(dtype=object)
    if any(v is not None and not isinstance(v, bytes) for v in wkb):
        raise TypeError("the geometry column does not hold WKB")
    geoms = shapely.from_wkb(wkb)
    crs = meta.get("crs")
    if crs is not None and not isinstance(crs, str):
        raise TypeError("crs is not text")
    data = frame.copy()
    data[geom_col] = gpd.GeoSeries(geoms, index=frame.index)
    return gpd.GeoDataFrame(data, geometry=geom_col, crs=crs)


def _note(item: Any) -> Note:
    if not isinstance(item, dict):
        raise TypeError("a note is not a JSON object")
    severity = item["severity"]
    if severity not in ("info", "warning"):
        raise ValueError(f"note severity {severity!r}")
    count = item.get("count")
    if count is not None and not isinstance(count, int):
        raise TypeError("note count is not an integer")
    return Note(severity, str(item["code"]), str(item["message_en"]),
                str(item.get("message_zh", "")), count)


def _rebuild_error(meta: dict[str, Any]) -> PlannerError:
    """The child's PlannerError, rebuilt from its class name and texts."""
    cls = getattr(_errors, str(meta.get("class")), InputError)
    if not (isinstance(cls, type) and issubclass(cls, PlannerError)):
        cls = InputError

    def text(key: str) -> str | None:
        value = meta.get(key)
        return value if isinstance(value, str) else None

    return cls(text("message") or "The file could not be read.", hint=text("hint"),
               zh=text("zh"), hint_zh=text("hint_zh"))


def _malformed(path: Path, exc: Exception) -> InputError:
    detail = str(exc)[:200]
    return InputError(
        f"The file {path.name} could not be parsed safely: the reader's answer was malformed "
        f"({detail}).",
        hint="Check the file, or export it again from the source software.",
        zh=f"无法安全解析文件 {path.name}：读取程序返回的结果格式不正确（{detail}）。",
        hint_zh="请检查文件，或用原软件重新导出。",
    )


def _check_args(kwargs: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(kwargs) - allowed
    if unknown:
        raise TypeError(f"unexpected argument(s) {sorted(unknown)}")


def _json_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    out = dict(kwargs)
    if out.get("assume_crs") is not None:
        out["assume_crs"] = _crs_text(out["assume_crs"])
    return out


def _crs_text(crs: Any) -> str:
    """``AUTH:CODE`` when the CRS has one, else its WKT."""
    crs = pyproj.CRS.from_user_input(crs)
    auth = crs.to_authority()
    return f"{auth[0]}:{auth[1]}" if auth else crs.to_wkt()


def _child_failure(proc: subprocess.CompletedProcess[bytes]) -> tuple[str, str]:
    """Why the child failed, in English and Chinese."""
    stderr = proc.stderr.decode("utf-8", "replace").strip().splitlines()
    last = stderr[-1][:200] if stderr else ""
    if proc.returncode < 0:
        try:
            name = signal.Signals(-proc.returncode).name
        except ValueError:
            name = f"signal {-proc.returncode}"
        return f"the reader crashed ({name})", f"读取程序崩溃（{name}）"
    if "MemoryError" in last or "memory" in last.lower():
        return "the reader ran out of memory", "读取程序内存不足"
    detail = last or f"exit code {proc.returncode}"
    return f"the reader failed ({detail})", f"读取程序出错（{detail}）"


# ---------------------------------------------------------------------------
# child side
# ---------------------------------------------------------------------------


def _arrow_table(frame: pd.DataFrame) -> Any:
    """``frame`` as an Arrow table; a column of mixed Python objects becomes text."""
    import pyarrow as pa

    frame = pd.DataFrame(frame)
    frame.columns = [str(c) for c in frame.columns]
    try:
        return pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowException, TypeError, ValueError):
        fixed = frame.copy()
        for col in fixed.columns:
            try:
                pa.array(fixed[col], from_pandas=True)
            except (pa.ArrowException, TypeError, ValueError):
                fixed[col] = fixed[col].map(lambda v: v if v is None or pd.isna(v) else str(v))
        return pa.Table.from_pandas(fixed, preserve_index=False)


def _write_answer(out: Path, meta: dict[str, Any], frame: pd.DataFrame | None) -> None:
    import pyarrow as pa
    import pyarrow.ipc

    if frame is not None:
        table = _arrow_table(frame)
        with pa.OSFile(str(out / _DATA), "wb") as sink, \
                pyarrow.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table)
    tmp = out / (_META + ".part")
    tmp.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, out / _META)


def _child_main(argv: Sequence[str]) -> int:
    """Entry of the child process: ``python -m gis._isolated REQUEST.json``."""
    import dataclasses

    from gis._read import read_table, read_vector  # not at the top: gis._read imports us

    request = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    out = Path(request["out"])
    frame: pd.DataFrame | None = None
    try:
        if request["op"] == "table":
            frame = read_table(request["source"], **request["kwargs"])
            meta: dict[str, Any] = {"status": "ok"}
        else:
            res = read_vector(request["source"], **request["kwargs"])
            gdf = res.gdf
            geom = gdf.geometry.name
            frame = pd.DataFrame(gdf.drop(columns=[geom]))
            frame[geom] = shapely.to_wkb(gdf.geometry.to_numpy())
            meta = {
                "status": "ok", "geometry": geom,
                "crs": None if gdf.crs is None else gdf.crs.to_wkt(),
                "notes": [dataclasses.asdict(n) for n in res.notes],
                "source": res.source, "crs_source": res.crs_source,
            }
    except PlannerError as exc:
        frame = None
        meta = {"status": "error", "class": type(exc).__name__, "message": exc.message,
                "hint": exc.hint, "zh": exc.zh, "hint_zh": exc.hint_zh}
    except MemoryError:
        frame = None
        name = Path(request["source"]).name
        meta = {"status": "error", "class": "InputError",
                "message": f"The file {name} could not be parsed safely: the reader ran out "
                "of memory.", "zh": f"无法安全解析文件 {name}：读取程序内存不足。"}
    _write_answer(out, meta, frame)
    return 0


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1:]))
