"""The original TRM on 4x4 Sudoku: build a data set, train on a CPU, evaluate, solve one puzzle.

Run: python examples/puzzles.py  (a few minutes on a laptop CPU; --quick: seconds, untrained)

The same steps work from the shell (``tsrm puzzles build|train|evaluate|solve``) and, with the
paper's presets (``sudoku-mlp``, ``sudoku-att``, ``maze-att``, ``arc-att``), on a GPU.
"""

from __future__ import annotations

import argparse

import numpy as np
import torch

from tsrm.puzzles.config import preset
from tsrm.puzzles.data import (
    build_sudoku,
    decode_sudoku,
    encode_sudoku,
    format_sudoku,
    is_valid_solution,
    parse_sudoku,
)
from tsrm.puzzles.module import count_parameters
from tsrm.puzzles.training import evaluate, train, trained_model


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny run (for the test suite)")
    parser.add_argument("--steps", type=int, default=600, help="optimiser steps")
    args = parser.parse_args(argv)

    # Generated 4x4 puzzles with a unique solution; the training part augmented (digit
    # relabelling, transposition, band/stack permutations), the test part held out.
    n_train, n_test = (40, 10) if args.quick else (1000, 200)
    train_set, test_set = build_sudoku(
        "generate", n_train=n_train, n_test=n_test, n_aug=1 if args.quick else 10, size=4
    )
    changes = dict(vocab_size=train_set.vocab_size, seq_len=train_set.seq_len)
    if args.quick:
        changes.update(hidden_dim=16, n_heads=2, multiple_of=16, batch_size=16, n_supervision=2)
    config = preset("cpu-mlp", **changes)  # TRM-MLP at width 64: n=6, T=3, 8 supervision steps
    module = train(config, train_set, max_steps=3 if args.quick else args.steps)
    model = trained_model(module)  # the EMA weights, as the paper evaluates
    print(f"{count_parameters(model):,} parameters")
    for halt in (False, True):
        scores = evaluate(model, test_set, halt=halt)
        print(
            f"held-out exact accuracy {scores['exact_accuracy']:.3f}, token accuracy "
            f"{scores['token_accuracy']:.3f}, mean supervision steps {scores['mean_steps']:.2f}"
            + (" (halting)" if halt else " (all steps)")
        )

    puzzle = parse_sudoku(".....1...3.1..4.")
    tokens, steps, _ = model.solve(torch.as_tensor(encode_sudoku(puzzle)[None]), halt=True)
    answer = tokens[0].numpy()
    if np.all(answer >= 2):  # every cell a digit
        solution = decode_sudoku(answer)
        valid = is_valid_solution(puzzle, solution)
        print(f"solve .....1...3.1..4. -> {format_sudoku(solution)} valid={valid}", end="")
    else:
        print("solve .....1...3.1..4. -> incomplete answer", end="")
    print(f" steps={int(steps[0])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
