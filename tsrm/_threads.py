"""torch's intra-op threads for the span of one call, restored afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import torch


@contextmanager
def torch_threads(n: int | None) -> Iterator[None]:
    """Run the block with ``n`` intra-op threads (``None``: leave torch's setting alone).

    Tiny networks gain little from a second thread and lose much when another process
    holds a core: the threads then wait on each other at every operation.
    """
    before = torch.get_num_threads()
    with ExitStack() as restore:
        if n is not None and n != before:
            torch.set_num_threads(n)
            restore.callback(torch.set_num_threads, before)
        yield
