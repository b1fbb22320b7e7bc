"""Reading untrusted files in a child process with a time and memory limit."""

from __future__ import annotations

import json
import os
import pickle
import signal
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyproj

from gis import errors as _errors
from gis._locate import _as_path
from gis.errors import InputError, PlannerError

if TYPE_CHECKING:
    from gis._read import ReadResult

_GIB = 1024**3

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
        "the file could not be parsed safely: …" on a crash, timeout or memory
        exhaustion; errors raised by ``read_vector`` in the child are re-raised
        with their own class and message.
    """
    path = _as_path(source).resolve()
    root = str(Path(__file__).resolve().parent.parent)
    with tempfile.TemporaryDirectory(prefix="devzone-read-") as tmp:
        request = Path(tmp) / "request.json"
        result = Path(tmp) / "result.pkl"
        request.write_text(
            json.dumps({"source": str(path), "kwargs": _json_kwargs(kwargs), "out": str(result)}),
            encoding="utf-8",
        )
        env = dict(os.environ)
        env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH")
                                    else "")
        env.setdefault("OPENBLAS_NUM_THREADS", "1")
        cmd = [sys.executable, "-c", _CHILD_BOOT, str(int(memory_limit)), str(request)]
        try:
            proc = subprocess.run(
                cmd, capture_output=True, timeout=timeout, env=env, check=False,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            raise InputError(
                f"The file {path.name} could not be parsed safely: reading took longer than "
                f"{timeout:g} s and was stopped.",
                hint="Check the file, or simplify/split it before uploading.",
                zh=f"无法安全解析文件 {path.name}：读取超过 {timeout:g} 秒，已中止。",
                hint_zh="请检查文件，或先简化、拆分后再上传。",
            ) from None
        if result.exists() and proc.returncode == 0:
            with open(result, "rb") as fh:
                payload = pickle.load(fh)  # written by our own child process
            if payload[0] == "ok":
                return payload[1]
            _, cls_name, message, hint, zh, hint_zh = payload
            cls = getattr(_errors, cls_name, InputError)
            if not (isinstance(cls, type) and issubclass(cls, PlannerError)):
                cls = InputError
            raise cls(message, hint=hint, zh=zh, hint_zh=hint_zh)
        failure, failure_zh = _child_failure(proc)
        raise InputError(
            f"The file {path.name} could not be parsed safely: {failure}.",
            hint="Check the file, or export it again from the source software.",
            zh=f"无法安全解析文件 {path.name}：{failure_zh}。",
            hint_zh="请检查文件，或用原软件重新导出。",
        )


def _json_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    allowed = {"layer", "encoding", "expect", "assume_crs"}
    unknown = set(kwargs) - allowed
    if unknown:
        raise TypeError(f"unexpected argument(s) {sorted(unknown)}")
    out = dict(kwargs)
    if out.get("assume_crs") is not None:
        crs = pyproj.CRS.from_user_input(out["assume_crs"])
        auth = crs.to_authority()
        out["assume_crs"] = f"{auth[0]}:{auth[1]}" if auth else crs.to_wkt()
    return out


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


def _child_main(argv: Sequence[str]) -> int:
    """Entry of the child process: ``python -m gis._isolated REQUEST.json``."""
    from gis._read import read_vector  # not at the top: gis._read imports this module

    request = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    try:
        res: Any = ("ok", read_vector(request["source"], **request["kwargs"]))
    except PlannerError as exc:
        res = ("error", type(exc).__name__, exc.message, exc.hint, exc.zh, exc.hint_zh)
    except MemoryError:
        name = Path(request["source"]).name
        res = ("error", "InputError",
               f"The file {name} could not be parsed safely: the reader ran out of memory.",
               None, f"无法安全解析文件 {name}：读取程序内存不足。", None)
    tmp = request["out"] + ".part"
    with open(tmp, "wb") as fh:
        pickle.dump(res, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, request["out"])
    return 0


if __name__ == "__main__":
    # run the importable copy of this module: nothing pickled may refer to __main__
    from gis._isolated import _child_main as _main

    sys.exit(_main(sys.argv[1:]))
