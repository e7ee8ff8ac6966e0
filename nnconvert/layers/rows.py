"""Row blocking: a layer whose intermediate values grow with (rows × something large) computes
a block of rows at a time, so that memory follows the block, not the batch."""

from __future__ import annotations

from typing import Callable

import torch

__all__ = ["in_row_blocks", "into_row_blocks"]


def in_row_blocks(block: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor,
                  rows: int) -> torch.Tensor:
    """``block(x)`` computed ``rows`` rows at a time, the results stacked in order.

    Under ``torch.export`` the whole batch is one block: an exported graph cannot branch on
    its dynamic batch size.
    """
    if torch.compiler.is_exporting() or x.shape[0] <= rows:
        return block(x)
    return torch.cat([block(part) for part in torch.split(x, rows)], dim=0)


def into_row_blocks(block: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor,
                    rows: int, width: int) -> torch.Tensor:
    """``block(x)`` computed ``rows`` rows at a time into one preallocated (n, width) output.

    For layers whose blocks are small enough to stay in cache: each block's temporaries are
    small (reused by the allocator instead of fresh pages from the system, which a busy
    machine makes expensive), and the output is written once, with no concatenation. Under
    ``torch.export`` or where gradients are needed it is :func:`in_row_blocks`.
    """
    if (torch.compiler.is_exporting() or x.shape[0] <= rows
            or (torch.is_grad_enabled() and x.requires_grad)):
        return in_row_blocks(block, x, rows)
    out = x.new_empty((x.shape[0], width))
    for start in range(0, x.shape[0], rows):
        out[start:start + rows].copy_(block(x[start:start + rows]))
    return out
