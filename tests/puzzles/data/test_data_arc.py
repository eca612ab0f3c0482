"""ARC data: canvas encoding, augmentations and their inverses, split, builder, scoring."""

from __future__ import annotations

import numpy as np
import pytest

from tsrm.puzzles.data import arc


def _grid(rng, h, w):
    return rng.integers(0, 10, (h, w))


def _task(name, rng, n_train=2, n_test=1):
    def pair():
        h, w = rng.integers(1, 6, 2)
        x = _grid(rng, h, w)
        return x, (x + 1) % 10

    return arc.ArcTask(
        name, tuple(pair() for _ in range(n_train)), tuple(pair() for _ in range(n_test))
    )


def test_encoding_layout():
    tokens = arc.encode_grid(np.array([[0, 5, 9], [1, 2, 3]])).reshape(30, 30)
    assert tokens[:2, :3].tolist() == [[2, 7, 11], [3, 4, 5]]
    assert (tokens[2, :4] == arc.ARC_EOS).all() and (tokens[:3, 3] == arc.ARC_EOS).all()
    assert (tokens[3:] == arc.ARC_PAD).all() and (tokens[:, 4:] == arc.ARC_PAD).all()
    full = arc.encode_grid(np.zeros((30, 30), dtype=int))
    assert (full == 2).all()
    shifted = arc.encode_grid(np.ones((2, 2), dtype=int), offset=(3, 28)).reshape(30, 30)
    assert (shifted[3:5, 28:] == 3).all() and (shifted[5, 28:] == arc.ARC_EOS).all()
    assert (shifted[:3] == 0).all() and (shifted[:, :28] == 0).all()
    with pytest.raises(ValueError, match="does not fit"):
        arc.encode_grid(np.ones((2, 2), dtype=int), offset=(29, 0))


def test_encode_decode_round_trip_every_shape():
    rng = np.random.default_rng(0)
    for h in range(1, 31):
        for w in range(1, 31):
            grid = _grid(rng, h, w)
            assert np.array_equal(arc.decode_grid(arc.encode_grid(grid)), grid)
            offset = arc.random_offset([(h, w)], rng)
            assert np.array_equal(arc.decode_grid(arc.encode_grid(grid, offset)), grid)


def test_decode_malformed_output():
    assert arc.decode_grid(np.zeros(900, dtype=int)) is None
    assert arc.decode_grid(np.ones(900, dtype=int)) is None
    holed = arc.encode_grid(np.full((3, 3), 4)).reshape(30, 30).copy()
    holed[1, 1] = arc.ARC_PAD
    assert arc.decode_grid(holed) is None
    ragged = arc.encode_grid(np.full((3, 3), 4)).reshape(30, 30).copy()
    ragged[2, 2] = arc.ARC_EOS  # the last row is shorter: not a rectangle
    assert arc.decode_grid(ragged) is None


@pytest.mark.parametrize(
    "bad", [[[1, 2], [3]], [[10]], [[-1]], [], np.zeros((31, 2), dtype=int).tolist()]
)
def test_grid_validation(bad):
    with pytest.raises(ValueError):
        arc.as_arc_grid(bad)


def test_augmentation_inverse_through_canvas():
    rng = np.random.default_rng(1)
    for k in range(8):
        for _ in range(12):
            aug = arc.ArcAugmentation(k, (0, *(1 + rng.permutation(9))))
            h, w = rng.integers(1, 31, 2)
            grid = _grid(rng, h, w)
            augmented = aug.apply(grid)
            assert np.array_equal(augmented == 0, arc.dihedral(grid == 0, k))  # black stays
            offset = arc.random_offset([augmented.shape], rng)
            decoded = arc.decode_grid(arc.encode_grid(augmented, offset))
            assert np.array_equal(aug.invert(decoded), grid)
            assert arc.ArcAugmentation.from_key(aug.key) == aug


def test_augmentation_validation():
    with pytest.raises(ValueError, match="black"):
        arc.ArcAugmentation(0, (1, 0, 2, 3, 4, 5, 6, 7, 8, 9))
    with pytest.raises(ValueError, match="0..7"):
        arc.ArcAugmentation(8)
    with pytest.raises(ValueError, match="key"):
        arc.ArcAugmentation.from_key("nonsense")


def test_builder_split_ids_and_inverses():
    rng = np.random.default_rng(2)
    train_tasks = {f"tr{i}": _task(f"tr{i}", rng) for i in range(3)}
    eval_tasks = {f"ev{i}": _task(f"ev{i}", rng, n_test=2) for i in range(2)}
    train, test = arc.build_arc_from_tasks(train_tasks, eval_tasks, n_aug=3, seed=0)
    assert train.vocab_size == 12 and train.seq_len == 900
    assert train.n_puzzle_ids == test.n_puzzle_ids == 1 + 5 * 4
    assert 0 not in set(train.puzzle_ids.tolist())
    # Training tasks give all 3 pairs, evaluation tasks only their 2 demonstrations.
    assert len(train) == (3 * 3 + 2 * 2) * 4 and len(test) == 2 * 2 * 4
    table = arc.arc_puzzle_table(train)
    assert table[0] is None and len({(t, a.key) for t, a in table[1:]}) == 20
    all_tasks = {**train_tasks, **eval_tasks}
    for ps, field in ((train, "train"), (test, "test")):
        for row in range(len(ps)):
            task_name, aug = table[ps.puzzle_ids[row]]
            ex_task, j = ps.metadata["examples"][ps.example_ids[row]]
            assert ex_task == task_name
            task = all_tasks[task_name]
            pairs = list(task.train) + list(task.test) if field == "train" else list(task.test)
            x, y = pairs[j]
            assert np.array_equal(aug.invert(arc.decode_grid(ps.inputs[row])), x)
            assert np.array_equal(aug.invert(arc.decode_grid(ps.labels[row])), y)
    held_out = {arc.encode_grid(x).tobytes() for t in eval_tasks.values() for x, _ in t.test}
    assert not held_out & {row.astype(np.int64).tobytes() for row in train.inputs}
    assert test.inputs.reshape(-1, 30, 30)[:, 0, 0].min() >= 2  # not translated
    again, _ = arc.build_arc_from_tasks(train_tasks, eval_tasks, n_aug=3, seed=0)
    assert np.array_equal(again.inputs, train.inputs)
    with pytest.raises(ValueError, match="held out"):
        arc.build_arc_from_tasks(train_tasks, {"tr0": train_tasks["tr0"]})


def test_evaluate_votes_over_augmentations():
    rng = np.random.default_rng(3)
    eval_tasks = {"a": _task("a", rng, n_test=1), "b": _task("b", rng, n_test=2)}
    _, test = arc.build_arc_from_tasks({}, eval_tasks, n_aug=4, seed=1)
    labels = test.labels.astype(np.int64)
    perfect = arc.evaluate_arc(test, labels, np.ones(len(test)))
    assert perfect["pass@2"] == 1.0 and perfect["n_test_inputs"] == 3
    assert perfect["per_task"] == {"a": [True], "b": [True, True]}
    # Corrupt versions 1-3 of the five (identifiers are consecutive per task, identity first)
    # identically after inversion: the wrong grid wins 3 to 2, so pass@1 fails, pass@2 holds.
    table = arc.arc_puzzle_table(test)
    wrong = labels.copy()
    for row in range(len(test)):
        _, aug = table[test.puzzle_ids[row]]
        if (int(test.puzzle_ids[row]) - 1) % 5 in (1, 2, 3):
            bad = aug.invert(arc.decode_grid(labels[row]))
            bad[0, 0] = (bad[0, 0] + 1) % 10
            wrong[row] = arc.encode_grid(aug.apply(bad))
    assert arc.evaluate_arc(test, wrong, None, k=1)["pass@1"] == 0.0
    assert arc.evaluate_arc(test, wrong, None, k=2)["pass@2"] == 1.0
    empty = np.zeros_like(labels)
    assert arc.evaluate_arc(test, empty)["pass@2"] == 0.0


def test_unknown_collection_and_missing_zip(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="Unknown ARC collection"):
        arc.load_arc_tasks("ARC-AGI-3")
    with pytest.raises(ValueError, match="splits"):
        arc.load_arc_tasks("ARC-AGI-1", "test")
    monkeypatch.delenv("TSRM_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    with pytest.raises(ValueError, match="data_dir"):
        arc.load_arc_tasks("ARC-AGI-1", "training", data_dir=tmp_path)


@pytest.mark.parametrize(
    "collection, split, count",
    [
        ("ARC-AGI-1", "training", 400),
        ("ARC-AGI-1", "evaluation", 400),
        ("ARC-AGI-2", "training", 1000),
        ("ARC-AGI-2", "evaluation", 120),
        ("ConceptARC", "corpus", 160),
    ],
)
def test_shared_zip_counts(arc_data_dir, collection, split, count):
    tasks = arc.load_arc_tasks(collection, split, arc_data_dir)
    assert len(tasks) == count
    assert all(task.train and task.test for task in tasks.values())


def test_shared_build_holds_out_evaluation_tests(arc_data_dir):
    train, test = arc.build_arc("ARC-AGI-1", n_aug=1, data_dir=arc_data_dir, max_tasks=5)
    evaluation = arc.load_arc_tasks("ARC-AGI-1", "evaluation", arc_data_dir)
    names = sorted(evaluation)[:5]
    examples = train.metadata["examples"]
    trained = {tuple(examples[e]) for e in set(train.example_ids.tolist())}
    for name in names:
        task = evaluation[name]
        # Demonstrations trained on, test inputs held out.
        assert all((f"evaluation/{name}", j) in trained for j in range(len(task.train)))
        assert (f"evaluation/{name}", len(task.train)) not in trained
    assert {examples_task for examples_task, _ in test.metadata["examples"]} == {
        f"evaluation/{n}" for n in names
    }
    assert len(test) == 2 * sum(len(evaluation[n].test) for n in names)
    result = arc.evaluate_arc(test, test.labels.astype(np.int64))
    assert result["pass@2"] == 1.0
