"""Where saved pages are extracted: in the build's own process, in a local pool of processes, or on a Dask cluster.

Extracting a page (lxml parse, trafilatura, htmldate) costs 20-100 ms, against well under 1 ms to read its bytes, so
a folder of ``.html`` files, the pages inside zip/tar archives and the records of WARC files are read in order by
the build process and each page's extraction is handed to an :class:`Extractor`. ``Extractor.ordered`` gives results
back in input order with a bounded number of pages in flight (memory stays flat for a 1 GB WARC), so ids, notes and
the build summary are the same as a one-process build.

- ``Extractor()`` (the default of ``iter_sources``): one process per core (at most 4), started only once more than
  :data:`POOL_MIN_JOBS` pages have come (a pool costs 1-2 s to start; a handful of pages is faster inline).
- ``Extractor(workers=1)``: everything inline.
- ``Extractor.for_build(options)`` with ``options.workers`` / ``options.scheduler`` set (``build --workers N`` /
  ``--scheduler tcp://HOST:8786``): pages go to the Dask cluster's workers in batches of :data:`DASK_BATCH`, the
  page bytes shipped from the driver (remote workers cannot open the driver's files), as enrichment does in
  :mod:`analysis.distributed`.

A page whose extraction raises (a bug in a library on odd markup) comes back as that exception, so the caller
rejects that one page and goes on; if a pool worker dies, the pages it held are rejected the same way and the rest
are extracted in the build's own process.

>>> with Extractor(workers=1) as ex:
...     [r for _, r in ex.ordered(iter([Job(len, "ab"), "x", Job(len, "abc")]))]
[2, 'x', 3]
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

__all__ = ["DASK_BATCH", "IN_FLIGHT_PER_WORKER", "POOL_MIN_JOBS", "Extractor", "Failed", "Job", "run_job"]

#: Pages extracted inline before a local pool is started.
POOL_MIN_JOBS = 24
#: Pages (or batches, on Dask) queued per worker: keeps every worker busy, bounds the pages held in memory.
IN_FLIGHT_PER_WORKER = 4
#: Pages per Dask task: a task costs a few ms of scheduling, a page 20-100 ms of work.
DASK_BATCH = 8


@dataclass
class Job:
    """``fn(arg)`` to run where the extractor runs it; ``fn`` must be a module-level function (picklable)."""

    fn: Callable[[Any], Any]
    arg: Any


@dataclass
class Failed:
    """What a job raised, as text (a worker's exception may not unpickle in the driver)."""

    error: str


def _run(fn: Callable[[Any], Any], arg: Any) -> Any:
    try:
        return fn(arg)
    except Exception as exc:  # noqa: BLE001 - one page's failure must come back as a value, not end the batch
        return Failed(f"{type(exc).__name__}: {str(exc)[:160]}")


def run_job(job: Job) -> Any:
    """``job.fn(job.arg)`` here, in this process, or a :class:`Failed` when it raises."""
    return _run(job.fn, job.arg)


def _run_batch(jobs: list[tuple[Callable[[Any], Any], Any]]) -> list[Any]:
    return [_run(fn, arg) for fn, arg in jobs]


class _Done:
    """A result computed inline, shaped like a future."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def result(self) -> Any:
        return self.value


class Extractor:
    """Runs :class:`Job` values inline, in a local process pool (``workers`` > 1, default one per core up to 4), or
    on Dask (:meth:`for_build`). Use as a context manager, or call :meth:`close`; pools start lazily."""

    def __init__(self, workers: int | None = None, *, min_jobs: int = POOL_MIN_JOBS, dask_options: Any = None):
        self.workers = workers if workers is not None else min(os.cpu_count() or 1, 4)
        self.min_jobs = min_jobs
        self.dask_options = dask_options
        self.jobs_seen = 0
        self._pool = None
        self._client = None
        self._cluster = None

    @classmethod
    def for_build(cls, options: Any) -> Extractor:
        """The extractor of a build: Dask when ``options.workers`` or ``options.scheduler`` is set, else local."""
        if getattr(options, "workers", None) or getattr(options, "scheduler", None):
            return cls(workers=int(options.workers or 1), min_jobs=0, dask_options=options)
        return cls()

    @property
    def remote(self) -> bool:
        return self.dask_options is not None

    @property
    def started(self) -> bool:
        return self._pool is not None or self._client is not None

    @property
    def parallel(self) -> bool:
        return self.remote or self.workers > 1

    def __enter__(self) -> Extractor:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def _start(self) -> None:
        if self.remote:
            from analysis.distributed import connect_for_pages

            self._client, self._cluster, n = connect_for_pages(self.dask_options)
            self.workers = n
        else:
            from concurrent.futures import ProcessPoolExecutor

            # spawn, not fork: the build process holds DuckDB and other threads a forked child must not inherit.
            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))

    def _use_pool(self) -> bool:
        if not self.parallel:
            return False
        if not self.started and self.jobs_seen > self.min_jobs:
            self._start()
        return self.started

    def _submit(self, batch: list[Job]):
        if self._client is not None:
            import time

            return self._client.submit(_run_batch, [(j.fn, j.arg) for j in batch], pure=False,
                                       key=f"newslens-pages-{time.time_ns()}-{id(batch)}")
        if self._pool is not None:
            from concurrent.futures.process import BrokenProcessPool

            try:
                return self._pool.submit(_run_batch, [(j.fn, j.arg) for j in batch])
            except BrokenProcessPool:
                # A worker died (killed, out of memory): the pages in flight come back as Failed (rejected by
                # name); the rest are extracted here, in this process.
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool, self.workers = None, 1
        return _Done(_run_batch([(j.fn, j.arg) for j in batch]))

    def ordered(self, items: Iterator[Any]) -> Iterator[tuple[Any, Any]]:
        """``(item, result)`` for every item of ``items`` in input order: a :class:`Job`'s result is ``fn(arg)`` (or
        a :class:`Failed`), any other item is passed through as ``(item, item)`` once every job before it is done -
        so the caller may stream it (e.g. the records of a CSV file) before the next item is pulled."""
        window: deque = deque()  # (future, [jobs]) in input order
        batch: list[Job] = []

        def flush() -> None:
            if batch:
                window.append((self._submit(list(batch)), list(batch)))
                batch.clear()

        def drain(limit: int) -> Iterator[tuple[Any, Any]]:
            while len(window) > limit:
                future, jobs = window.popleft()
                try:
                    results = future.result()
                except Exception as exc:  # noqa: BLE001 - a lost worker fails its pages only
                    results = [Failed(f"{type(exc).__name__}: {str(exc)[:160]}")] * len(jobs)
                yield from zip(jobs, results, strict=True)

        for item in items:
            if not isinstance(item, Job):
                flush()
                yield from drain(0)
                yield item, item
                continue
            self.jobs_seen += 1
            if not self._use_pool():
                flush()
                yield from drain(0)
                yield item, _run(item.fn, item.arg)
                continue
            batch.append(item)
            if len(batch) >= (DASK_BATCH if self.remote else 1):
                flush()
            yield from drain(self.workers * IN_FLIGHT_PER_WORKER)
        flush()
        yield from drain(0)
