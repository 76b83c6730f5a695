"""Tier-1 loaders: real content from the installed carriers, counted and spot-checked."""

import datetime as dt

import numpy as np
import pytest
import torch

from nlpcourse.data.dates import FORMATS, dates, format_date
from nlpcourse.data.evaluation import analogy_questions, lee_corpus, simlex999, wordsim353
from nlpcourse.data.glove import GloVe, glove
from nlpcourse.data.pretrained import bert_encoder, gpt2_tokenizer
from nlpcourse.data.series import sunspots
from nlpcourse.data.shakespeare import shakespeare, speeches


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("NLPCOURSE_CACHE", str(tmp_path))
    return tmp_path


def test_shakespeare_has_42_works_split_by_work():
    corpus = shakespeare()
    assert len(corpus.works) == 42 and sum(map(len, corpus.works.values())) == 5_057_198
    assert "Hamlet" in corpus.train and "Sonnets" in corpus.validation
    assert len(corpus.train) == 38 and not set(corpus.train) & set(corpus.validation)
    assert "To be, or not to be" in corpus.works["Hamlet"]
    assert corpus.text("validation").startswith(corpus.works["Macbeth"][:100])
    assert len(corpus.text("all")) == 5_057_198 + 2 * 41
    with pytest.raises(ValueError, match="split must be one of"):
        corpus.text("test")


def test_speeches_keep_what_is_said_and_drop_tags_directions_and_headings():
    play = """THE PLAY

DRAMATIS PERSONAE

ROMEO, son to Montague.

SCENE: Verona.

ACT I.

Scene I. A public place.

[Enter Romeo and
Juliet.]

Romeo.
But soft! what light
through yonder window breaks?

FIRST CITIZEN. [Aside.]
O'er the hills, 'tis Romeo.

MRS. PAGE.
Go to.

[Exit.]
"""
    assert speeches(play) == [
        ["but", "soft", "what", "light", "through", "yonder", "window", "breaks"],
        ["o'er", "the", "hills", "tis", "romeo"],
        ["go", "to"],
    ]
    poem = "SONNET\n\nShall I compare thee\nTo a summer's day?\n"  # no heading: all kept
    assert speeches(poem) == [["shall", "i", "compare", "thee", "to", "a", "summer's", "day"]]


def test_the_cleaned_corpus_has_no_speaker_tags():
    corpus = shakespeare()
    romeo = sum(s.count("romeo") for s in speeches(corpus.works["Romeo and Juliet"]))
    assert romeo == 113  # of 312 in the text; 164 were speaker tags, the rest directions
    hamlet_text = corpus.works["Hamlet"]
    assert hamlet_text.count("\nHam.\n") > 300  # Hamlet's speaker tag ...
    assert sum(s.count("ham") for s in speeches(hamlet_text)) < 3  # ... is gone
    train = corpus.speeches("train")
    assert len(train) == 30_040 and sum(map(len, train)) == 767_879
    assert len(corpus.speeches("all")) == len(train) + len(corpus.speeches("validation"))
    with pytest.raises(ValueError, match="split must be one of"):
        corpus.speeches("test")

def test_gensim_evaluation_sets():
    sections = analogy_questions()
    assert len(sections) == 14 and sum(map(len, sections.values())) == 19_544
    assert sections["capital-common-countries"][0] == ("Athens", "Greece", "Baghdad", "Iraq")
    assert len(sections["family"]) == 506
    pairs = wordsim353()
    assert len(pairs) == 353 and ("tiger", "cat", 7.35) in pairs
    simlex = simlex999()
    assert len(simlex) == 999 and simlex[0] == ("old", "new", 1.58)
    assert all(0 <= s <= 10 for _, _, s in pairs + simlex)
    lee = lee_corpus()
    assert len(lee) == 300 and lee[0].startswith("Hundreds of people have been forced")


def test_glove_converts_once_then_loads_from_cache(cache):
    first = glove()
    assert len(first) == 400_000 and first.vector_size == 50
    assert first.index_to_key[:3] == ["the", ",", "."]
    assert "nan" in first.key_to_index and "null" in first.key_to_index  # stayed words
    best = first.most_similar(positive=["king", "woman"], negative=["man"], topn=1)[0][0]
    assert best == "queen"
    (entry,) = (p for p in (cache / "glove").iterdir() if p.suffix != ".lock")
    assert not [p for p in (cache / "glove").iterdir() if "partial" in p.name]
    second = glove()
    assert np.array_equal(np.asarray(second["france"]), np.asarray(first["france"]))
    assert isinstance(second.vectors, np.memmap)  # the cached copy is memory-mapped


def test_glove_rebuilds_a_damaged_cache(cache):
    paris = np.array(glove()["paris"])
    (entry,) = (p for p in (cache / "glove").iterdir() if p.suffix != ".lock")
    (entry / "glove.kv").write_bytes(b"not a pickle")
    rebuilt = glove()
    assert len(rebuilt) == 400_000 and np.array_equal(np.asarray(rebuilt["paris"]), paris)


def test_glove_torchtext_interface(cache):
    vectors = GloVe(name="6B", dim=50)
    assert len(vectors) == 400_000 and vectors.vectors.shape == (400_000, 50)
    assert vectors.itos[vectors.stoi["king"]] == "king"
    king, man, woman = vectors.get_vecs_by_tokens(["King", "man", "woman"])
    assert torch.equal(king, vectors["king"])  # "King" found through the lower-case backup
    assert vectors.get_vecs_by_tokens(["King"], lower_case_backup=False).abs().sum() == 0
    assert vectors.get_vecs_by_tokens("queen").shape == (50,)
    cosine = torch.nn.functional.cosine_similarity(king - man + woman, vectors.vectors, dim=1)
    assert vectors.itos[int(cosine.topk(2).indices[1])] == "queen"  # [0] is king itself


def test_glove_bad_arguments():
    with pytest.raises(ValueError, match="dim=100 is not embedded"):
        glove(dim=100)
    with pytest.raises(ValueError, match="only GloVe '6B'"):
        GloVe(name="840B")


def test_gpt2_tokenizer_matches_gpt2():
    tokenizer = gpt2_tokenizer()
    assert len(tokenizer) == 50_257 and tokenizer.eos_token_id == 50_256
    assert tokenizer("Hello world")["input_ids"] == [15496, 995]
    ids = tokenizer("Tokenization isn't magic.")["input_ids"]
    assert tokenizer.decode(ids) == "Tokenization isn't magic."


def test_bert_encoder_gives_contextual_vectors_and_attention():
    tokenizer, model = bert_encoder()
    assert model.config.num_hidden_layers == 6 and model.config.hidden_size == 384
    assert sum(p.numel() for p in model.parameters()) == 22_713_216 and not model.training
    batch = tokenizer(["the bank of the river", "money in the bank"], return_tensors="pt", padding=True)
    assert tokenizer.convert_ids_to_tokens(batch["input_ids"][0])[:3] == ["[CLS]", "the", "bank"]
    with torch.no_grad():
        out = model(**batch, output_attentions=True)
    assert out.last_hidden_state.shape == (2, batch["input_ids"].shape[1], 384)
    assert len(out.attentions) == 6 and out.attentions[0].shape[1] == 12
    # the same word in two contexts gets two different vectors
    ids = batch["input_ids"].tolist()
    bank = tokenizer.convert_tokens_to_ids("bank")
    river_bank = out.last_hidden_state[0, ids[0].index(bank)]
    money_bank = out.last_hidden_state[1, ids[1].index(bank)]
    assert torch.cosine_similarity(river_bank, money_bank, dim=0) < 0.95


def test_sunspots():
    years, values = sunspots()
    assert years.shape == values.shape == (309,)
    assert years[0] == 1700 and years[-1] == 2008 and values[0] == 5.0
    assert values.min() >= 0 and 150 < values.max() < 200


def test_dates_are_deterministic_and_held_out_by_day():
    data = dates()
    assert {k: len(v) for k, v in data.items()} == {"train": 20_000, "validation": 1_000, "test": 1_000}
    assert data == dates()
    assert dates(seed=1)["train"] != data["train"]
    train_days = {iso for _, iso in data["train"]}
    assert not train_days & {iso for _, iso in data["test"] + data["validation"]}
    assert all(dt.date.fromisoformat(iso) for _, iso in data["test"])
    saturday = dt.date(2026, 11, 21)
    assert format_date(saturday, "korean_weekday") == "2026년 11월 21일 토요일"
    assert format_date(saturday, "long_weekday") == "Saturday, November 21, 2026"
    assert format_date(dt.date(2026, 3, 11), "ordinal") == "the 11th of March 2026"
    assert format_date(dt.date(2026, 3, 22), "ordinal") == "the 22nd of March 2026"
    written = {}
    for text, iso in data["train"]:
        assert written.setdefault(text, iso) == iso  # one answer per input
    assert len({style for style in FORMATS}) == 11


def test_dates_bad_arguments():
    with pytest.raises(ValueError, match="unknown date format 'iso'"):
        format_date(dt.date(2026, 1, 1), "iso")
    with pytest.raises(ValueError, match="n_test must be non-negative"):
        dates(n_test=-1)
