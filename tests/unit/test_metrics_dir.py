"""`o2o serve --workers N` empties PROMETHEUS_MULTIPROC_DIR of an earlier run's values: prometheus-client's
own files only, never another .db that happens to be there (the SQLite database, if the directory was
set to the data directory)."""

from __future__ import annotations

from o2o.kernel import metrics


def test_only_prometheus_client_files_are_removed(tmp_path):
    theirs = ["counter_12.db", "gauge_livesum_12.db", "gauge_all_7.db", "histogram_12.db", "summary_3.db"]
    ours = ["o2o.db", "counter.db", "counter_12.db-wal", "notes.txt"]
    for name in theirs + ours:
        (tmp_path / name).write_bytes(b"x")
    metrics.prepare_multiprocess_dir(str(tmp_path))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(ours)
