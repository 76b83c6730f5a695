"""Tests for nlpcourse.data.stamps: ids from another vocabulary are an error."""

import pickle

import pytest
import torch
from torch import nn

from nlpcourse.data import bert_encoder, gpt2_tokenizer
from nlpcourse.data.stamps import STAMP, VocabularyMismatch, guard_model, stamp_tokenizer


class ToyTokenizer:
    def __call__(self, text, return_tensors=None):
        ids = torch.tensor([[len(word) for word in text.split()]])
        return {"input_ids": ids} if return_tensors else {"input_ids": ids[0].tolist()}

    def encode(self, text, return_tensors=None):
        return self(text, return_tensors)["input_ids"]

    def apply_chat_template(self, messages, return_tensors=None):
        return self(" ".join(m["content"] for m in messages), return_tensors)["input_ids"]


class ToyModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(20, 4)

    def forward(self, input_ids):
        return self.embedding(input_ids)

    def generate(self, input_ids, max_new_tokens=1):
        return torch.cat([input_ids, input_ids[:, -1:].repeat(1, max_new_tokens)], dim=1)


def test_ids_from_another_vocabulary_are_refused_everywhere_they_go_in():
    ours = stamp_tokenizer(ToyTokenizer(), "toy words")
    theirs = stamp_tokenizer(ToyTokenizer(), "other words")
    model = guard_model(ToyModel(), "toy words", "the toy model", "toy()")
    good = ours("a tiny test", return_tensors="pt")
    assert getattr(good["input_ids"], STAMP) == "toy words"
    assert model(**good).shape == (1, 3, 4)
    assert model.generate(ours.encode("a b", return_tensors="pt"), max_new_tokens=2).shape == (1, 4)
    bad = theirs("a tiny test", return_tensors="pt")
    for call in (lambda: model(**bad), lambda: model(bad["input_ids"]),
                 lambda: model.generate(**bad),
                 lambda: model.generate(theirs.encode("a b", return_tensors="pt")),
                 lambda: model(theirs.apply_chat_template([{"content": "hi"}], return_tensors="pt"))):
        with pytest.raises(VocabularyMismatch, match="come from the other words tokenizer, "
                                                     "but the toy model .* tokenizer that toy"):
            call()
    # ids built by hand carry no stamp and are not checked; lists are left alone
    assert model(torch.tensor([[1, 2]])).shape == (1, 2, 4)
    assert ours("a b")["input_ids"] == [1, 1]


def test_a_stamped_tokenizer_is_still_its_class_and_pickles():
    tokenizer = stamp_tokenizer(ToyTokenizer(), "toy words")
    assert isinstance(tokenizer, ToyTokenizer)
    copy = pickle.loads(pickle.dumps(tokenizer))
    assert getattr(copy.encode("a b", return_tensors="pt"), STAMP) == "toy words"


def test_the_course_gpt2_tokenizer_cannot_feed_the_bert_encoder():
    gpt2 = gpt2_tokenizer()
    bert_tok, bert = bert_encoder()
    with pytest.raises(VocabularyMismatch, match="GPT-2 byte-level BPE"):
        bert(**gpt2("Artificial Intelligence is", return_tensors="pt"))
    with torch.no_grad():
        hidden = bert(**bert_tok("Artificial Intelligence is", return_tensors="pt"))
    assert hidden.last_hidden_state.shape[-1] == 384
