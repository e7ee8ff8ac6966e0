"""nc.verify on a dask.distributed cluster: each worker verifies its chunks, the reports merge."""

from __future__ import annotations

import numpy as np
import pytest
from test_verify import evidence, nudged
from zoo import fitted, probe_points

import nnconvert as nc
from nnconvert.verify.distributed import verify_chunk

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    # in-process workers (threads): starts in well under a second; processes=True would pay
    # for importing torch twice more. dashboard_address=None would still serve HTTP on :8787;
    # ":0" takes a free port, so a dashboard the user has running is left alone.
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                       dashboard_address=":0")
    with distributed.Client(cluster) as client:
        yield client
    cluster.close()


@pytest.mark.parametrize("case_id", ["svc-rbf-iris", "logreg-blobs-newton-cg"])
def test_a_cluster_gives_the_in_memory_verdict(client, case_id):
    estimator, X_train, X_test = fitted(case_id)
    X = np.vstack([X_test, probe_points(X_train, 1000)])
    net = nc.convert(estimator)
    lazy = da.from_array(X, chunks=(211, -1))
    for candidate in (net, nudged(net, 0.7, X)):
        on_cluster = nc.verify(estimator, candidate, lazy, batch_size=64)
        assert on_cluster.backend == "dask"
        assert evidence(on_cluster) == evidence(nc.verify(estimator, candidate, X))
    assert len(client.scheduler_info()["workers"]) == 2


def _chunks_verified(dask_worker) -> int:
    # the worker's transition log names each task; verify_chunk's keys start with its name
    return len({entry[0] for entry in dask_worker.state.log
                if str(entry[0]).startswith("verify_chunk-")})


def test_both_workers_take_part(client):
    estimator, X_train, _ = fitted("logreg-iris-str")
    X = da.from_array(probe_points(X_train, 4000), chunks=(250, -1))
    before = client.run(_chunks_verified)
    report = nc.verify(estimator, nc.convert(estimator), X)
    assert report.passed and report.n_samples == 4000 and report.backend == "dask"
    after = client.run(_chunks_verified)
    done = {worker: count - before[worker] for worker, count in after.items()}
    assert len(done) == 2 and all(count > 0 for count in done.values()), done
    assert sum(done.values()) == 16


def test_a_chunk_is_verified_with_its_global_row_numbers():
    estimator, X_train, _ = fitted("logreg-iris-str")
    X = probe_points(X_train, 300)
    net = nc.convert(estimator)
    net.classes_ = net.classes_[[1, 0, 2]]
    part = verify_chunk(estimator, net, X[100:200], 100, ["decision_function", "predict"], 40)
    whole = nc.verify(estimator, net, X)
    expected = whole.disagreeing_rows[(whole.disagreeing_rows >= 100)
                                      & (whole.disagreeing_rows < 200)]
    np.testing.assert_array_equal(part.mismatch_rows, expected)
    assert part.n_samples == 100


def test_worker_processes_over_tcp_loopback_give_the_in_memory_verdict():
    # the threads above share our memory; here the estimator and the network are pickled,
    # sent over TCP to another Python process and unpickled there, as on a real cluster
    estimator, X_train, X_test = fitted("svc-rbf-iris-proba")
    X = np.vstack([X_test, probe_points(X_train, 600)])
    net = nc.convert(estimator)
    cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                       protocol="tcp", host="127.0.0.1", dashboard_address=":0")
    with cluster, distributed.Client(cluster) as remote:
        for candidate in (net, nudged(net, 0.7, X)):
            on_cluster = nc.verify(estimator, candidate, da.from_array(X, chunks=(150, -1)))
            assert on_cluster.backend == "dask"
            assert evidence(on_cluster) == evidence(nc.verify(estimator, candidate, X))
        (worker,) = remote.scheduler_info()["workers"]
        assert worker.startswith("tcp://127.0.0.1:")
