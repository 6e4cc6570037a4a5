"""A build in a child process with a memory limit, so a hostile or huge input cannot take the process that asked
for it (the dashboard's server) down with it.

    report = build_isolated(sources, store_path, options, progress=progress)

The child (``python -m analysis.isolated``) sets ``RLIMIT_AS`` to ``memory_bytes`` before it imports anything, runs
:func:`analysis.pipeline.build` and streams its progress back as JSON lines on stdout; the parent turns them into
``progress(stage, done, total)`` calls and returns the child's :class:`~analysis.pipeline.BuildReport`. A child that
runs out of memory, is killed, or fails raises :class:`IsolatedBuildError` with one clear line; the store is left as
it was (a build only ever swaps in a finished copy). Default limit: :data:`DEFAULT_MEMORY_BYTES`, or
``$NEWSLENS_BUILD_MEMORY_MB``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

#: Address-space limit of a build child. A 1-article build already maps ~2 GB (DuckDB's and spaCy's threads reserve
#: address space they do not use; RSS is ~0.4 GB), so the limit is on address space, not resident memory.
DEFAULT_MEMORY_BYTES = 4 * 1024**3
#: fewer malloc arenas: each thread's arena reserves 64 MB of address space it rarely uses
_CHILD_ENV = {"MALLOC_ARENA_MAX": "2"}

Progress = Callable[[str, int, int], None]


class IsolatedBuildError(RuntimeError):
    """The build child failed: out of memory, killed, or an error (the message says which and what to do)."""


def memory_limit() -> int:
    """Bytes a build child may map: ``$NEWSLENS_BUILD_MEMORY_MB`` (MB) or :data:`DEFAULT_MEMORY_BYTES`."""
    raw = os.environ.get("NEWSLENS_BUILD_MEMORY_MB", "").strip()
    if not raw:
        return DEFAULT_MEMORY_BYTES
    try:
        value = int(raw)
    except ValueError:
        raise IsolatedBuildError(f"NEWSLENS_BUILD_MEMORY_MB={raw!r} is not a whole number of MB") from None
    if value < 256:
        raise IsolatedBuildError(f"NEWSLENS_BUILD_MEMORY_MB={value} is too small for a build (at least 256)")
    return value * 1024**2


def build_isolated(sources: Sequence[str | Path], store_path: str | Path, options=None,
                   progress: Progress | None = None, memory_bytes: int | None = None,
                   on_warning: Callable[[str], None] | None = None):
    """Run :func:`analysis.pipeline.build` in a child limited to ``memory_bytes`` of address space.

    In: as ``build``, plus ``memory_bytes`` (default :func:`memory_limit`) and ``on_warning(text)`` for notes such as
    "topics not available, built without them". Out: the child's BuildReport. Raises IsolatedBuildError.
    """
    from analysis.pipeline import BuildOptions, BuildReport

    options = options or BuildOptions()
    limit = memory_limit() if memory_bytes is None else int(memory_bytes)
    request = {"sources": [str(s) for s in sources], "store": str(store_path), "options": _jsonable(asdict(options)),
               "memory_bytes": limit}
    env = {**os.environ, **_CHILD_ENV}
    root = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([sys.executable, "-m", "analysis.isolated"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=err, env=env, text=True)  # same cwd: relative paths
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(json.dumps(request))
        proc.stdin.close()
        result: dict[str, Any] | None = None
        try:
            for line in proc.stdout:
                try:
                    message = json.loads(line)
                except ValueError:
                    continue  # a library printing to stdout
                if "progress" in message and progress is not None:
                    progress(*message["progress"])
                elif "warning" in message and on_warning is not None:
                    on_warning(message["warning"])
                elif "report" in message or "error" in message:
                    result = message
        finally:
            code = proc.wait()
        err.seek(0)
        tail = err.read()[-2000:].decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
    mb = limit // 1024**2
    if result is not None and "report" in result:
        known = {f.name for f in fields(BuildReport)}
        return BuildReport(**{k: v for k, v in result["report"].items() if k in known})
    if result is not None and result["error"] == "MemoryError":
        raise IsolatedBuildError(f"the build ran out of memory (its limit is {mb:,} MB, NEWSLENS_BUILD_MEMORY_MB): "
                                 "split the input into smaller parts; the store was not changed")
    if result is not None:
        raise IsolatedBuildError(f"{result['error']}: {result['message']}")
    if code < 0:
        raise IsolatedBuildError(f"the build process was killed (signal {-code}; with a memory limit of {mb:,} MB "
                                 "this is usually the kernel's out-of-memory killer): split the input; the store "
                                 "was not changed")
    raise IsolatedBuildError(f"the build process failed (exit code {code}): {tail[0]}")


def _jsonable(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def _out_of_memory(exc: BaseException) -> bool:
    """The memory limit, hit somewhere other than a Python allocation: DuckDB's OutOfMemoryException, or a native
    library that could not be mapped (``ImportError: ... failed to map segment``)."""
    text = str(exc).lower()
    return "OutOfMemory" in type(exc).__name__ or "failed to map segment" in text or "cannot allocate memory" in text


def _child() -> int:
    """The child's side: read the request on stdin, limit memory, build, report on stdout."""
    import resource

    request = json.loads(sys.stdin.read())
    limit = int(request["memory_bytes"])
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    out = sys.stdout
    sys.stdout = sys.stderr  # anything else that prints goes to stderr, not into the protocol

    def send(message: dict[str, Any]) -> None:
        out.write(json.dumps(message, default=str) + "\n")
        out.flush()

    try:
        from analysis.pipeline import BuildOptions, build

        options = BuildOptions(**request["options"])
        def progress(stage, done, total):
            send({"progress": [stage, done, total]})

        try:
            report = build(request["sources"], request["store"], options, progress=progress)
        except ImportError as exc:
            if not options.topics or _out_of_memory(exc):
                raise
            send({"warning": f"Topics are not available in this installation ({exc}); building without topics."})
            options.topics = False
            report = build(request["sources"], request["store"], options, progress=progress)
    except MemoryError:
        send({"error": "MemoryError", "message": "out of memory"})
        return 1
    except Exception as exc:  # noqa: BLE001 - reported to the parent as one line
        if _out_of_memory(exc):
            send({"error": "MemoryError", "message": str(exc)[:2000]})
            return 1
        send({"error": type(exc).__name__, "message": str(exc)[:2000]})
        return 1
    send({"report": report.to_dict()})
    return 0


if __name__ == "__main__":
    sys.exit(_child())
