"""Several processes training one model, each on its own share of the data.

A launcher (``torchrun``, or any that sets the same variables) starts the same script in
every process and tells each its place through the environment (``WORLD_SIZE``, ``RANK``,
``LOCAL_WORLD_SIZE``). A process that reads only its share of the data must agree with
the others on everything the data decides before and after training (settings found
from the data, the number of batches per epoch, scores): these helpers do that over
``torch.distributed``, which they start here if Lightning has not yet (torch is imported
only then: reading the environment costs nothing).
"""

from __future__ import annotations

import os
from typing import Any


def launched_share() -> tuple[int, int] | None:
    """``(rank, world size)`` when a launcher started more than one process, else None.

    Only a launcher that sets ``RANK`` counts (torchrun does): Lightning's own DDP launcher
    sets ``WORLD_SIZE`` alone, and its processes each read all of the data.
    """
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1 or "RANK" not in os.environ:
        return None
    return int(os.environ["RANK"]), world


def _group() -> None:
    """Join the launcher's process group, as Lightning would (Lightning then uses it)."""
    import torch
    import torch.distributed as dist

    if not dist.is_initialized():
        backend = "cpu:gloo,cuda:nccl" if torch.cuda.is_available() else "gloo"
        dist.init_process_group(backend)


def from_rank_zero(value: Any) -> Any:
    """Rank 0's ``value``, in every process (any picklable object)."""
    import torch.distributed as dist

    _group()
    box = [value]
    dist.broadcast_object_list(box, src=0)
    return box[0]


def gathered(value: Any) -> list:
    """Every process's ``value``, in rank order, in every process."""
    import torch.distributed as dist

    _group()
    values: list = [None] * dist.get_world_size()
    dist.all_gather_object(values, value)
    return values


def trainer_options(options: dict[str, Any]) -> dict[str, Any]:
    """``options`` for a Lightning Trainer in one of the launched processes: DDP across all
    of them (unless ``options`` name a strategy), each loading its own batches."""
    world = int(os.environ["WORLD_SIZE"])
    local = int(os.environ.get("LOCAL_WORLD_SIZE", world))
    defaults = {"strategy": "ddp", "devices": local, "num_nodes": world // local}
    # Each process's sampler already draws from its own share: no second split.
    return {**defaults, **options, "use_distributed_sampler": False}
