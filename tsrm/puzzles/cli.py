"""``tsrm puzzles build|train|evaluate|solve|params``."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from tsrm.puzzles.config import PRESETS, PuzzleConfig, preset


def _parse_value(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def _config(args: argparse.Namespace, **data_fields: Any) -> PuzzleConfig:
    changes = dict(data_fields)
    for item in args.set or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise ValueError(f"--set takes KEY=VALUE, got {item!r}.")
        changes[key.replace("-", "_")] = _parse_value(value)
    unknown = set(changes) - set(PuzzleConfig.__dataclass_fields__)
    if unknown:
        raise ValueError(f"Unknown config fields {sorted(unknown)}; see PuzzleConfig.")
    return preset(args.preset, **changes)


def _params(args: argparse.Namespace) -> int:
    from tsrm.puzzles.module import PuzzleTRM, count_parameters

    cfg = _config(args)
    print(f"preset={args.preset} params={count_parameters(PuzzleTRM(cfg))}")
    return 0


#: The ``build`` options each puzzle kind's builder takes as keywords (sudoku and arc also
#: take ``--source``, as their first argument).
_BUILD_OPTIONS = {
    "sudoku": ("n_train", "n_test", "n_aug", "size", "n_clues", "data_dir", "seed"),
    "maze": ("n_train", "n_test", "n_aug", "size", "seed"),
    "arc": ("n_aug", "data_dir", "seed", "max_tasks"),
}


def _build(args: argparse.Namespace) -> int:
    from tsrm.puzzles import data as pdata

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    builder = getattr(pdata, f"build_{args.kind}")
    source = () if args.kind == "maze" else (args.source,)
    options = {name: getattr(args, name) for name in _BUILD_OPTIONS[args.kind]}
    train, test = builder(*source, **options)
    for name, part in (("train", train), ("test", test)):
        part.save(out / name)
        print(f"{name}: {len(part)} puzzles, seq_len={part.seq_len}, vocab={part.vocab_size}, "
              f"puzzle ids={part.n_puzzle_ids} -> {out / name}.npz")  # fmt: skip
    return 0


def _load_set(path: str | Path):  # noqa: ANN202
    from tsrm.puzzles.data import load_puzzle_set

    return load_puzzle_set(path)


def _devices(args: argparse.Namespace) -> dict[str, Any] | None:
    options: dict[str, Any] = {}
    if args.devices is not None:
        options["devices"] = args.devices
    if args.strategy is not None:
        options["strategy"] = args.strategy
    return options or None


def _train(args: argparse.Namespace) -> int:
    from tsrm.puzzles.io import save_model
    from tsrm.puzzles.module import count_parameters
    from tsrm.puzzles.training import evaluate, train, trained_model

    data_dir = Path(args.data)
    train_set = _load_set(data_dir / "train")
    cfg = _config(
        args,
        vocab_size=train_set.vocab_size,
        seq_len=train_set.seq_len,
        n_puzzle_ids=train_set.n_puzzle_ids,
    )
    start = time.perf_counter()
    module = train(
        cfg,
        train_set,
        max_steps=args.max_steps,
        seed=args.seed,
        checkpoint_dir=args.checkpoint_dir,
        resume_from=args.resume,
        verbose=args.verbose,
        trainer_kwargs=_devices(args),
    )
    seconds = time.perf_counter() - start
    model = trained_model(module)
    report: dict[str, Any] = {
        "params": count_parameters(model),
        "steps": args.max_steps,
        "train_s": round(seconds, 1),
    }
    test_file = data_dir / "test.npz"
    if test_file.is_file():
        test_set = _load_set(data_dir / "test")
        for halt in (False, True):
            scores = evaluate(model, test_set, halt=halt)
            tag = "halt" if halt else "all_steps"
            report.update({f"{tag}_{k}": round(v, 4) for k, v in scores.items()})
    save_model(model, args.out, extra={"train": report})
    print(" ".join(f"{k}={v}" for k, v in report.items()))
    print(f"model (EMA weights) -> {args.out}")
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from tsrm.puzzles.io import load_model
    from tsrm.puzzles.training import evaluate, predict

    model = load_model(args.model)
    data = _load_set(args.data)
    scores = evaluate(model, data, halt=args.halt)
    if "puzzles" in data.metadata:  # ARC: vote over the augmented versions of each test input
        from tsrm.puzzles.data import evaluate_arc

        tokens, _, confidence = predict(model, data, halt=args.halt)
        scores["pass@2"] = evaluate_arc(data, tokens, confidence, k=2)["pass@2"]
    print(" ".join(f"{k}={round(v, 4) if isinstance(v, float) else v}" for k, v in scores.items()))
    return 0


def _solve(args: argparse.Namespace) -> int:
    import torch  # only when solving: the command line starts without it

    from tsrm.puzzles.data import (
        decode_sudoku,
        encode_sudoku,
        format_sudoku,
        is_valid_solution,
        parse_sudoku,
    )
    from tsrm.puzzles.io import load_model

    grid = parse_sudoku(args.puzzle)
    model = load_model(args.model)
    if model.config.seq_len != grid.size:
        side = int(round(model.config.seq_len**0.5))
        raise ValueError(
            f"The model solves {side}x{side} Sudoku ({model.config.seq_len} cells); "
            f"the puzzle has {grid.size} cells."
        )
    tokens = torch.as_tensor(encode_sudoku(grid)[None], dtype=torch.long)
    predicted, steps, halt_logit = model.solve(tokens, halt=not args.all_steps)
    cells = predicted[0].numpy()
    if cells.min() < 2:  # pad/blank predicted somewhere: not a complete grid
        print("solution: (incomplete: the model left blanks)")
        valid = False
    else:
        solution = decode_sudoku(cells)
        valid = is_valid_solution(grid, solution)
        print("solution: " + format_sudoku(solution))
        if args.pretty:
            for row in solution:
                print(" ".join(str(int(v)) for v in row))
    confidence = torch.sigmoid(halt_logit[0]).item()
    print(
        f"valid={'yes' if valid else 'no'} steps={int(steps[0])} halt_confidence={confidence:.3f}"
    )
    return 0 if valid else 1


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``tsrm puzzles`` and its sub-commands."""
    puzzles = sub.add_parser(
        "puzzles", help="the original TRM on Sudoku, Maze and ARC-AGI (build/train/solve)"
    )
    cmds = puzzles.add_subparsers(dest="puzzles_command", required=True)

    def with_config(p: argparse.ArgumentParser) -> None:
        p.add_argument("--preset", default="sudoku-mlp", choices=sorted(PRESETS))
        p.add_argument(
            "--set", action="append", metavar="KEY=VALUE",
            help="change a config field, e.g. --set hidden_dim=64 --set n_supervision=8",
        )  # fmt: skip

    p = cmds.add_parser("params", help="print the parameter count (puzzle embeddings excluded)")
    with_config(p)
    p.set_defaults(func=_params)

    p = cmds.add_parser("build", help="build train/test puzzle sets (.npz + .json)")
    p.add_argument("kind", choices=["sudoku", "maze", "arc"])
    p.add_argument("--out", required=True, help="output directory (train.npz, test.npz)")
    p.add_argument(
        "--source", default=None,
        help="sudoku: 'generate' (default) or a shared list name; arc: ARC-AGI-1 (default), "
        "ARC-AGI-2 or ConceptARC",
    )  # fmt: skip
    p.add_argument("--size", type=int, default=None, help="Sudoku side (4, 6, 9) or maze side")
    p.add_argument("--n-train", type=int, default=1000)
    p.add_argument("--n-test", type=int, default=1000)
    p.add_argument("--n-aug", type=int, default=0, help="augmented copies per training puzzle")
    p.add_argument("--n-clues", type=int, default=None, help="Sudoku clues (default: minimal)")
    p.add_argument("--data-dir", default=None, help="folder with sudoku/ and arc/ (shared data)")
    p.add_argument("--max-tasks", type=int, default=None, help="ARC: use only the first tasks")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=_build_checked)

    p = cmds.add_parser("train", help="train a TRM on a built data set and save the EMA model")
    p.add_argument("--data", required=True, help="directory written by 'tsrm puzzles build'")
    p.add_argument("--out", required=True, help="model directory to write")
    p.add_argument("--max-steps", type=int, required=True, help="optimiser steps")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--checkpoint-dir", default=None, help="write resumable checkpoints here")
    p.add_argument("--resume", default=None, help="checkpoint (.ckpt) to resume from")
    p.add_argument("--devices", type=int, default=None, help="GPUs (or CPU processes) to use")
    p.add_argument("--strategy", default=None, help="Lightning strategy, e.g. ddp")
    p.add_argument("--verbose", action="store_true")
    with_config(p)
    p.set_defaults(func=_train)

    p = cmds.add_parser("evaluate", help="exact and token accuracy of a saved model")
    p.add_argument("--model", required=True)
    p.add_argument("--data", required=True, help="a puzzle set path, e.g. DIR/test")
    p.add_argument("--halt", action="store_true", help="stop each puzzle when the model halts")
    p.set_defaults(func=_evaluate)

    p = cmds.add_parser("solve", help="solve one Sudoku given as a string ('.' or 0 = blank)")
    p.add_argument("puzzle", help="n*n characters, e.g. 81 for 9x9")
    p.add_argument("--model", required=True, help="model directory from 'tsrm puzzles train'")
    p.add_argument("--all-steps", action="store_true", help="run every step, ignore halting")
    p.add_argument("--pretty", action="store_true", help="also print the grid")
    p.set_defaults(func=_solve)


def _build_checked(args: argparse.Namespace) -> int:
    if args.kind == "sudoku":
        args.source = args.source or "generate"
        args.size = args.size or 9
    elif args.kind == "maze":
        args.size = args.size or 30
    else:
        args.source = args.source or "ARC-AGI-1"
    return _build(args)
