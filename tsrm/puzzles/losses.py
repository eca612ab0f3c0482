"""Losses and scores of the puzzle TRM."""

from __future__ import annotations

import torch
from torch import Tensor

IGNORE_LABEL = -100
"""Label of a position that is not scored."""


def stable_max_log_probs(logits: Tensor) -> Tensor:
    """Log-probabilities under "stable-max", in float64.

    ``s(x) = x + 1`` for ``x >= 0`` and ``1 / (1 - x)`` for ``x < 0``; ``p = s / sum(s)``.
    It grows linearly instead of exponentially, which the TRM paper found to keep
    long recursive training stable.
    """
    x = logits.double()
    s = torch.where(x >= 0, x + 1.0, 1.0 / (1.0 - torch.clamp(x, max=0.0)))
    return torch.log(s / s.sum(dim=-1, keepdim=True))


def stable_max_cross_entropy(logits: Tensor, labels: Tensor) -> Tensor:
    """Per-sequence mean cross-entropy over scored tokens, averaged over the batch.

    Parameters
    ----------
    logits : Tensor
        ``(batch, seq, vocab)``.
    labels : Tensor
        ``(batch, seq)`` token ids; :data:`IGNORE_LABEL` marks unscored positions.
    """
    valid = labels != IGNORE_LABEL
    log_p = stable_max_log_probs(logits)
    picked = torch.gather(log_p, -1, labels.clamp(min=0).unsqueeze(-1)).squeeze(-1)
    per_token = torch.where(valid, -picked, torch.zeros_like(picked))
    per_sequence = per_token.sum(-1) / valid.sum(-1).clamp(min=1)
    return per_sequence.mean()


def exactly_right(predicted: Tensor, labels: Tensor) -> Tensor:
    """Per puzzle: is every scored token right? (the halting target and exact accuracy)"""
    valid = labels != IGNORE_LABEL
    return ((predicted == labels) | ~valid).all(-1)


def token_accuracy(predicted: Tensor, labels: Tensor) -> Tensor:
    """Per puzzle: the fraction of scored tokens that are right."""
    valid = labels != IGNORE_LABEL
    right = ((predicted == labels) & valid).sum(-1)
    return right.double() / valid.sum(-1).clamp(min=1)
