"""Skip-gram with negative sampling (word2vec), from scratch in PyTorch.

Built in notebooks/03_word2vec.

The pieces of Mikolov et al. (2013), each usable on its own:

- :func:`skipgram_pairs`: (center, context) id pairs from a corpus of token ids, with a
  fixed or a dynamic (randomly shrunk, as in word2vec's C code) window; pairs never
  cross a sentence boundary.
- :func:`keep_probability` and :func:`subsample`: subsampling of frequent words, each
  occurrence of a word of frequency f kept with probability min(1, sqrt(t / f)) (the
  paper) or sqrt(t / f) + t / f (the C code and gensim).
- :class:`NegativeSampler`: noise words drawn from the unigram distribution raised to
  the power 0.75, by ``torch.multinomial`` or from a word2vec-style unigram table.
- :class:`SkipGramNS`: two embedding tables (center words and context words) whose
  forward pass returns the negative-sampling loss.

A corpus is a sequence of sentences, each a sequence of integer ids (a list of lists,
of NumPy arrays or of 1-D tensors), or a single 1-D sequence of ids (one sentence).
Counts are indexed by id: ``counts[i]`` is how often id ``i`` occurs.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from nlpcourse import checks

__all__ = ["NegativeSampler", "SkipGramNS", "keep_probability", "skipgram_pairs", "subsample"]


# ---------------------------------------------------------------- corpus helpers


def _is_single_sentence(corpus) -> bool:
    if isinstance(corpus, (np.ndarray, torch.Tensor)):
        return corpus.ndim == 1
    first = corpus[0] if len(corpus) else None
    return isinstance(first, (int, np.integer)) and not isinstance(first, bool)


def _as_sentences(corpus) -> list[np.ndarray]:
    """The corpus as a list of 1-D int64 arrays; a clear error for anything else."""
    if isinstance(corpus, str) or corpus is None:
        raise TypeError("the corpus must hold integer token ids, not text: encode it with a Vocab first")
    if isinstance(corpus, torch.Tensor):
        corpus = corpus.numpy()
    if len(corpus) == 0:
        raise ValueError("the corpus is empty")
    sentences = [corpus] if _is_single_sentence(corpus) else list(corpus)
    arrays = []
    for sentence in sentences:
        if isinstance(sentence, str):
            raise TypeError("sentences must hold integer token ids, not text")
        array = sentence.numpy() if isinstance(sentence, torch.Tensor) else np.asarray(sentence)
        if array.dtype.kind in "US":
            raise TypeError("sentences must hold integer token ids, not text: encode them with a Vocab first")
        if array.size == 0:
            arrays.append(np.zeros(0, dtype=np.int64))
            continue
        if array.ndim != 1 or not np.issubdtype(array.dtype, np.integer):
            raise TypeError(
                f"each sentence must be a 1-D sequence of integer ids, got {array.dtype} of shape {array.shape}"
            )
        if array.min() < 0:
            raise ValueError("token ids must be non-negative")
        arrays.append(array.astype(np.int64, copy=False))
    if sum(len(a) for a in arrays) == 0:
        raise ValueError("the corpus is empty: its sentences hold no tokens")
    return arrays


def _check_window(window: int) -> None:
    if isinstance(window, bool) or not isinstance(window, (int, np.integer)):
        raise TypeError(f"window must be an int, got {window!r}")
    if window < 1:
        raise ValueError(f"window must be at least 1, got {window}")


# ---------------------------------------------------------------- skip-gram pairs


def skipgram_pairs(corpus, window: int = 5, dynamic: bool = False, seed: int | None = None):
    """All (center, context) pairs of a corpus: ``(centers, contexts)``, two (P,) id tensors.

    For the token at position i, the contexts are the tokens at i-window .. i+window of
    the same sentence, except i itself. With ``dynamic=True`` each center position draws
    its own window b uniformly from 1..window (word2vec's C code and gensim do this), so
    near neighbours are used more often than far ones. Pairs come center by center, in
    corpus order, contexts left to right.
    """
    _check_window(window)
    sentences = _as_sentences(corpus)
    ids = np.concatenate(sentences)  # (N,)
    sentence_of = np.repeat(np.arange(len(sentences)), [len(s) for s in sentences])  # (N,)
    n = len(ids)
    if dynamic:
        rng = np.random.default_rng(seed)
        reach = rng.integers(1, window + 1, size=n)  # (N,) each center's own window
    else:
        reach = np.full(n, window)
    offsets = np.concatenate([np.arange(-window, 0), np.arange(1, window + 1)])  # (2w,)
    centers, contexts = [], []
    for start in range(0, n, 100_000):  # in chunks, so memory stays at O(chunk * 2w)
        pos = np.arange(start, min(start + 100_000, n))  # (C,)
        other = pos[:, None] + offsets[None, :]  # (C, 2w) context positions
        inside = (other >= 0) & (other < n)
        clipped = np.clip(other, 0, n - 1)
        valid = inside & (sentence_of[clipped] == sentence_of[pos][:, None])
        valid &= np.abs(offsets)[None, :] <= reach[pos][:, None]
        rows, cols = np.nonzero(valid)  # row-major: center by center, left to right
        centers.append(ids[pos[rows]])
        contexts.append(ids[other[rows, cols]])
    return torch.from_numpy(np.concatenate(centers)), torch.from_numpy(np.concatenate(contexts))


# ---------------------------------------------------------------- subsampling


def keep_probability(counts, threshold: float = 1e-3, formula: str = "paper"):
    """(V,) probability of keeping one occurrence of each word when subsampling.

    With f = count / total, ``"paper"`` gives min(1, sqrt(t / f)) (Mikolov et al. 2013,
    who write it as the discard probability 1 - sqrt(t / f)); ``"word2vec"`` gives
    min(1, sqrt(t / f) + t / f), what the released C code and gensim compute. Words with
    count 0 get 1. ``threshold`` t is usually 1e-3 to 1e-5: the smaller, the harder
    frequent words are cut.
    """
    checks.positive("threshold", threshold)
    formula = checks.one_of("formula", formula, {"paper", "word2vec"})
    counts = checks.word_counts(counts)  # (V,) float64
    freq = counts / counts.sum()  # f(w), (V,)
    # t / f, and infinity for a word never seen (it is kept, whatever the formula)
    ratio = np.divide(threshold, freq, out=np.full_like(freq, np.inf), where=freq > 0)
    keep = np.sqrt(ratio) if formula == "paper" else np.sqrt(ratio) + ratio
    return np.minimum(keep, 1.0)


def subsample(corpus, counts, threshold: float = 1e-3, formula: str = "paper", seed: int | None = 0):
    """Drop each occurrence of word w with probability 1 - keep_probability(w); seeded.

    Returns the corpus in the shape it came: a list of int64 arrays for a list of
    sentences, one array for a single sentence. ``counts`` must cover every id.
    """
    keep = keep_probability(counts, threshold, formula)
    sentences = _as_sentences(corpus)  # validates, so the test below is safe
    single = _is_single_sentence(corpus)
    largest = max(int(s.max()) for s in sentences if len(s))
    if largest >= len(keep):
        raise ValueError(f"token id {largest} has no count (counts cover ids 0..{len(keep) - 1})")
    rng = np.random.default_rng(seed)
    kept = [s[rng.random(len(s)) < keep[s]] for s in sentences]
    return kept[0] if single else kept


# ---------------------------------------------------------------- negative sampling


class NegativeSampler:
    """Draws noise words from the unigram distribution raised to ``power``.

    P(w) = count(w)^power / sum_v count(v)^power (power 0.75 in word2vec: frequent words
    are drawn less often than their share, rare words more often). ``method``:

    - ``"multinomial"``: ``torch.multinomial`` on the exact probabilities;
    - ``"table"``: word2vec's unigram table, ``table_size`` slots in which word w fills
      about P(w) * table_size; drawing is indexing the table at uniform random slots,
      the fastest way, exact up to 1 / table_size.

    Seeded by its own ``torch.Generator``, so it draws the same words whatever else
    uses the global random state.
    """

    def __init__(
        self, counts, power: float = 0.75, method: str = "multinomial", table_size: int = 1_000_000, seed: int = 0
    ):
        if method not in ("multinomial", "table"):
            raise ValueError(f"method must be 'multinomial' or 'table', got {method!r}")
        if not np.isfinite(power) or power < 0:
            raise ValueError(f"power must be a non-negative number, got {power}")
        weights = checks.word_counts(counts)
        weights = np.where(weights > 0, weights**power, 0.0)  # 0 ** 0 would give unseen ids weight 1
        self.power = power
        self.method = method
        self.probs = torch.from_numpy(weights / weights.sum())  # (V,) float64
        self.generator = torch.Generator().manual_seed(seed)
        if method == "table":
            if table_size < len(weights):
                raise ValueError(f"table_size={table_size} is smaller than the vocabulary ({len(weights)})")
            # slot k holds the word whose cumulative probability interval contains
            # (k + 0.5) / table_size: each word fills round(P(w) * table_size) slots, +-1
            edges = torch.cumsum(self.probs, 0)
            edges[-1] = 1.0
            slots = (torch.arange(table_size, dtype=torch.float64) + 0.5) / table_size
            self.table = torch.searchsorted(edges, slots, right=True).clamp_max(len(weights) - 1)

    def __len__(self) -> int:
        return len(self.probs)

    def sample(self, *shape: int) -> torch.Tensor:
        """A long tensor of the given shape, e.g. ``sample(batch, k)`` -> (batch, k)."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list, torch.Size)):
            shape = tuple(shape[0])
        if not shape or any(not isinstance(s, (int, np.integer)) or s < 0 for s in shape):
            raise ValueError(f"shape must be non-negative ints, got {shape}")
        total = int(np.prod(shape))
        if self.method == "multinomial":
            draws = torch.multinomial(self.probs, total, replacement=True, generator=self.generator)
        else:
            slots = torch.randint(len(self.table), (total,), generator=self.generator)
            draws = self.table.index_select(0, slots)  # much faster than table[slots]
        return draws.view(*shape)

    __call__ = sample


# ---------------------------------------------------------------- the model


class SkipGramNS(nn.Module):
    """Skip-gram with negative sampling: two (V, d) tables, forward returns the loss.

    ``in_embed`` holds the center-word vectors v (the word vectors one keeps) and
    ``out_embed`` the context-word vectors u. For a batch of centers c, true contexts o
    and K noise words n_1..n_K each, the loss is the mean over the batch of

        -log sigmoid(u_o . v_c) - sum_k log sigmoid(-u_{n_k} . v_c)

    Initialised as word2vec: v uniform in +-0.5/d, u zero. ``sparse=True`` gives sparse
    gradients (use ``torch.optim.SparseAdam`` or SGD), which pay off for big
    vocabularies.
    """

    def __init__(self, vocab_size: int, dim: int = 100, sparse: bool = False):
        super().__init__()
        checks.positive_int("vocab_size", vocab_size)
        checks.positive_int("dim", dim)
        self.in_embed = nn.Embedding(vocab_size, dim, sparse=sparse)  # v, (V, d)
        self.out_embed = nn.Embedding(vocab_size, dim, sparse=sparse)  # u, (V, d)
        nn.init.uniform_(self.in_embed.weight, -0.5 / dim, 0.5 / dim)
        nn.init.zeros_(self.out_embed.weight)  # every first score is 0

    @property
    def vectors(self) -> torch.Tensor:
        """The (V, d) word vectors (the center table), detached."""
        return self.in_embed.weight.detach()

    def scores(self, center, context, negatives):
        """Dot products: (B,) for the true pairs and (B, K) for the noise words."""
        V, who = self.in_embed.num_embeddings, "SkipGramNS"
        center = checks.word_ids(center, ("B",), f"{who} center", V)  # (B,)
        context = checks.word_ids(context, center.shape, f"{who} context", V)  # (B,)
        B = len(center)
        negatives = checks.word_ids(negatives, (B, "K"), f"{who} negatives", V)
        v = self.in_embed(center)  # (B, d)
        u_true = self.out_embed(context)  # (B, d)
        u_noise = self.out_embed(negatives)  # (B, K, d)
        true_score = (v * u_true).sum(-1)  # (B,)
        noise_score = torch.bmm(u_noise, v.unsqueeze(2)).squeeze(2)  # (B, K)
        return true_score, noise_score

    def forward(self, center, context, negatives):
        """The mean SGNS loss of a batch of B pairs with K noise words each."""
        true_score, noise_score = self.scores(center, context, negatives)
        # logsigmoid, not log(sigmoid(x)): the latter gives -inf once sigmoid underflows
        loss = -(F.logsigmoid(true_score) + F.logsigmoid(-noise_score).sum(1))  # (B,)
        return loss.mean()
