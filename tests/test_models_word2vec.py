import numpy as np
import pytest
import torch
from scipy.stats import chisquare

from nlpcourse.models.word2vec import (
    NegativeSampler,
    SkipGramNS,
    keep_probability,
    skipgram_pairs,
    subsample,
)

# "the cat sat on the mat" as ids: the=0 cat=1 sat=2 on=3 mat=4
SENTENCE = [0, 1, 2, 3, 0, 4]


# ---------------------------------------------------------------- skipgram_pairs


def test_pairs_of_one_sentence_window_1():
    centers, contexts = skipgram_pairs(SENTENCE, window=1)
    pairs = list(zip(centers.tolist(), contexts.tolist()))
    assert pairs == [(0, 1), (1, 0), (1, 2), (2, 1), (2, 3), (3, 2), (3, 0), (0, 3), (0, 4), (4, 0)]
    assert centers.dtype == contexts.dtype == torch.int64


def test_pairs_window_2_counts_and_center_order():
    centers, contexts = skipgram_pairs(SENTENCE, window=2)
    # positions 0 and 5 have 2 contexts, 1 and 4 have 3, 2 and 3 have 4
    assert len(centers) == 2 + 3 + 4 + 4 + 3 + 2
    assert centers[5:9].tolist() == [2] * 4 and contexts[5:9].tolist() == [0, 1, 3, 0]


def test_pairs_never_cross_sentences_and_accept_many_forms():
    corpus = [[5, 6], [7], np.array([8, 9]), torch.tensor([10, 11])]
    centers, contexts = skipgram_pairs(corpus, window=3)
    pairs = set(zip(centers.tolist(), contexts.tolist()))
    assert pairs == {(5, 6), (6, 5), (8, 9), (9, 8), (10, 11), (11, 10)}
    # one 1-D tensor or array is one sentence
    assert torch.equal(skipgram_pairs(torch.tensor(SENTENCE), 1)[0], skipgram_pairs(SENTENCE, 1)[0])


def test_dynamic_window_is_a_seeded_subset_weighted_to_near_neighbours():
    rng = np.random.default_rng(0)
    corpus = [rng.integers(0, 50, size=200) for _ in range(50)]
    full = skipgram_pairs(corpus, window=4)
    first = skipgram_pairs(corpus, window=4, dynamic=True, seed=1)
    again = skipgram_pairs(corpus, window=4, dynamic=True, seed=1)
    other = skipgram_pairs(corpus, window=4, dynamic=True, seed=2)
    assert torch.equal(first[0], again[0]) and torch.equal(first[1], again[1])
    assert not torch.equal(first[1], other[1])
    # each center draws b in 1..4, so on average (1+2+3+4)/4 = 2.5 of its 4 per side
    assert len(first[0]) / len(full[0]) == pytest.approx(2.5 / 4, abs=0.02)


@pytest.mark.parametrize("corpus", [[], [[]], [[], []], np.array([], dtype=np.int64)])
def test_empty_corpus_is_an_error(corpus):
    with pytest.raises(ValueError, match="empty"):
        skipgram_pairs(corpus, window=2)


@pytest.mark.parametrize("window", [0, -1])
def test_window_below_one_is_an_error(window):
    with pytest.raises(ValueError, match="window must be at least 1"):
        skipgram_pairs(SENTENCE, window=window)


def test_bad_corpora_and_windows_are_clear_errors():
    with pytest.raises(TypeError, match="window must be an int"):
        skipgram_pairs(SENTENCE, window=2.5)
    with pytest.raises(TypeError, match="not text"):
        skipgram_pairs("the cat sat", window=2)
    with pytest.raises(TypeError, match="not text"):
        skipgram_pairs([["the", "cat"]], window=2)
    with pytest.raises(TypeError, match="integer ids"):
        skipgram_pairs([[0.5, 1.5]], window=2)
    with pytest.raises(ValueError, match="non-negative"):
        skipgram_pairs([[0, -3]], window=2)


# ---------------------------------------------------------------- subsampling


def test_keep_probability_formulas():
    counts = np.array([1000, 100, 10, 0])  # frequencies 0.9009.., 0.09009.., 0.009009.., 0
    freq = counts / counts.sum()
    t = 1e-2
    paper = keep_probability(counts, threshold=t)
    np.testing.assert_allclose(paper[:3], np.minimum(1, np.sqrt(t / freq[:3])))
    w2v = keep_probability(counts, threshold=t, formula="word2vec")
    np.testing.assert_allclose(w2v[:2], np.sqrt(t / freq[:2]) + t / freq[:2])
    assert paper[3] == w2v[3] == 1.0 and w2v[2] == 1.0
    assert (np.diff(paper[:3]) > 0).all()  # the more frequent, the less kept


def test_keep_probability_matches_gensim():
    from gensim.models import Word2Vec

    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(30)]
    zipf = 1 / np.arange(1, 31)
    sentences = [list(rng.choice(words, size=20, p=zipf / zipf.sum())) for _ in range(300)]
    model = Word2Vec(vector_size=8, min_count=1, sample=1e-2, workers=1, seed=0)
    model.build_vocab(sentences)
    counts = [model.wv.get_vecattr(w, "count") for w in model.wv.index_to_key]
    gensim_keep = np.array([model.wv.get_vecattr(w, "sample_int") for w in model.wv.index_to_key]) / (2**32 - 1)
    np.testing.assert_allclose(keep_probability(counts, 1e-2, formula="word2vec"), gensim_keep, atol=1e-9)


def test_subsample_drops_frequent_words_more_and_is_seeded():
    counts = np.array([9000, 900, 90, 10])
    corpus = [np.repeat(np.arange(4), counts)]  # one sentence holding every occurrence
    kept = subsample(corpus, counts, threshold=1e-3, seed=0)
    kept_counts = np.bincount(kept[0], minlength=4)
    share = kept_counts / counts
    expected = keep_probability(counts, 1e-3)
    assert share[0] < share[1] < share[2] <= share[3] == 1.0
    np.testing.assert_allclose(share[:2], expected[:2], rtol=0.15)
    again = subsample(corpus, counts, threshold=1e-3, seed=0)
    assert np.array_equal(kept[0], again[0])
    assert not np.array_equal(kept[0], subsample(corpus, counts, threshold=1e-3, seed=1)[0])
    # a single sentence comes back as a single array
    assert isinstance(subsample(np.array(SENTENCE), np.ones(5), seed=0), np.ndarray)


def test_subsample_bad_input():
    with pytest.raises(ValueError, match="has no count"):
        subsample([[0, 1, 7]], counts=[5, 5], seed=0)
    with pytest.raises(ValueError, match="empty"):
        subsample([], counts=[5, 5])
    with pytest.raises(ValueError, match="non-negative"):
        keep_probability([5, -1])
    with pytest.raises(ValueError, match="all counts are zero"):
        keep_probability([0, 0])
    with pytest.raises(ValueError, match="threshold must be positive"):
        keep_probability([5, 1], threshold=0)
    with pytest.raises(ValueError, match="formula"):
        keep_probability([5, 1], formula="mikolov")


# ---------------------------------------------------------------- negative sampling


@pytest.mark.parametrize("method", ["multinomial", "table"])
def test_negative_sampler_follows_unigram_to_the_075(method):
    counts = np.array([5000, 2000, 1000, 400, 100, 50, 10, 0])
    sampler = NegativeSampler(counts, power=0.75, method=method, seed=0)
    expected = counts**0.75 / (counts**0.75).sum()
    np.testing.assert_allclose(sampler.probs.numpy(), expected)
    draws = sampler.sample(200_000)
    observed = np.bincount(draws.numpy(), minlength=len(counts))
    assert observed[-1] == 0  # a word never seen is never drawn
    # chi-square goodness of fit on the words with an expected count of at least 5
    ok = expected * len(draws) >= 5
    test = chisquare(observed[ok], expected[ok] / expected[ok].sum() * observed[ok].sum())
    assert test.pvalue > 1e-3
    # the 0.75 power lifts rare words above their raw share and lowers frequent ones
    raw = counts / counts.sum()
    assert observed[0] / len(draws) < raw[0] and observed[5] / len(draws) > raw[5]


def test_negative_sampler_matches_gensim_cum_table():
    from gensim.models import Word2Vec

    rng = np.random.default_rng(1)
    words = [f"w{i}" for i in range(40)]
    zipf = 1 / np.arange(1, 41)
    sentences = [list(rng.choice(words, size=15, p=zipf / zipf.sum())) for _ in range(200)]
    model = Word2Vec(vector_size=8, min_count=1, workers=1, seed=0, negative=5)
    model.build_vocab(sentences)
    counts = [model.wv.get_vecattr(w, "count") for w in model.wv.index_to_key]
    gensim_probs = np.diff(np.concatenate([[0], model.cum_table])) / model.cum_table[-1]
    np.testing.assert_allclose(NegativeSampler(counts).probs.numpy(), gensim_probs, atol=1e-8)


def test_negative_sampler_shapes_seed_and_power_zero():
    sampler = NegativeSampler([3, 2, 1], seed=0)
    assert sampler.sample(4, 5).shape == (4, 5) and sampler.sample((2, 3)).dtype == torch.int64
    assert torch.equal(NegativeSampler([3, 2, 1], seed=7).sample(50), NegativeSampler([3, 2, 1], seed=7).sample(50))
    uniform = NegativeSampler([100, 10, 1, 0], power=0.0)
    np.testing.assert_allclose(uniform.probs.numpy(), [1 / 3, 1 / 3, 1 / 3, 0])
    assert len(uniform) == 4


def test_negative_sampler_bad_input():
    with pytest.raises(ValueError, match="non-empty"):
        NegativeSampler([])
    with pytest.raises(ValueError, match="non-negative"):
        NegativeSampler([1, -2])
    with pytest.raises(ValueError, match="method"):
        NegativeSampler([1, 2], method="alias")
    with pytest.raises(ValueError, match="table_size"):
        NegativeSampler([1] * 100, method="table", table_size=10)
    with pytest.raises(ValueError, match="power"):
        NegativeSampler([1, 2], power=-1)
    with pytest.raises(ValueError, match="shape"):
        NegativeSampler([1, 2]).sample(-1)


# ---------------------------------------------------------------- the model


def test_loss_equals_a_hand_computation():
    torch.manual_seed(0)
    model = SkipGramNS(vocab_size=6, dim=3)
    with torch.no_grad():
        model.in_embed.weight.normal_()
        model.out_embed.weight.normal_()
    center, context = torch.tensor([1, 4]), torch.tensor([2, 0])
    negatives = torch.tensor([[3, 5], [1, 1]])
    V = model.in_embed.weight.detach().numpy().astype(np.float64)
    U = model.out_embed.weight.detach().numpy().astype(np.float64)

    def log_sigmoid(x):
        return -np.log1p(np.exp(-x))

    by_hand = []
    for c, o, noise in zip(center.tolist(), context.tolist(), negatives.tolist()):
        loss = -log_sigmoid(U[o] @ V[c]) - sum(log_sigmoid(-U[n] @ V[c]) for n in noise)
        by_hand.append(loss)
    assert model(center, context, negatives).item() == pytest.approx(np.mean(by_hand), rel=1e-5)


def test_fresh_model_loss_is_k_plus_one_log_two():
    # u starts at zero, so every score is 0 and every term is -log sigmoid(0) = log 2
    model = SkipGramNS(10, 4)
    loss = model(torch.tensor([1, 2]), torch.tensor([3, 4]), torch.zeros(2, 5, dtype=torch.long))
    assert loss.item() == pytest.approx(6 * np.log(2))
    assert model.vectors.shape == (10, 4) and not model.vectors.requires_grad
    assert sum(p.numel() for p in model.parameters()) == 2 * 10 * 4


def test_model_shapes_and_bad_input():
    model = SkipGramNS(10, 4)
    true_score, noise_score = model.scores(
        torch.tensor([1, 2, 3]), torch.tensor([4, 5, 6]), torch.zeros(3, 7, dtype=torch.long)
    )
    assert true_score.shape == (3,) and noise_score.shape == (3, 7)
    good = (torch.tensor([1, 2]), torch.tensor([3, 4]), torch.zeros(2, 5, dtype=torch.long))
    with pytest.raises(TypeError, match="center expects integer token ids"):
        model(good[0].float(), good[1], good[2])
    with pytest.raises(ValueError, match=r"context expects shape \(2,\), got \(1,\)"):
        model(good[0], torch.tensor([3]), good[2])
    with pytest.raises(ValueError, match=r"negatives expects shape \(2, K\), got \(5,\)"):
        model(good[0], good[1], torch.zeros(5, dtype=torch.long))
    with pytest.raises(ValueError, match=r"negatives expects shape \(2, K\), got \(3, 5\)"):
        model(good[0], good[1], torch.zeros(3, 5, dtype=torch.long))
    with pytest.raises(ValueError, match=r"context: token ids must lie in \[0, 10\), got values from 3 to 10"):
        model(good[0], torch.tensor([3, 10]), good[2])
    with pytest.raises(TypeError, match="center expects integer word ids of shape"):
        model([1, 2], good[1], good[2])
    with pytest.raises(ValueError, match="positive"):
        SkipGramNS(0, 4)


@pytest.fixture
def one_thread():
    # tiny ops: with a busy second core, thread hand-offs would cost more than the maths
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def test_related_words_end_up_closer_after_training(one_thread):
    # two topics that never share a sentence: animals and vehicles
    rng = np.random.default_rng(0)
    animals, vehicles = [0, 1, 2], [3, 4, 5]  # cat dog mouse / car bus truck
    animal_context, vehicle_context = [6, 7, 8], [9, 10, 11]  # eats runs pet / drives road wheel
    sentences = []
    for _ in range(400):
        words, context = (animals, animal_context) if rng.random() < 0.5 else (vehicles, vehicle_context)
        sentences.append(rng.choice(words + context, size=6))
    counts = np.bincount(np.concatenate(sentences), minlength=12)
    centers, contexts = skipgram_pairs(sentences, window=2)
    sampler = NegativeSampler(counts, seed=0)
    torch.manual_seed(0)
    model = SkipGramNS(12, 8)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    first_loss = None
    for step in range(150):
        batch = torch.randint(len(centers), (256,))
        loss = model(centers[batch], contexts[batch], sampler.sample(256, 3))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        first_loss = loss.item() if first_loss is None else first_loss
    assert loss.item() < first_loss
    unit = torch.nn.functional.normalize(model.vectors, dim=1)
    cosine = unit @ unit.T
    within = cosine[0, 1], cosine[3, 4]  # cat-dog, car-bus
    across = cosine[0, 3], cosine[1, 4]  # cat-car, dog-bus
    assert min(within) > max(across) + 0.5
