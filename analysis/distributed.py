"""Run enrichment (spaCy NER + mentions, countries, events) on a Dask cluster instead of local processes; also
where saved pages are extracted during ingest (:func:`connect_for_pages`, used by
:class:`analysis.ingest.extractors.Extractor`: the pages of HTML folders and WARC files, bytes shipped from the
driver in batches, without loading spaCy on the workers).

:func:`enrich_distributed` is what :func:`analysis.pipeline.build` calls when ``BuildOptions.workers`` (a local
cluster of N worker processes) or ``BuildOptions.scheduler`` (an existing cluster, ``tcp://host:8786``) is set.

Design, and why:

- Partitions are pandas chunks of about :data:`PARTITION_SIZE` articles, read from the build's store copy one at a
  time and sent with ``client.submit`` (not ``dask.dataframe``). The articles live in the driver's DuckDB file, which
  remote workers cannot open, so the driver has to ship the text anyway; the result of a partition is an
  :class:`~analysis.enrich.Enrichment` (four DataFrames), which does not fit ``map_partitions``' one-frame model; and
  futures + ``as_completed`` give per-partition progress and let the driver keep only a bounded number of partitions
  in flight (:data:`IN_FLIGHT_PER_WORKER` each), so driver memory does not grow with the corpus.
- spaCy loads once per worker process: :class:`NLPPlugin` warms :func:`analysis.nlp.load_nlp` (cached per process)
  when it is registered, and every task reuses that cached pipeline. Workers run one thread each, so one spaCy
  pipeline per core, batching with ``nlp.pipe``.
- :func:`analysis.enrich.enrich_frame` is a pure function of its rows, so concatenating partition results in uid
  order gives exactly what a local build stores.

Running on a real cluster (see ``bench/README.md``): ``dask scheduler`` on one machine, ``dask worker
tcp://HOST:8786`` on each machine with the project installed (``pip install -r requirements.txt``), then
``python -m analysis build SOURCES --scheduler tcp://HOST:8786``.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Sequence
from typing import Any

from distributed import KilledWorker, WorkerPlugin

from analysis.errors import ClusterError  # noqa: F401 - re-exported: callers catch it from here too

#: Target articles per partition: large enough to amortise task overhead and fill ``nlp.pipe`` batches (a Reuters
#: story is ~130 words, so ~65k words or 5-10 s of NER per task), small enough for steady progress and balance.
PARTITION_SIZE = 500
#: Smallest partition, so a small build still spreads over every worker.
MIN_PARTITION_SIZE = 25
#: Partitions queued per worker: keeps every worker busy while bounding what the driver holds in memory.
IN_FLIGHT_PER_WORKER = 2
#: Seconds to wait for the scheduler to answer, and for at least one worker to join it.
CONNECT_TIMEOUT = 10.0
WORKER_TIMEOUT = 60.0

Progress = Callable[[str, int, int], None]


class NLPPlugin(WorkerPlugin):
    """Dask worker plugin: load the spaCy pipeline once when the worker starts (or when the plugin is registered)."""

    name = "newslens-nlp"

    def setup(self, worker=None) -> None:
        from analysis.nlp import load_nlp

        load_nlp()

    def teardown(self, worker=None) -> None:  # the cached pipeline dies with the worker process
        pass


def _worker_info() -> dict[str, Any]:
    """Run on each worker: proves the project imports there and reports what it would use."""
    import analysis
    from analysis.nlp import model_name

    return {"newslens": analysis.__version__, "model": model_name()}


def enrich_partition(frame, batch_size: int = 64):
    """Task body: enrich one partition (columns ``uid, title, text, date``) with this worker's cached pipeline.

    Returns an :class:`analysis.enrich.Enrichment`.
    """
    from analysis.enrich import enrich_frame
    from analysis.nlp import load_nlp

    return enrich_frame(frame, nlp=load_nlp(), n_process=1, batch_size=batch_size)


def partition_uids(uids: Sequence[int], n_workers: int, size: int | None = None) -> list[list[int]]:
    """Split ``uids`` (order kept) into consecutive partitions of about ``size`` articles (default: at most
    :data:`PARTITION_SIZE`, but at least 4 partitions per worker when that keeps them >= :data:`MIN_PARTITION_SIZE`).

    >>> [len(p) for p in partition_uids(list(range(60)), 2)]
    [25, 25, 10]
    """
    uids = list(uids)
    if not uids:
        return []
    if size is None:
        size = max(MIN_PARTITION_SIZE, min(PARTITION_SIZE, math.ceil(len(uids) / (4 * max(1, n_workers)))))
    return [uids[i:i + size] for i in range(0, len(uids), size)]


def _connect(options):
    """(client, cluster or None): a client on ``options.scheduler`` or on a new LocalCluster we own."""
    from distributed import Client, LocalCluster

    if options.scheduler:
        address = str(options.scheduler)
        try:
            client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise ClusterError(
                f"cannot reach the Dask scheduler at {address} ({exc.__class__.__name__}: {exc}). Start one with "
                f"`dask scheduler` (it listens on tcp://HOST:8786) and attach workers with `dask worker {address}` on "
                "each machine that has the project installed (pip install -r requirements.txt), or use --workers N "
                "for a local cluster."
            ) from exc
        return client, None
    n = int(options.workers)
    if n < 1:
        raise ValueError(f"workers must be at least 1, not {n}")
    # Worker warnings (e.g. "still alive after 4 s" at shutdown) would garble the build's progress bars.
    cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                           dashboard_address=None, silence_logs=logging.ERROR)
    try:
        client = Client(cluster, set_as_default=False)
    except BaseException:
        cluster.close()
        raise
    return client, cluster


def _prepare(client, address: str) -> int:
    """Wait for workers, check the project imports on them, load spaCy once per worker; returns the worker count."""
    try:
        client.wait_for_workers(1, timeout=WORKER_TIMEOUT)
    except (TimeoutError, OSError) as exc:
        raise ClusterError(
            f"the Dask scheduler at {address} has no workers after {WORKER_TIMEOUT:.0f} s. Start some with "
            f"`dask worker {address}` on machines with the project installed (pip install -r requirements.txt)."
        ) from exc
    try:
        client.run(_worker_info)
    except Exception as exc:  # an ImportError/OSError raised on a worker comes back here
        raise ClusterError(
            f"the Dask workers of {address} cannot run NewsLens ({exc.__class__.__name__}: {exc}). Install the "
            "project on every worker machine (pip install -r requirements.txt, same version as here)."
        ) from exc
    client.register_plugin(NLPPlugin(), name=NLPPlugin.name)
    return max(1, len(client.scheduler_info()["workers"]))


def enrich_distributed(w, pending_uids: Sequence[int], options, progress: Progress | None = None) -> list:
    """Enrich the articles ``pending_uids`` of the store being written (``w``: :class:`analysis.store.StoreWriter`)
    on a Dask cluster.

    ``options``: :class:`analysis.pipeline.BuildOptions`; uses ``scheduler`` (connect to it) or ``workers`` (start a
    local cluster of that many single-threaded worker processes, closed afterwards) and ``batch_size``.
    ``progress("enrich", done_articles, total)`` is called as partitions complete.

    Only the English articles are enriched, as in a local build (:func:`analysis.pipeline.english_only`); the others
    count as done. Returns a list of :class:`analysis.enrich.Enrichment`, one per partition, in uid order (the same
    rows a local build produces). Raises :class:`ClusterError` when the scheduler cannot be reached or has no
    usable workers.
    """
    from distributed import as_completed

    from analysis.enrich import Enrichment
    from analysis.pipeline import english_only

    progress = progress or (lambda stage, done, total: None)
    pending = list(pending_uids)
    total = len(pending)
    if not total:
        return []
    client, cluster = _connect(options)
    address = str(options.scheduler or client.scheduler.address)
    try:
        n_workers = _prepare(client, address)
        parts = partition_uids(pending, n_workers)
        results: dict[int, Any] = {}
        sizes: dict[Any, tuple[int, int]] = {}
        queue = iter(enumerate(parts))
        done = 0
        progress("enrich", 0, total)

        def submit_next(ac=None) -> bool:
            nonlocal done
            while True:
                item = next(queue, None)
                if item is None:
                    return False
                k, chunk = item
                # the local path's rule: only English articles go to the English NER (the others are counted as
                # not_english at ingest); a partition with none is done here, without a task
                frame = english_only(w.article_frame(chunk))
                if len(frame):
                    break
                results[k] = Enrichment()
                done += len(chunk)
                progress("enrich", done, total)
            # pure=False: identical partitions must still each run; the key only needs to be unique.
            fut = client.submit(enrich_partition, frame, options.batch_size, pure=False,
                                key=f"newslens-enrich-{k}-{time.time_ns()}")
            sizes[fut.key] = (k, len(chunk))
            if ac is not None:
                ac.add(fut)
            else:
                first.append(fut)
            return True

        first: list = []
        for _ in range(IN_FLIGHT_PER_WORKER * n_workers):
            if not submit_next():
                break
        ac = as_completed(first, loop=client.loop)
        for fut in ac:
            k, n = sizes.pop(fut.key)
            try:
                # A bug in enrichment re-raises here with the worker's traceback; only lost workers are wrapped.
                results[k] = fut.result()
            except KilledWorker as exc:
                raise ClusterError(f"partition {k} ({n} articles) killed its Dask workers at {address} ({exc}); "
                                   "check the workers' memory limit and logs") from exc
            fut.release()
            done += n
            progress("enrich", done, total)
            submit_next(ac)
        return [results[k] for k in range(len(parts))]
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _pages_worker_info() -> dict[str, Any]:
    """Run on each worker before pages are sent: proves the project and the page extractors import there."""
    import htmldate  # noqa: F401
    import trafilatura  # noqa: F401

    import analysis
    import analysis.ingest.html  # noqa: F401

    return {"newslens": analysis.__version__}


def connect_for_pages(options) -> tuple[Any, Any, int]:
    """``(client, cluster or None, worker count)`` for extracting saved pages (HTML files, WARC records) on Dask:
    ``options.scheduler`` or a LocalCluster of ``options.workers``, checked like enrichment's but without loading
    spaCy. Raises :class:`ClusterError` when the scheduler cannot be reached or its workers cannot run NewsLens."""
    client, cluster = _connect(options)
    address = str(options.scheduler or client.scheduler.address)
    try:
        client.wait_for_workers(1, timeout=WORKER_TIMEOUT)
        client.run(_pages_worker_info)
    except (TimeoutError, OSError) as exc:
        client.close()
        if cluster is not None:
            cluster.close()
        raise ClusterError(
            f"the Dask scheduler at {address} has no workers after {WORKER_TIMEOUT:.0f} s. Start some with "
            f"`dask worker {address}` on machines with the project installed (pip install -r requirements.txt)."
        ) from exc
    except Exception as exc:
        client.close()
        if cluster is not None:
            cluster.close()
        raise ClusterError(
            f"the Dask workers of {address} cannot read web pages ({exc.__class__.__name__}: {exc}). Install the "
            "project on every worker machine (pip install -r requirements.txt, same version as here)."
        ) from exc
    return client, cluster, max(1, len(client.scheduler_info()["workers"]))
