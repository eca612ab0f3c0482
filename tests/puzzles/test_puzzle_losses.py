from __future__ import annotations

import math

import torch

from tsrm.puzzles.losses import (
    IGNORE_LABEL,
    exactly_right,
    stable_max_cross_entropy,
    stable_max_log_probs,
    token_accuracy,
)


def test_stable_max_by_hand():
    # s(2) = 3, s(0) = 1, s(-1) = 1/2 -> p = (3, 1, 0.5) / 4.5
    log_p = stable_max_log_probs(torch.tensor([2.0, 0.0, -1.0]))
    assert log_p.dtype == torch.float64
    expected = [math.log(3 / 4.5), math.log(1 / 4.5), math.log(0.5 / 4.5)]
    assert torch.allclose(log_p, torch.tensor(expected, dtype=torch.float64))


def test_cross_entropy_is_a_per_sequence_mean_over_scored_tokens():
    logits = torch.tensor([[[2.0, 0.0], [0.0, 2.0]], [[2.0, 0.0], [0.0, 0.0]]])
    labels = torch.tensor([[0, 0], [1, IGNORE_LABEL]])
    # seq 0: -log(3/4) and -log(1/4), mean; seq 1: one token -log(1/4)
    seq0 = (-math.log(3 / 4) - math.log(1 / 4)) / 2
    seq1 = -math.log(1 / 4)
    assert math.isclose(stable_max_cross_entropy(logits, labels).item(), (seq0 + seq1) / 2)


def test_stable_max_has_no_overflow_for_huge_logits():
    logits = torch.tensor([[[1e30, -1e30, 0.0]]])
    loss = stable_max_cross_entropy(logits, torch.tensor([[0]]))
    assert torch.isfinite(loss)


def test_exact_and_token_accuracy():
    predicted = torch.tensor([[1, 2, 3], [1, 0, 3]])
    labels = torch.tensor([[1, 2, 3], [1, 2, IGNORE_LABEL]])
    assert exactly_right(predicted, labels).tolist() == [True, False]
    assert torch.allclose(token_accuracy(predicted, labels), torch.tensor([1.0, 0.5]).double())
