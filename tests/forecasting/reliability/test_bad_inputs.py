"""The bad-input catalogue: every bad input gets tsrm's own error, naming the problem.

Each case is one distinct bad input. Where the contract is shared, a case runs against
TRMForecaster, DLinear (neural, through tsrm.forecasting.neural) and SeasonalNaive (statistical).
A case passes only if the exception is the expected tsrm class (a ValueError subclass
from tsrm.exceptions, or scikit-learn's NotFittedError before fit) and its message
contains the key words. CLI cases live with the CLI tests.
"""

from __future__ import annotations

import json
import os

import numpy as np
import pandas as pd
import pytest
import torch
from reliability_helpers import ALL_MODELS, HORIZON, LOOKBACK, NEURAL, hourly, trm
from safetensors.torch import load_file, save_file
from sklearn.exceptions import NotFittedError

from tsrm import DLinear, TRMForecaster
from tsrm.exceptions import (
    IrregularIndexError,
    MissingValuesError,
    ModelFileError,
    SeriesTooShortError,
    TSRMInputError,
)
from tsrm.forecasting.datasets import (
    DatasetNotFoundError,
    UnknownDatasetError,
    load_dataset,
    read_series,
)

N = 120


def _y(n: int = N) -> pd.Series:
    return hourly(n)


def _with(values, position, value) -> pd.Series:
    out = _y().copy()
    out.iloc[position] = value
    return out


def _tz_mixed_index() -> pd.Series:
    stamps = [pd.Timestamp("2024-01-01", tz="UTC") + pd.Timedelta(hours=i) for i in range(N)]
    stamps[5] = pd.Timestamp("2024-01-01 05:00")  # one naive timestamp among tz-aware ones
    return pd.Series(_y().to_numpy(), index=pd.Index(stamps, dtype=object))


def _tz_mixed_long() -> pd.DataFrame:
    ds = ["2024-01-01T00:00+00:00"] + [
        (pd.Timestamp("2024-01-01") + pd.Timedelta(hours=i)).strftime("%Y-%m-%dT%H:%M+02:00")
        for i in range(1, N)
    ]
    return pd.DataFrame({"unique_id": "a", "ds": ds, "y": _y().to_numpy()})


# (id, bad input built lazily, expected error, words the message must contain)
DATA_CASES = [
    ("empty_array", lambda: np.array([]), TSRMInputError, ["empty"]),
    ("empty_series", lambda: pd.Series([], dtype=float), TSRMInputError, ["empty"]),
    ("no_columns", lambda: pd.DataFrame(index=_y().index), TSRMInputError, ["no columns"]),
    ("all_nan", lambda: _y() * np.nan, MissingValuesError, ["only NaN"]),
    ("pos_inf", lambda: _with(_y(), 7, np.inf), MissingValuesError, ["infinite"]),
    (
        "neg_inf_wide",
        lambda: pd.DataFrame({"a": _y(), "b": _with(_y(), 3, -np.inf)}),
        MissingValuesError,
        ["infinite"],
    ),
    ("too_short", lambda: _y(HORIZON + 1), SeriesTooShortError, ["points"]),
    ("irregular", lambda: _y().drop(_y().index[[10, 50]]), IrregularIndexError, ["regular"]),
    (
        "duplicated",
        lambda: pd.Series(_y().to_numpy(), index=_y().index[[0, *range(N - 1)]]),
        IrregularIndexError,
        ["duplicated"],
    ),
    ("unsorted", lambda: _y().iloc[np.r_[1, 0, 2:N]], IrregularIndexError, ["order", "sort"]),
    ("tz_mixed_index", _tz_mixed_index, IrregularIndexError, ["time zone"]),
    ("tz_mixed_long", _tz_mixed_long, IrregularIndexError, ["time zone"]),
    (
        "text_index",
        lambda: pd.Series(_y().to_numpy(), index=[f"t{i}" for i in range(N)]),
        IrregularIndexError,
        ["index", "dtype"],
    ),
    (
        "float_index",
        lambda: pd.Series(_y().to_numpy(), index=np.arange(N) * 0.5),
        IrregularIndexError,
        ["index", "float64"],
    ),
    ("strings", lambda: _y().astype(str), TSRMInputError, ["non-numeric"]),
    (
        "object_dtype",
        lambda: pd.Series(_y().to_numpy().astype(object), index=_y().index),
        TSRMInputError,
        ["non-numeric", "object"],
    ),
    ("booleans", lambda: _y() > 10, TSRMInputError, ["boolean"]),
    ("complex", lambda: _y().to_numpy() + 1j, TSRMInputError, ["non-numeric", "complex"]),
    (
        "datetimes_as_values",
        lambda: pd.Series(_y().index, index=_y().index),
        TSRMInputError,
        ["non-numeric"],
    ),
    ("rank_3", lambda: np.zeros((N, 2, 2)), TSRMInputError, ["3-D"]),
    ("rank_0", lambda: np.array(1.5), TSRMInputError, ["0-D"]),
    ("dict", lambda: {"y": list(_y())}, TSRMInputError, ["pandas Series"]),
    (
        "duplicated_columns",
        lambda: pd.DataFrame(np.ones((N, 2)), index=_y().index, columns=["a", "a"]),
        TSRMInputError,
        ["duplicated column"],
    ),
    (
        "long_without_y",
        lambda: pd.DataFrame({"unique_id": "a", "ds": _y().index, "value": _y().to_numpy()}),
        TSRMInputError,
        ["unique_id", "'y'"],
    ),
]

MODEL_IDS = list(ALL_MODELS)


def _use(model, y):
    """Fit and forecast: statistical models check some things (length) only at predict."""
    return model.fit(y).predict()


def _check(info, words: list[str]) -> None:
    message = str(info.value)
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"
    assert type(info.value).__module__.startswith(("tsrm", "sklearn")), type(info.value)


@pytest.mark.parametrize("name", MODEL_IDS)
@pytest.mark.parametrize(
    ("make", "error", "words"), [c[1:] for c in DATA_CASES], ids=[c[0] for c in DATA_CASES]
)
def test_fit_rejects_bad_data(name, make, error, words):
    with pytest.raises(error) as info:
        _use(ALL_MODELS[name](), make())
    _check(info, words)


@pytest.mark.parametrize("name", MODEL_IDS)
@pytest.mark.parametrize(
    ("make", "error", "words"),
    [c[1:] for c in DATA_CASES if c[0] not in ("too_short",)],
    ids=[c[0] for c in DATA_CASES if c[0] not in ("too_short",)],
)
def test_predict_rejects_bad_new_data(name, make, error, words, fitted):
    with pytest.raises(error) as info:
        fitted[name].predict(y=make())
    _check(info, words)


# -- NaN: masked by the neural models by default, rejected on request and by the others ---
@pytest.mark.parametrize("name", list(NEURAL))
def test_some_nan_rejected_with_missing_error(name):
    with pytest.raises(MissingValuesError) as info:
        NEURAL[name](missing="error").fit(_with(_y(), 4, np.nan))
    _check(info, ["1 NaN", "missing='mask'"])


def test_some_nan_rejected_by_statistical_baseline():
    with pytest.raises(MissingValuesError) as info:
        ALL_MODELS["SeasonalNaive"]().fit(_with(_y(), 4, np.nan))
    _check(info, ["NaN", "SeasonalNaive does not handle missing values"])


@pytest.mark.parametrize("name", list(NEURAL))
def test_bad_missing_policy(name):
    with pytest.raises(TSRMInputError) as info:
        NEURAL[name](missing="drop").fit(_y())
    _check(info, ["missing must be one of", "'drop'"])


def test_all_nan_training_part_names_the_series():
    y = pd.DataFrame({"ok": _y(), "gappy": _y()})
    y.iloc[: N - 30, 1] = np.nan  # observed only in the validation tail
    with pytest.raises(MissingValuesError) as info:
        trm(validation_size=30).fit(y)
    _check(info, ["'gappy'", "no observed"])


# -- constant series are fine: they forecast the constant -----------------------------------
@pytest.mark.parametrize("name", MODEL_IDS)
def test_constant_series_forecasts_the_constant(name):
    y = pd.Series(3.25, index=_y().index)
    forecast = ALL_MODELS[name]().fit(y).predict()
    np.testing.assert_array_equal(forecast.to_numpy(), 3.25)


# -- predict arguments -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def fitted():
    y = _y()
    return {name: make().fit(y) for name, make in ALL_MODELS.items()}


@pytest.mark.parametrize("name", MODEL_IDS)
@pytest.mark.parametrize("h", [0, -3, 2.5, np.float64(3.0), True, "3"], ids=repr)
def test_bad_h(name, h, fitted):
    with pytest.raises(TSRMInputError) as info:
        fitted[name].predict(h=h)
    _check(info, ["h must be a positive integer"])


@pytest.mark.parametrize("name", MODEL_IDS)
def test_exogenous_x_unsupported_or_unfitted(name, fitted):
    """Models without covariate support refuse X; the neural ones refuse X that fit never saw."""
    from tsrm.forecasting.neural.estimator import WindowForecaster

    neural = isinstance(fitted[name], WindowForecaster)
    if not neural:
        with pytest.raises(TSRMInputError) as info:
            ALL_MODELS[name]().fit(_y(), X=_y().to_frame())
        _check(info, ["Exogenous", "X=None"])
    with pytest.raises(TSRMInputError) as info:
        fitted[name].predict(X=np.zeros((6, 2)))  # X the model was not fitted with
    _check(info, ["fitted without X"] if neural else ["Exogenous"])


@pytest.mark.parametrize("name", MODEL_IDS)
def test_predict_before_fit(name):
    with pytest.raises(NotFittedError) as info:
        ALL_MODELS[name]().predict()
    _check(info, ["not fitted"])


@pytest.mark.parametrize("name", list(NEURAL))
def test_predict_history_shorter_than_lookback(name, fitted):
    assert np.isfinite(fitted[name].predict(y=_y(LOOKBACK - 1)).to_numpy()).all()


# -- load ------------------------------------------------------------------------------------
@pytest.fixture(scope="module", params=list(NEURAL))
def saved(request, fitted, tmp_path_factory):
    """(class, a function returning a fresh copy of a saved model directory)."""
    name = request.param
    source = tmp_path_factory.mktemp(name) / "model"
    fitted[name].save(source)
    counter = iter(range(10**6))

    def fresh():
        target = tmp_path_factory.mktemp(f"{name}-{next(counter)}") / "model"
        target.mkdir()
        for file in source.iterdir():
            (target / file.name).write_bytes(file.read_bytes())
        return target

    return type(fitted[name]), fresh


def _edit_config(path, edit) -> None:
    config = json.loads((path / "config.json").read_text())
    edit(config)
    (path / "config.json").write_text(json.dumps(config))


def _truncate(path) -> None:
    data = (path / "model.safetensors").read_bytes()
    (path / "model.safetensors").write_bytes(data[: len(data) // 2])


def _shrink_first_network_tensor(path) -> None:
    tensors = load_file(str(path / "model.safetensors"))
    key = next(k for k in tensors if k.startswith("network."))
    tensors[key] = tensors[key].reshape(-1)[:1].clone()
    save_file(tensors, str(path / "model.safetensors"))


def _more_series_in_context(path) -> None:
    tensors = load_file(str(path / "model.safetensors"))
    tensors["context.values"] = torch.cat([tensors["context.values"]] * 2)
    save_file(tensors, str(path / "model.safetensors"))


def _bump_lookback(config) -> None:
    config["network"]["lookback"] += 1
    config["params"]["lookback"] += 1


LOAD_CASES = [
    ("no_directory", lambda p: os.rename(p, f"{p}-gone"), ["config.json"]),
    ("truncated_weights", _truncate, ["truncated"]),
    ("garbage_weights", lambda p: (p / "model.safetensors").write_bytes(os.urandom(64)), ["corr"]),
    ("empty_weights", lambda p: (p / "model.safetensors").write_bytes(b""), ["corrupted"]),
    ("no_weights", lambda p: (p / "model.safetensors").unlink(), ["model.safetensors"]),
    ("config_not_json", lambda p: (p / "config.json").write_text("{not json"), ["JSON"]),
    ("config_binary", lambda p: (p / "config.json").write_bytes(b"\xff\xfe\x00"), ["JSON"]),
    ("config_a_list", lambda p: (p / "config.json").write_text("[1, 2]"), ["not a tsrm"]),
    (
        "future_format_version",
        lambda p: _edit_config(p, lambda c: c.update(format_version=99)),
        ["version 99", "refit"],
    ),
    (
        "foreign_format",
        lambda p: _edit_config(p, lambda c: c.update(format="sktime.Forecaster")),
        ["not a tsrm"],
    ),
    ("shape_disagrees", _shrink_first_network_tensor, ["do not match", "shape"]),
    (
        "lookback_disagrees",
        lambda p: _edit_config(p, _bump_lookback),
        ["do not match"],
    ),
    ("context_disagrees", _more_series_in_context, ["context holds 2 series"]),
    (
        "params_unknown",
        lambda p: _edit_config(p, lambda c: c["params"].update(evil=1)),
        ["do not match", "evil"],
    ),
    (
        "context_kind_unknown",
        lambda p: _edit_config(p, lambda c: c["context"].update(kind="weird")),
        ["do not match", "weird"],
    ),
]


@pytest.mark.parametrize(
    ("damage", "words"), [c[1:] for c in LOAD_CASES], ids=[c[0] for c in LOAD_CASES]
)
def test_load_rejects_damaged_model_files(damage, words, saved):
    cls, fresh = saved
    path = fresh()
    damage(path)
    with pytest.raises(ModelFileError) as info:
        cls.load(path)
    _check(info, words)


def test_load_rejects_a_model_of_another_class(saved):
    cls, fresh = saved
    other = DLinear if cls is TRMForecaster else TRMForecaster
    with pytest.raises(ModelFileError) as info:
        other.load(fresh())
    _check(info, [f"load it with {cls.__name__}.load()"])


def test_undamaged_copy_loads(saved):
    cls, fresh = saved
    assert np.isfinite(cls.load(fresh()).predict().to_numpy()).all()


# -- data loaders ----------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["ETTh9", "", 5, None])
def test_unknown_dataset(name):
    with pytest.raises(UnknownDatasetError) as info:
        load_dataset(name)
    _check(info, ["Unknown data set", "ETTh1"])


def test_dataset_files_missing(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("TSRM_DATA_DIR", raising=False)
    with pytest.raises(DatasetNotFoundError) as info:
        load_dataset("ETTh1", data_dir=tmp_path)
    _check(info, ["not found", "ETTh1.csv"])


def _csv(tmp_path, content: bytes | str, name: str = "data.csv"):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


READ_CASES = [
    ("missing_file", lambda d: d / "nope.csv", DatasetNotFoundError, ["does not exist"]),
    ("directory", lambda d: d, TSRMInputError, ["directory"]),
    ("not_a_path", lambda d: 42, TSRMInputError, ["int", "CSV file path"]),
    ("empty_file", lambda d: _csv(d, ""), TSRMInputError, ["empty"]),
    ("header_only", lambda d: _csv(d, "date,value\n"), TSRMInputError, ["no data rows"]),
    ("binary", lambda d: _csv(d, bytes(range(128, 256)) * 4), TSRMInputError, ["encoding"]),
    ("no_date_column", lambda d: _csv(d, "a,b\n1,2\n3,4\n"), TSRMInputError, ["dates"]),
    (
        "text_values",
        lambda d: _csv(d, "date,v\n2024-01-01,x\n2024-01-02,y\n"),
        TSRMInputError,
        ["not numeric"],
    ),
    (
        "duplicated_dates",
        lambda d: _csv(d, "date,v\n2024-01-01,1\n2024-01-01,2\n"),
        IrregularIndexError,
        ["more than once"],
    ),
    (
        "tz_mixed_dates",
        lambda d: _csv(d, "date,v\n2024-01-01T00:00+00:00,1\n2024-01-01T01:00,2\n"),
        TSRMInputError,
        ["time zones"],
    ),
]


@pytest.mark.parametrize(
    ("make", "error", "words"), [c[1:] for c in READ_CASES], ids=[c[0] for c in READ_CASES]
)
def test_read_series_rejects(make, error, words, tmp_path):
    with pytest.raises(error) as info:
        read_series(make(tmp_path))
    _check(info, words)


def test_catalogue_size():
    """The issue asks for at least 25 distinct bad inputs; this module has far more."""
    h_cases, other_cases = 6, 7  # bad h; NaN x2, policy, training part, X, before fit, short
    assert len(DATA_CASES) + len(LOAD_CASES) + len(READ_CASES) + h_cases + other_cases >= 25
