"""Row blocking: a layer whose intermediate values grow with (rows × something large) computes
a block of rows at a time, so that memory follows the block, not the batch."""

from __future__ import annotations

from typing import Callable

import torch

__all__ = ["in_row_blocks"]


def in_row_blocks(block: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor,
                  rows: int) -> torch.Tensor:
    """``block(x)`` computed ``rows`` rows at a time, the results stacked in order.

    Under ``torch.export`` the whole batch is one block: an exported graph cannot branch on
    its dynamic batch size.
    """
    if torch.compiler.is_exporting() or x.shape[0] <= rows:
        return block(x)
    return torch.cat([block(part) for part in torch.split(x, rows)], dim=0)
