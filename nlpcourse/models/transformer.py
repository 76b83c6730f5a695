"""Transformer building blocks: sinusoidal positions, an encoder layer from scratch and
an ``nn.Transformer`` sequence-to-sequence model.

Built in notebooks/14_transformer, whose ``#@save`` cells write out
:func:`sinusoidal_positions`, :class:`PositionalEncoding` and
:class:`TransformerEncoderLayer` as they stand here. :class:`TransformerSeq2Seq` is
not written out: it wraps ``nn.Transformer`` with the pieces the lesson built
(embeddings, the positions, the masks), and the lesson uses it and takes it apart,
rebuilding its output from those parts and writing its greedy loop out. Its
``init_decoding``/``decode_step`` decode one token at a time with a cache of each
decoder layer's keys and values (what ``nlpcourse.translate.beam_search`` calls); the
course's Multi30k translator is one of these models.

:class:`TransformerEncoderLayer` uses the parameter names of
``nn.TransformerEncoderLayer`` (``self_attn``, ``linear1``, ``linear2``, ``norm1``,
``norm2``), so PyTorch's weights load into it with ``load_state_dict`` and the two can
be compared number for number.
"""

from __future__ import annotations

import math
import warnings

import torch
import torch.nn.functional as F
from torch import nn

from nlpcourse import checks
from nlpcourse.models.attention import MultiHeadAttention, causal_mask, padding_mask

__all__ = ["sinusoidal_positions", "PositionalEncoding", "TransformerEncoderLayer", "TransformerSeq2Seq"]


def sinusoidal_positions(max_len: int, d_model: int) -> torch.Tensor:
    """(max_len, d_model) table of Vaswani et al.'s positional encodings.

    PE[pos, 2i] = sin(pos / 10000^(2i/d)), PE[pos, 2i+1] = cos(pos / 10000^(2i/d)):
    each pair of dimensions is a clock at its own frequency, from one turn every 2*pi
    positions down to one every 10000*2*pi.
    """
    checks.positive_int("max_len", max_len)
    if checks.positive_int("d_model", d_model) % 2:  # sines and cosines come in pairs
        raise ValueError(f"d_model must be even, got {d_model}")
    positions = torch.arange(max_len, dtype=torch.float32)[:, None]  # (T, 1)
    # (d/2,): 10000^(-2i/d) for the pairs i, computed as exp(2i * (-ln 10000 / d))
    log_step = -math.log(10000.0) / d_model
    frequencies = torch.exp(torch.arange(0, d_model, 2, dtype=torch.float32) * log_step)
    table = torch.zeros(max_len, d_model)
    table[:, 0::2] = torch.sin(positions * frequencies)  # (T, d/2): even dimensions
    table[:, 1::2] = torch.cos(positions * frequencies)  # odd dimensions
    return table


class PositionalEncoding(nn.Module):
    """Add sinusoidal positions to (B, T, d) embeddings (scaled by sqrt(d) first, as in
    the paper, when ``scale=True``), then dropout.

    The scale suits embeddings that start with standard deviation d^-1/2, as
    :class:`TransformerSeq2Seq`'s do: scaled, their entries have standard deviation 1,
    about the size of the table's (root mean square 1/sqrt(2)). Embeddings that start
    with ``nn.Embedding``'s default, standard deviation 1, would come out sqrt(d) times
    larger and drown the positions; pass ``scale=False`` for those.
    """

    def __init__(self, d_model: int, max_len: int = 512, dropout: float = 0.0,
                 scale: bool = True):
        super().__init__()
        # a buffer: it moves with .to(device) but is not trained (and not saved)
        self.register_buffer("table", sinusoidal_positions(max_len, d_model),
                             persistent=False)
        self.scale = math.sqrt(d_model) if scale else 1.0
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        max_len, d_model = self.table.shape
        x = checks.features(x, d_model, "PositionalEncoding", steps=True)  # (B, T, d)
        if x.shape[1] > max_len:
            raise ValueError(f"sequence of length {x.shape[1]} is longer than "
                             f"max_len={max_len}")
        return self.dropout(x * self.scale + self.table[: x.shape[1]])  # (B, T, d)


class TransformerEncoderLayer(nn.Module):
    """Self-attention and a feed-forward block, each with a residual connection and
    layer normalisation: post-norm ``x = norm(x + sublayer(x))`` as in the paper and
    PyTorch's default, or pre-norm ``x = x + sublayer(norm(x))`` (``norm_first=True``,
    as GPT-2 does). ``forward(x (B, T, d), key_padding_mask (B, T), attn_mask (T, T))``,
    masks True where attention is forbidden.
    """

    def __init__(
        self,
        d_model: int,
        nhead: int,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        norm_first: bool = False,
        layer_norm_eps: float = 1e-5,
    ):
        super().__init__()
        # the names of nn.TransformerEncoderLayer, so that its weights load into ours
        self.self_attn = MultiHeadAttention(d_model, nhead, dropout=dropout)
        self.linear1 = nn.Linear(d_model, dim_feedforward)
        self.linear2 = nn.Linear(dim_feedforward, d_model)
        self.norm1 = nn.LayerNorm(d_model, eps=layer_norm_eps)
        self.norm2 = nn.LayerNorm(d_model, eps=layer_norm_eps)
        self.dropout = nn.Dropout(dropout)
        self.norm_first = norm_first

    def _attend(self, x, key_padding_mask, attn_mask):
        """Positions exchange information: self-attention, queries = keys = values."""
        out, _ = self.self_attn(x, x, x, key_padding_mask=key_padding_mask,
                                attn_mask=attn_mask)
        return self.dropout(out)  # (B, T, d)

    def _feed_forward(self, x):
        """Each position on its own: d -> d_ff -> d, a ReLU between."""
        return self.dropout(self.linear2(self.dropout(F.relu(self.linear1(x)))))

    def forward(self, x, key_padding_mask=None, attn_mask=None) -> torch.Tensor:
        if self.norm_first:  # pre-norm: an untouched residual path from input to output
            x = x + self._attend(self.norm1(x), key_padding_mask, attn_mask)
            return x + self._feed_forward(self.norm2(x))
        x = self.norm1(x + self._attend(x, key_padding_mask, attn_mask))  # post-norm
        return self.norm2(x + self._feed_forward(x))  # (B, T, d)


class TransformerSeq2Seq(nn.Module):
    """An encoder-decoder Transformer for (source, target) token pairs: token embeddings
    scaled by sqrt(d_model), sinusoidal positions, ``nn.Transformer`` and a linear layer.
    Used in notebooks/14_transformer (section 7), which rebuilds its output from those
    parts; the package keeps its code, the lesson does not write it out.

    Takes the batches of ``nlpcourse.text.pair_loaders`` as
    :class:`nlpcourse.models.seq2seq.Seq2Seq` does: ``forward(src (B, S), src_lengths
    (B,), tgt_in (B, T))`` returns logits (B, T, tgt_vocab_size) for every target
    position at once (teacher forcing), with four masks built inside: the source padding
    mask (used by the encoder's self-attention and, as ``memory_key_padding_mask``, by
    the decoder's cross-attention), the target padding mask and the causal mask.
    :meth:`greedy_decode` writes the target one token at a time from the source alone.

    The embeddings start with standard deviation d_model^-0.5, so after the sqrt(d_model)
    scale their entries have standard deviation 1, about the size of the position table
    they are added to. The scale relies on that start: with ``nn.Embedding``'s default,
    standard deviation 1, the tokens would be sqrt(d_model) times larger than the
    positions (notebooks/14_transformer, section 4, checks both).

    ``shared_embeddings=True`` (one subword vocabulary for both languages, as the
    course's Multi30k checkpoint uses) makes the source embedding, the target embedding
    and the output layer's weight one table, as Vaswani et al. (2017) do.
    """

    def __init__(
        self,
        src_vocab_size: int,
        tgt_vocab_size: int,
        d_model: int = 64,
        nhead: int = 2,
        num_encoder_layers: int = 2,
        num_decoder_layers: int = 2,
        dim_feedforward: int = 128,
        dropout: float = 0.1,
        max_len: int = 256,
        norm_first: bool = False,
        sos_index: int = 1,
        eos_index: int = 2,
        pad_index: int = 0,
        shared_embeddings: bool = False,
    ):
        super().__init__()
        for name, value in (("src_vocab_size", src_vocab_size), ("tgt_vocab_size", tgt_vocab_size),
                            ("d_model", d_model), ("nhead", nhead), ("max_len", max_len)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        if d_model % nhead:
            raise ValueError(f"d_model={d_model} is not divisible by nhead={nhead}")
        self.sos_index, self.eos_index, self.pad_index = sos_index, eos_index, pad_index
        self.d_model, self.max_len = d_model, max_len
        if shared_embeddings and src_vocab_size != tgt_vocab_size:
            raise ValueError("shared_embeddings needs one vocabulary for both sides, got "
                             f"{src_vocab_size} source and {tgt_vocab_size} target tokens")
        self.src_embedding = nn.Embedding(src_vocab_size, d_model, padding_idx=pad_index)
        self.tgt_embedding = (self.src_embedding if shared_embeddings else
                              nn.Embedding(tgt_vocab_size, d_model, padding_idx=pad_index))
        for embedding in dict.fromkeys((self.src_embedding, self.tgt_embedding)):
            # std d^-1/2, so that the sqrt(d) of PositionalEncoding brings the entries
            # to std 1, about the size of the positions (nn.Embedding's default is std 1)
            nn.init.normal_(embedding.weight, std=d_model**-0.5)
            with torch.no_grad():
                embedding.weight[pad_index].zero_()
        self.positions = PositionalEncoding(d_model, max_len, dropout, scale=True)
        with warnings.catch_warnings():  # about the shortcut switched off just below
            warnings.filterwarnings("ignore", message="enable_nested_tensor is True")
            self.transformer = nn.Transformer(
                d_model, nhead, num_encoder_layers, num_decoder_layers, dim_feedforward,
                dropout, batch_first=True, norm_first=norm_first,
            )
        # PyTorch's nested-tensor shortcut for padded batches (eval mode only) is a
        # prototype that warns; the plain path gives the same outputs at real positions
        self.transformer.encoder.enable_nested_tensor = False
        self.transformer.encoder.use_nested_tensor = False
        self.out = nn.Linear(d_model, tgt_vocab_size)
        if shared_embeddings:  # one table reads and writes tokens (Press and Wolf 2017)
            self.out.weight = self.tgt_embedding.weight

    def _check(self, src: torch.Tensor, src_lengths) -> torch.Tensor:
        if not isinstance(src, torch.Tensor) or src.dim() != 2:
            raise ValueError(f"expected src token ids of shape (batch, time), got {getattr(src, 'shape', src)}")
        if src.is_floating_point() or src.dtype == torch.bool:
            raise TypeError(f"expected integer token ids, got dtype {src.dtype}")
        if src.shape[1] > self.max_len:
            raise ValueError(f"source of length {src.shape[1]} is longer than max_len={self.max_len}")
        lengths = torch.as_tensor(src_lengths).to(src.device, torch.long)
        if lengths.shape != (src.shape[0],):
            raise ValueError(f"expected src_lengths of shape ({src.shape[0]},), got {tuple(lengths.shape)}")
        if (lengths < 1).any() or (lengths > src.shape[1]).any():
            raise ValueError(f"every source length must be in [1, {src.shape[1]}]")
        return lengths

    def encode(self, src: torch.Tensor, src_lengths) -> tuple[torch.Tensor, torch.Tensor]:
        """The encoder's output, the memory (B, S, d), and the source padding mask (B, S)."""
        lengths = self._check(src, src_lengths)
        src_mask = padding_mask(lengths, src.shape[1])  # (B, S), True at padding
        embedded = self.positions(self.src_embedding(src))  # (B, S, d)
        memory = self.transformer.encoder(embedded, src_key_padding_mask=src_mask)
        return memory, src_mask

    def decode(self, tgt_in: torch.Tensor, memory: torch.Tensor, src_mask: torch.Tensor) -> torch.Tensor:
        """Logits (B, T, V) for every position of ``tgt_in`` (B, T), each reading only
        the target tokens up to itself and the whole (unpadded) source."""
        if tgt_in.dim() != 2 or tgt_in.shape[0] != memory.shape[0]:
            raise ValueError(f"expected tgt_in of shape ({memory.shape[0]}, time), got {tuple(tgt_in.shape)}")
        if tgt_in.shape[1] > self.max_len:
            raise ValueError(f"target of length {tgt_in.shape[1]} is longer than max_len={self.max_len}")
        steps = tgt_in.shape[1]
        hidden = self.transformer.decoder(
            self.positions(self.tgt_embedding(tgt_in)),  # (B, T, d)
            memory,
            tgt_mask=causal_mask(steps, device=tgt_in.device),  # (T, T): no peeking ahead
            tgt_key_padding_mask=tgt_in == self.pad_index,  # (B, T)
            memory_key_padding_mask=src_mask,  # (B, S)
        )  # (B, T, d)
        return self.out(hidden)  # (B, T, V)

    def forward(self, src: torch.Tensor, src_lengths, tgt_in: torch.Tensor) -> torch.Tensor:
        """Logits (B, T, V) for every target position; ``tgt_in`` (B, T) starts with <sos>."""
        if tgt_in.dim() != 2 or tgt_in.shape[0] != src.shape[0]:
            raise ValueError(f"expected tgt_in of shape ({src.shape[0]}, time), got {tuple(tgt_in.shape)}")
        memory, src_mask = self.encode(src, src_lengths)
        return self.decode(tgt_in, memory, src_mask)

    def _heads(self, x: torch.Tensor) -> torch.Tensor:
        """(B, T, d) -> (B, heads, T, d / heads)."""
        heads = self.transformer.nhead
        return x.view(x.shape[0], x.shape[1], heads, self.d_model // heads).transpose(1, 2)

    def _project(self, attention: nn.MultiheadAttention, x: torch.Tensor, which: int):
        """One of ``attention``'s input projections (0 query, 1 key, 2 value) of x
        (B, T, d), split into heads: (B, heads, T, d / heads)."""
        rows = slice(which * self.d_model, (which + 1) * self.d_model)
        return self._heads(F.linear(x, attention.in_proj_weight[rows],
                                    attention.in_proj_bias[rows]))

    def _attend(self, attention, query, keys, values, allowed=None, weights=None):
        """``attention`` (an nn.MultiheadAttention) of a query (B, 1, d) over keys and
        values already projected (B, heads, S, d / heads); (B, 1, d). With a list
        ``weights``, the attention weights (B, heads, S) are appended to it."""
        query = self._project(attention, query, 0)  # (B, h, 1, dh)
        if weights is None:
            heads = F.scaled_dot_product_attention(query, keys, values, attn_mask=allowed)
        else:  # the same, written out to keep the weights
            scores = query @ keys.transpose(-2, -1) / math.sqrt(query.shape[-1])
            if allowed is not None:
                scores = scores.masked_fill(~allowed, float("-inf"))
            weights.append(scores.softmax(dim=-1)[:, :, 0])  # (B, h, S)
            heads = weights[-1][:, :, None] @ values  # (B, h, 1, dh)
        return attention.out_proj(heads.transpose(1, 2).reshape(len(query), 1, -1))

    @torch.no_grad()
    def init_decoding(self, src: torch.Tensor, src_lengths) -> dict[str, torch.Tensor]:
        """What :meth:`decode_step` needs, as a dict of tensors whose first dimension is
        the batch (so that beam search can reorder rows): each decoder layer's keys and
        values of the memory, computed once, and its self-attention keys and values so
        far (none yet)."""
        memory, src_mask = self.encode(src, src_lengths)  # (B, S, d), (B, S)
        cache = {"allowed": ~src_mask[:, None, None, :]}  # (B, 1, 1, S): real tokens
        empty = self._heads(memory[:, :0])  # (B, h, 0, dh)
        for i, layer in enumerate(self.transformer.decoder.layers):
            cache[f"memory_keys{i}"] = self._project(layer.multihead_attn, memory, 1)
            cache[f"memory_values{i}"] = self._project(layer.multihead_attn, memory, 2)
            cache[f"keys{i}"], cache[f"values{i}"] = empty, empty
        return cache

    @torch.no_grad()
    def decode_step(self, token: torch.Tensor, cache: dict[str, torch.Tensor],
                    cross_attention: list | None = None):
        """Logits (B, V) of the token after ``token`` (B,), and the cache grown by one
        position: the decoder run on one new position, whose self-attention reads the
        keys and values the earlier positions left in the cache. The result equals the
        last position of :meth:`decode` on the whole prefix (the causal mask makes the
        earlier positions' outputs independent of later ones), at a cost of one position
        instead of the whole prefix. In eval mode (no dropout). With a list
        ``cross_attention``, each decoder layer's weights over the source (B, heads, S)
        are appended to it, first layer first."""
        position = cache["keys0"].shape[2]
        if position >= self.max_len:
            raise ValueError(f"the target would be longer than max_len={self.max_len}")
        x = self.tgt_embedding(token)[:, None] * self.positions.scale  # (B, 1, d)
        x = x + self.positions.table[position]
        cache = dict(cache)
        for i, layer in enumerate(self.transformer.decoder.layers):
            # self-attention: this position's key and value join the earlier ones
            h = layer.norm1(x) if layer.norm_first else x
            cache[f"keys{i}"] = torch.cat(
                [cache[f"keys{i}"], self._project(layer.self_attn, h, 1)], dim=2)
            cache[f"values{i}"] = torch.cat(
                [cache[f"values{i}"], self._project(layer.self_attn, h, 2)], dim=2)
            sublayers = [
                lambda h: self._attend(layer.self_attn, h, cache[f"keys{i}"],
                                       cache[f"values{i}"]),
                lambda h: self._attend(layer.multihead_attn, h, cache[f"memory_keys{i}"],
                                       cache[f"memory_values{i}"], cache["allowed"],
                                       cross_attention),
                lambda h: layer.linear2(layer.activation(layer.linear1(h))),
            ]
            for sublayer, norm in zip(sublayers, (layer.norm1, layer.norm2, layer.norm3)):
                x = x + sublayer(norm(x)) if layer.norm_first else norm(x + sublayer(x))
        if self.transformer.decoder.norm is not None:
            x = self.transformer.decoder.norm(x)
        return self.out(x[:, 0]), cache  # (B, V)

    @torch.no_grad()
    def greedy_decode(self, src: torch.Tensor, src_lengths, max_len: int = 20):
        """Token ids (B, L) up to and including <eos> (then padding), and None.

        The encoder runs once; at every step :meth:`decode_step` runs the decoder on the
        newest token only (the earlier ones are in its cache) and the most likely next
        token is appended. The second value stands where ``Seq2Seq.greedy_decode``
        returns attention weights, so code written for one model works with the other.
        """
        if isinstance(max_len, bool) or not isinstance(max_len, int) or not 1 <= max_len < self.max_len:
            raise ValueError(f"max_len must be an int in [1, {self.max_len - 1}], got {max_len!r}")
        was_training = self.training
        self.eval()
        cache = self.init_decoding(src, src_lengths)
        token = torch.full((src.shape[0],), self.sos_index, dtype=torch.long, device=src.device)
        done = torch.zeros(src.shape[0], dtype=torch.bool, device=src.device)
        tokens = []
        for _ in range(max_len):
            logits, cache = self.decode_step(token, cache)  # (B, V)
            token = logits.argmax(-1).masked_fill(done, self.pad_index)  # (B,)
            tokens.append(token)
            done |= token == self.eos_index
            if done.all():
                break
        self.train(was_training)
        return torch.stack(tokens, dim=1), None  # (B, L), without <sos>
