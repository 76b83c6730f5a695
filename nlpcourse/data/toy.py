"""Toy sequence tasks the course generates, for experiments that need control over length.

First used in notebooks/12_seq2seq (the information bottleneck) and reused in
notebooks/13_attention (the same curve with attention).

``reversal_pairs`` writes random digit strings and asks for them backwards. Every output
character depends on exactly one input character, far from it in the middle of the
string, and nothing can be guessed from the rest, so how accuracy falls with length
measures how much of the input a fixed-size context vector can hold.
"""

from __future__ import annotations

import random

__all__ = ["reversal_pairs"]


def reversal_pairs(n: int, min_len: int = 4, max_len: int = 24, seed: int = 0, alphabet: str = "0123456789") -> list[tuple[str, str]]:
    """``n`` pairs ``(s, s[::-1])``: ``s`` of uniform length in [min_len, max_len] drawn
    uniformly from ``alphabet``. The same arguments always give the same pairs."""
    if n < 0:
        raise ValueError(f"n must be non-negative, got {n}")
    if not 1 <= min_len <= max_len:
        raise ValueError(f"need 1 <= min_len <= max_len, got min_len={min_len}, max_len={max_len}")
    if len(set(alphabet)) < 2:
        raise ValueError(f"alphabet needs at least two distinct characters, got {alphabet!r}")
    rng = random.Random(f"reversal-{seed}")
    pairs = []
    for _ in range(n):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(min_len, max_len)))
        pairs.append((text, text[::-1]))
    return pairs
