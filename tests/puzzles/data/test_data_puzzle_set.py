"""The PuzzleSet container: validation, subsets, pickle-free save/load."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tsrm.puzzles.data.puzzle_set import (
    IGNORE_LABEL,
    PuzzleSet,
    concatenate_puzzle_sets,
    load_puzzle_set,
)


def _set(n=6, seq=5, name="toy"):
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 4, (n, seq))
    labels[:, 0] = IGNORE_LABEL
    return PuzzleSet(
        name=name,
        inputs=rng.integers(0, 4, (n, seq)),
        labels=labels,
        puzzle_ids=np.arange(n) % 3,
        vocab_size=4,
        n_puzzle_ids=3,
        metadata={"puzzles": [["a", "d0"], ["b", "d1"], ["c", "d2"]]},
    )


def test_fields_and_dtypes():
    ps = _set()
    assert len(ps) == 6 and ps.seq_len == 5
    assert ps.inputs.dtype == np.int16 and ps.puzzle_ids.dtype == np.int32
    assert np.array_equal(ps.example_ids, np.arange(6))


@pytest.mark.parametrize(
    "change, message",
    [
        (dict(inputs=np.full((6, 5), 4)), "inputs must lie"),
        (dict(labels=np.full((6, 5), -1)), "labels must lie"),
        (dict(labels=np.zeros((6, 4), dtype=int)), "shape"),
        (dict(puzzle_ids=np.full(6, 3)), "puzzle_ids"),
        (dict(example_ids=np.zeros(5, dtype=int)), "example_ids"),
        (dict(metadata={"x": object()}), "JSON"),
    ],
)
def test_validation(change, message):
    ps = _set()
    fields = dict(
        name=ps.name,
        inputs=ps.inputs,
        labels=ps.labels,
        puzzle_ids=ps.puzzle_ids,
        vocab_size=4,
        n_puzzle_ids=3,
        metadata=ps.metadata,
    )
    with pytest.raises(ValueError, match=message):
        PuzzleSet(**{**fields, **change})


def test_save_load_round_trip_without_pickle(tmp_path):
    ps = _set()
    npz = ps.save(tmp_path / "sub" / "toy")
    assert npz.name == "toy.npz" and (tmp_path / "sub" / "toy.json").is_file()
    with np.load(npz, allow_pickle=False) as arrays:
        assert set(arrays.files) == {"inputs", "labels", "puzzle_ids", "example_ids"}
    for path in (tmp_path / "sub" / "toy", npz, tmp_path / "sub" / "toy.json"):
        back = load_puzzle_set(path)
        for key in ("inputs", "labels", "puzzle_ids", "example_ids"):
            assert np.array_equal(getattr(back, key), getattr(ps, key))
        assert (back.name, back.vocab_size, back.n_puzzle_ids) == ("toy", 4, 3)
        assert back.metadata == ps.metadata


def test_load_rejects_missing_or_foreign_files(tmp_path):
    with pytest.raises(ValueError, match="not found"):
        PuzzleSet.load(tmp_path / "absent")
    ps = _set()
    ps.save(tmp_path / "toy")
    sidecar = json.loads((tmp_path / "toy.json").read_text())
    (tmp_path / "toy.json").write_text(json.dumps({**sidecar, "format": "other"}))
    with pytest.raises(ValueError, match="not a tsrm puzzle set"):
        load_puzzle_set(tmp_path / "toy")
    (tmp_path / "toy.json").write_text(json.dumps({**sidecar, "n": 7}))
    with pytest.raises(ValueError, match="do not belong together"):
        load_puzzle_set(tmp_path / "toy")


def test_subset_and_concatenate():
    ps = _set()
    head = ps.subset(slice(0, 2))
    assert len(head) == 2 and np.array_equal(head.example_ids, [0, 1])
    both = concatenate_puzzle_sets([head, ps.subset(np.array([5]))], name="mix")
    assert len(both) == 3 and both.name == "mix"
    assert np.array_equal(both.example_ids, [0, 1, 5])
    zeros = np.zeros((1, 4), dtype=int)
    other = PuzzleSet("o", zeros, zeros, np.zeros(1, dtype=int), 4, 3)
    with pytest.raises(ValueError, match="differ"):
        concatenate_puzzle_sets([ps, other])
