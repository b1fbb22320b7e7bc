"""The ``devzone`` command: the same functions the app uses, from the shell.

Every command group lives in its own module exposing ``register(app)``. Errors
are one sentence on stderr with exit code 2; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import atexit
import gc
import importlib
import os
import signal
import sys
import threading
from typing import NoReturn

import click
import typer

from cli._common import DEBUG, echo_err
from gis.errors import PlannerError

# typer ≥ 0.2x raises its own vendored click exceptions; plain click's may come too
_CLICK_ERRORS: tuple[type[Exception], ...] = (click.ClickException,)
_ABORT: tuple[type[BaseException], ...] = (click.exceptions.Abort, KeyboardInterrupt)
try:
    from typer._click import exceptions as _typer_click

    _CLICK_ERRORS += (_typer_click.ClickException,)
except ImportError:  # pragma: no cover - older typer uses click itself
    pass

app = typer.Typer(
    name="devzone",
    help="Development-zone planner: standard-land readiness and mine restoration (长治市).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain click help: importing rich would cost most of a --help
)

# command modules, each with register(app)
COMMAND_MODULES = ("cli.data", "cli.demo", "cli.check", "cli.rules", "cli.restoration",
                   "cli.report", "cli.history", "cli.supervise", "cli.users", "cli.planning",
                   "cli.scenario")


@app.callback()
def _root(debug: bool = typer.Option(False, "--debug", help="Show tracebacks on errors.")) -> None:
    DEBUG["on"] = debug


def _register() -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(app)


def main(argv: list[str] | None = None) -> int:
    """Run one ``devzone`` command; returns the exit code."""
    # a command builds large, acyclic arrays: collecting young objects every 700
    # allocations (the default) costs a whole check of 1e5 parcels about 0.2 s
    gc.set_threshold(*_GC_THRESHOLDS)
    _arrow_allocator()
    _terminate_cleanly()
    _register()
    args = sys.argv[1:] if argv is None else argv
    DEBUG["on"] = "--debug" in args
    try:
        rv = app(args=args, standalone_mode=False)
    except PlannerError as exc:
        if DEBUG["on"]:
            raise
        echo_err(f"error: {exc}")
        return 2
    except OSError as exc:  # the system refused a read or a write (disk full, permissions)
        if DEBUG["on"]:
            raise
        where = f" ({exc.filename})" if exc.filename else ""
        echo_err(f"error: {exc.strerror or exc}{where}. Check the disk space and the "
                 "permissions of the files named, then run the command again.")
        return 2
    except typer.Exit as exc:
        return exc.exit_code
    except _Terminated:
        echo_err("Terminated; a file being written was not written.")
        return 143  # 128 + SIGTERM, as a shell reports a process ended by it
    except SystemExit as exc:  # click usage errors
        return int(exc.code or 0)
    except _CLICK_ERRORS as exc:  # usage errors: print them as click would, no traceback
        exc.show()
        return exc.exit_code
    except _ABORT:
        echo_err("Aborted.")
        return 1
    return rv if isinstance(rv, int) else 0


class _Terminated(BaseException):
    """The process was asked to stop (``SIGTERM``); not an ``Exception``, as Ctrl-C is not."""


def _terminate_cleanly() -> None:
    """``SIGTERM`` (``kill``, a service stopping) ends a command as Ctrl-C does: as an
    exception in the main thread, so that a write in progress removes its temporary files
    and folders instead of leaving them behind. Exit status 143 (128 + 15)."""
    if threading.current_thread() is not threading.main_thread():
        return

    def terminate(_signum: int, _frame: object) -> None:
        writer = sys.modules.get("gis._write")  # not imported: nothing is being written
        if writer is not None:
            writer.abandon_writes()  # also the writes on other threads
        raise _Terminated

    signal.signal(signal.SIGTERM, terminate)


def _arrow_allocator() -> None:
    """Arrow allocates with jemalloc in a command (Linux, unless ``ARROW_DEFAULT_MEMORY_POOL``
    names another; read when pyarrow first allocates).

    Arrow's default, mimalloc, gives the large buffers of a CSV being rendered back to the
    system batch by batch, and takes them again as new pages: writing the 1e5-parcel long
    table cost 1.7 s of system time, against 0.5 s with jemalloc, which keeps them for reuse.
    The PyPI wheels of pyarrow for Linux carry jemalloc; a pyarrow without it warns once
    and keeps its default.
    """
    if sys.platform.startswith("linux") and "pyarrow" not in sys.modules:
        os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "jemalloc")


def run() -> NoReturn:
    """Entry point of the ``devzone`` script: :func:`main`, then exit at once.

    A check leaves millions of objects (geometries, arrays) that the interpreter would
    free one by one at exit (0.2 s at 1e5 parcels). Once the output is flushed and the
    ``atexit`` handlers have run, nothing else needs them, so the process ends without
    freeing them. With another thread still running, or output that cannot be flushed,
    the process exits the normal way.
    """
    code = main()
    if threading.active_count() == 1:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):  # e.g. a closed pipe: let the normal exit report it
            sys.exit(code)
        atexit._run_exitfuncs()
        os._exit(code)
    sys.exit(code)


#: gc thresholds of a command (young generation, middle, old): see :func:`main`
_GC_THRESHOLDS = (100_000, 50, 100)

if __name__ == "__main__":
    run()
