"""Long Parquet data sets read batch by batch into the Panel a long DataFrame gives."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.conftest import make_long_frame, make_tiny_model
from tsrm.exceptions import IrregularIndexError, TSRMInputError
from tsrm.forecasting.series import parquet, to_panel

pytest.importorskip("pyarrow")


@pytest.fixture
def small_batches(monkeypatch):
    """Batches of 50 rows: series run across batch boundaries."""
    monkeypatch.setattr(parquet, "BATCH_ROWS", 50)


def _frame(dtype=np.float32) -> pd.DataFrame:
    frame = make_long_frame()
    return frame.assign(y=frame["y"].astype(dtype))


def _write_parts(frame: pd.DataFrame, folder, cuts: list[int]) -> None:
    """``frame`` in files cut at row positions ``cuts`` (a series may span two files)."""
    folder.mkdir()
    bounds = [0, *cuts, len(frame)]
    for k, (lo, hi) in enumerate(zip(bounds, bounds[1:], strict=False)):
        frame.iloc[lo:hi].to_parquet(folder / f"part-{k:02d}.parquet", row_group_size=40)


def _same_panel(a, b) -> None:
    assert a.ids == b.ids and a.kind == b.kind and a.dtype == b.dtype
    assert a.indexes == b.indexes
    for va, vb in zip(a.values, b.values, strict=True):
        assert va.dtype == vb.dtype
        np.testing.assert_array_equal(va, vb)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("keep_float32", [True, False])
def test_a_file_reads_as_the_frame_does(tmp_path, small_batches, dtype, keep_float32):
    frame = _frame(dtype)
    frame.to_parquet(tmp_path / "fleet.parquet", row_group_size=40)
    from_file = to_panel(tmp_path / "fleet.parquet", keep_float32=keep_float32)
    _same_panel(from_file, to_panel(frame, keep_float32=keep_float32))
    assert all(not v.flags.writeable for v in from_file.values)


def test_a_directory_of_files_reads_in_name_order(tmp_path, small_batches):
    frame = _frame()
    _write_parts(frame, tmp_path / "fleet", cuts=[130, 310, 400])  # 'a' ends at row 300
    _same_panel(to_panel(str(tmp_path / "fleet")), to_panel(frame))


def test_fit_on_a_file_gives_the_model_of_the_frame(tmp_path, small_batches):
    """Same data both ways: the same network, bit for bit, and the same forecasts."""
    frame = _frame()
    frame.to_parquet(tmp_path / "fleet.parquet", row_group_size=40)
    in_memory = make_tiny_model().fit(frame)
    from_file = make_tiny_model().fit(tmp_path / "fleet.parquet")
    for p, q in zip(in_memory.network_.parameters(), from_file.network_.parameters(), strict=True):
        assert np.array_equal(p.detach().numpy(), q.detach().numpy())
    pd.testing.assert_frame_equal(in_memory.predict(), from_file.predict())
    pd.testing.assert_frame_equal(
        in_memory.predict(y=frame), from_file.predict(y=tmp_path / "fleet.parquet")
    )


def test_data_read_from_a_file_is_trained_on_from_a_scratch_file(tmp_path, monkeypatch):
    """Scaled training data stays off the process's own memory when the data came from disk
    (the model is the same either way: the test above)."""
    from tsrm.forecasting.series import scaling

    sizes = []
    real = scaling.scratch_array
    monkeypatch.setattr(scaling, "scratch_array", lambda n, d: sizes.append(n) or real(n, d))
    frame = _frame()
    frame.to_parquet(tmp_path / "fleet.parquet")
    make_tiny_model().fit(frame)
    assert sizes == []
    make_tiny_model().fit(tmp_path / "fleet.parquet")
    assert sizes == [len(frame)]


def test_rows_of_a_series_apart_are_refused(tmp_path, small_batches):
    frame = _frame()
    shuffled = pd.concat([frame.iloc[:100], frame.iloc[300:], frame.iloc[100:300]])
    shuffled.to_parquet(tmp_path / "fleet.parquet")
    with pytest.raises(TSRMInputError, match="'a' are not consecutive.*sort_values"):
        to_panel(tmp_path / "fleet.parquet")


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda d: _frame().drop(columns="ds").to_parquet(d / "x.parquet") or d / "x.parquet",
         r"lacks column\(s\) \['ds'\]"),
        (lambda d: _frame().to_csv(d / "x.csv") or d / "x.csv", "not a .parquet file.*read_csv"),
        (lambda d: d / "absent.parquet", "neither a file nor a directory"),
        (lambda d: (d / "empty").mkdir() or d / "empty", "holds no .parquet files"),
        (lambda d: _frame().iloc[:0].to_parquet(d / "x.parquet") or d / "x.parquet", "no rows"),
    ],
    ids=["missing-column", "csv", "absent", "empty-directory", "no-rows"],
)  # fmt: skip
def test_bad_paths_get_clear_errors(tmp_path, make, words):
    with pytest.raises(TSRMInputError, match=words):
        to_panel(make(tmp_path))


def test_the_frame_checks_apply_to_each_batch(tmp_path, small_batches):
    frame = _frame()
    frame.loc[5, "ds"] = frame.loc[4, "ds"]  # a duplicated timestamp in series 'a'
    frame.to_parquet(tmp_path / "fleet.parquet")
    with pytest.raises(IrregularIndexError, match="'a' has duplicated timestamps"):
        to_panel(tmp_path / "fleet.parquet")


def _fleet(n_series: int = 5) -> pd.DataFrame:
    """``n_series`` hourly series of different lengths, in one long frame."""
    parts = [
        _frame().query("unique_id == 'a'").assign(unique_id=f"s{k}").iloc[: 100 + 30 * k]
        for k in range(n_series)
    ]
    return pd.concat(parts, ignore_index=True)


def test_a_share_reads_every_nth_series(tmp_path, small_batches):
    """Three processes' shares: disjoint, together every series, each as a full read has it."""
    frame = _fleet()
    _write_parts(frame, tmp_path / "fleet", cuts=[170, 520])  # series span batches and files
    whole = to_panel(tmp_path / "fleet")
    shares = [to_panel(tmp_path / "fleet", share=(rank, 3)) for rank in range(3)]
    assert [p.ids for p in shares] == [["s0", "s3"], ["s1", "s4"], ["s2"]]
    assert [p.share for p in shares] == [(0, 3), (1, 3), (2, 3)] and whole.share is None
    for panel in shares:
        for sid, values, index in zip(panel.ids, panel.values, panel.indexes, strict=True):
            k = whole.ids.index(sid)
            np.testing.assert_array_equal(values, whole.values[k])
            assert index == whole.indexes[k]


def test_a_share_still_checks_every_series(tmp_path, small_batches):
    frame = _fleet(3)
    apart = pd.concat([frame.iloc[:60], frame.iloc[230:], frame.iloc[60:230]])  # 's0' apart
    apart.to_parquet(tmp_path / "fleet.parquet")
    with pytest.raises(TSRMInputError, match="'s0' are not consecutive"):
        to_panel(tmp_path / "fleet.parquet", share=(1, 2))  # 's0' is not in this share


def test_a_process_without_series_is_told_why(tmp_path):
    _fleet(2).to_parquet(tmp_path / "fleet.parquet")
    with pytest.raises(TSRMInputError, match="process 2 of 3 has no series.*at most as many"):
        to_panel(tmp_path / "fleet.parquet", share=(2, 3))
