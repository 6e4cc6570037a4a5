"""analysis.distributed without a cluster: partitioning and the error when no scheduler answers."""

from __future__ import annotations

import socket

import pytest

from analysis import distributed
from analysis.distributed import ClusterError, enrich_distributed, partition_uids
from analysis.pipeline import BuildOptions


def test_partitions_keep_order_and_cover_every_uid():
    uids = list(range(100, 160))
    parts = partition_uids(uids, n_workers=2)
    assert [len(p) for p in parts] == [25, 25, 10]
    assert [u for p in parts for u in p] == uids


def test_partition_size_is_capped_for_big_corpora():
    parts = partition_uids(list(range(15_057)), n_workers=2)
    assert [len(p) for p in parts[:2]] == [500, 500]
    assert len(parts) == 31 and len(parts[-1]) == 57


def test_explicit_partition_size_and_empty_input():
    assert partition_uids([3, 1, 2], n_workers=8, size=2) == [[3, 1], [2]]
    assert partition_uids([], n_workers=2) == []


def test_nothing_pending_starts_no_cluster():
    # neither a scheduler address nor a cluster is touched when there is no work
    assert enrich_distributed(None, [], BuildOptions(scheduler="tcp://127.0.0.1:1"), None) == []


def test_unreachable_scheduler_names_address_and_how_to_start_one(monkeypatch):
    monkeypatch.setattr(distributed, "CONNECT_TIMEOUT", 1.0)
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    expected = rf"cannot reach the Dask scheduler at {address}.*dask scheduler.*dask worker"
    with pytest.raises(ClusterError, match=expected):
        enrich_distributed(None, [1, 2, 3], BuildOptions(scheduler=address), None)
