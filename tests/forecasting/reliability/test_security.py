"""Loading a model never unpickles, runs file content, or reads outside its directory."""

from __future__ import annotations

import ast
import inspect
import json
import os
import pickle

import numpy as np
import pytest
import torch
from reliability_helpers import hourly, trm
from safetensors.torch import load_file, save_file

import tsrm.forecasting.neural.serialization as serialization
from tsrm import TRMForecaster
from tsrm.exceptions import ModelFileError


class _Payload:
    """Unpickling this creates ``marker``: proof that a file was unpickled."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


@pytest.fixture(scope="module")
def model():
    return trm().fit(hourly(150))


@pytest.fixture
def saved(model, tmp_path):
    return model.save(tmp_path / "model")


def test_serialization_module_uses_json_and_safetensors_only():
    tree = ast.parse(inspect.getsource(serialization))
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    } | {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert not imported & {"pickle", "dill", "joblib", "cloudpickle", "marshal", "shelve"}
    calls = {ast.unparse(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    assert not calls & {"torch.load", "eval", "exec", "np.load", "numpy.load", "__import__"}


def test_load_works_with_every_unpickler_disabled(saved, monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("model loading unpickled something")

    for target, name in (
        (pickle, "load"),
        (pickle, "loads"),
        (pickle, "Unpickler"),
        (torch, "load"),
    ):
        monkeypatch.setattr(target, name, forbidden)
    assert np.isfinite(TRMForecaster.load(saved).predict().to_numpy()).all()


def test_a_planted_pickle_is_never_opened(saved, tmp_path):
    marker = tmp_path / "unpickled"
    (saved / "model.pkl").write_bytes(pickle.dumps(_Payload(str(marker))))
    (saved / "model.pt").write_bytes(pickle.dumps(_Payload(str(marker))))
    TRMForecaster.load(saved)
    assert not marker.exists()


def test_a_pickle_in_place_of_the_weights_fails_without_unpickling(saved, tmp_path):
    marker = tmp_path / "unpickled"
    (saved / "model.safetensors").write_bytes(pickle.dumps(_Payload(str(marker))))
    with pytest.raises(ModelFileError, match="corrupted"):
        TRMForecaster.load(saved)
    torch.save({"x": _Payload(str(marker))}, saved / "model.safetensors")  # torch's zip pickle
    with pytest.raises(ModelFileError, match="corrupted"):
        TRMForecaster.load(saved)
    assert not marker.exists()


def _edit_config(path, edit) -> None:
    config = json.loads((path / "config.json").read_text())
    edit(config)
    (path / "config.json").write_text(json.dumps(config))


@pytest.mark.parametrize("key", ["weights_file", "tensors", "include", "__class__"], ids=str)
def test_config_naming_other_files_is_refused(saved, tmp_path, model, key):
    """The format names no files; a config that tries (e.g. "../x") is refused, not followed."""
    other = model.save(tmp_path / "elsewhere")
    _edit_config(saved, lambda c: c.update({key: f"../elsewhere/{other.name}/model.safetensors"}))
    with pytest.raises(ModelFileError, match="keys this tsrm never writes"):
        TRMForecaster.load(saved)


@pytest.mark.parametrize("name", ["model.safetensors", "config.json"])
def test_links_out_of_the_directory_are_refused(saved, tmp_path, model, name):
    outside = model.save(tmp_path / "outside")
    (saved / name).unlink()
    os.symlink(outside / name, saved / name)
    with pytest.raises(ModelFileError, match="outside the model directory"):
        TRMForecaster.load(saved)


def _edit_tensors(path, edit) -> None:
    tensors = load_file(str(path / "model.safetensors"))
    edit(tensors)
    save_file(tensors, str(path / "model.safetensors"))


def _first_network_key(tensors) -> str:
    return next(k for k in tensors if k.startswith("network."))


TENSOR_CASES = [
    (
        "shape",
        lambda t: t.update({_first_network_key(t): torch.zeros(3, 3)}),
        "do not match.*size mismatch",
    ),
    ("missing", lambda t: t.pop(_first_network_key(t)), "do not match.*Missing key"),
    ("extra", lambda t: t.update({"evil.payload": torch.zeros(2)}), "never writes"),
    (
        "nan_weight",
        lambda t: t[_first_network_key(t)].view(-1).__setitem__(0, float("nan")),
        "NaN or infinite",
    ),
    ("zero_std", lambda t: t["scale.std"].zero_(), "scale.std"),
    ("no_context", lambda t: t.pop("context.values"), "do not match"),
]


@pytest.mark.parametrize(
    ("edit", "words"), [c[1:] for c in TENSOR_CASES], ids=[c[0] for c in TENSOR_CASES]
)
def test_tensors_that_disagree_with_the_config_are_refused(saved, edit, words):
    _edit_tensors(saved, edit)
    with pytest.raises(ModelFileError, match=words):
        TRMForecaster.load(saved)


def test_truncated_weights_are_refused_at_every_length(saved):
    data = (saved / "model.safetensors").read_bytes()
    for cut in (0, 7, 8, 100, len(data) // 2, len(data) - 1):
        (saved / "model.safetensors").write_bytes(data[:cut])
        with pytest.raises(ModelFileError, match="corrupted or truncated"):
            TRMForecaster.load(saved)
