"""Tests for nlpcourse.generate (built in notebooks/11_text_generation)."""

import math

import pytest
import torch

from nlpcourse.generate import filter_logits, next_token_probs, perplexity, sample_next

LOGITS = torch.tensor([[2.0, 1.0, 0.5, 0.0, -1.0, -3.0]])  # one row, 6 tokens


def draw(logits, n, seed=0, **kwargs):
    """n samples from one row of logits, by repeating the row (one multinomial call)."""
    generator = torch.Generator().manual_seed(seed)
    return sample_next(logits.expand(n, -1), generator=generator, **kwargs)


def test_temperature_one_follows_the_softmax():
    n = 40_000
    counts = torch.bincount(draw(LOGITS, n), minlength=6).double()
    expected = torch.softmax(LOGITS[0].double(), dim=-1) * n
    # a chi-square goodness-of-fit test with 5 degrees of freedom: 20.5 is its 0.999 quantile
    chi2 = ((counts - expected) ** 2 / expected).sum().item()
    assert chi2 < 20.5


@pytest.mark.parametrize("temperature", [0.5, 2.0])
def test_temperature_is_the_softmax_of_scaled_logits(temperature):
    probs = next_token_probs(LOGITS, temperature)
    assert torch.allclose(probs, torch.softmax(LOGITS / temperature, dim=-1), atol=1e-7)
    frequencies = torch.bincount(draw(LOGITS, 20_000, temperature=temperature), minlength=6) / 20_000
    assert torch.allclose(frequencies, probs[0], atol=0.015)


def test_low_temperature_concentrates_and_high_temperature_flattens():
    top_share = [next_token_probs(LOGITS, t)[0, 0].item() for t in (0.1, 0.5, 1.0, 2.0, 100.0)]
    assert top_share == sorted(top_share, reverse=True)
    assert top_share[0] > 0.9999 and abs(top_share[-1] - 1 / 6) < 0.01
    assert (draw(LOGITS, 1000, temperature=0.05) == 0).all()


def test_temperature_zero_is_greedy_and_uses_no_randomness():
    logits = torch.randn(5, 30, generator=torch.Generator().manual_seed(1))
    generator = torch.Generator().manual_seed(0)
    state = generator.get_state()
    assert torch.equal(sample_next(logits, temperature=0, generator=generator), logits.argmax(dim=-1))
    assert torch.equal(generator.get_state(), state)
    one_hot = next_token_probs(logits, temperature=0)
    assert torch.equal(one_hot.argmax(dim=-1), logits.argmax(dim=-1)) and torch.equal(one_hot.sum(-1), torch.ones(5))
    # a tiny positive temperature agrees with greedy and does not overflow
    assert torch.equal(sample_next(logits, temperature=1e-6, generator=generator), logits.argmax(dim=-1))
    # ties go to the first index, as argmax does
    assert sample_next(torch.tensor([[1.0, 3.0, 3.0]]), temperature=0).item() == 1


def test_top_k_never_samples_outside_the_k_best():
    logits = torch.randn(64, 50, generator=torch.Generator().manual_seed(2))
    best3 = logits.topk(3, dim=-1).indices  # (B, 3)
    for seed in range(20):
        ids = sample_next(logits, temperature=1.5, top_k=3, generator=torch.Generator().manual_seed(seed))
        assert (ids[:, None] == best3).any(dim=-1).all()
    probs = next_token_probs(logits, top_k=3)
    assert ((probs > 0).sum(dim=-1) == 3).all()
    kept = probs.gather(-1, best3)
    assert torch.allclose(kept, torch.softmax(logits.gather(-1, best3), dim=-1), atol=1e-6)
    # k = 1 is greedy; k >= V keeps everything
    assert torch.equal(sample_next(logits, top_k=1), logits.argmax(dim=-1))
    assert torch.allclose(next_token_probs(logits, top_k=50), torch.softmax(logits, -1))
    assert torch.allclose(next_token_probs(logits, top_k=500), torch.softmax(logits, -1))


def test_top_k_keeps_exactly_k_even_with_ties():
    logits = torch.tensor([[1.0, 1.0, 1.0, 0.0]])
    assert (filter_logits(logits, top_k=2) > float("-inf")).sum().item() == 2


def test_top_p_keeps_the_smallest_nucleus():
    probs = torch.tensor([[0.05, 0.5, 0.1, 0.3, 0.05]])
    logits = probs.log()
    # sorted: 0.5, 0.3, 0.1, 0.05, 0.05 -> cumulative 0.5, 0.8, 0.9, 0.95, 1.0
    for top_p, nucleus in [(0.3, {1}), (0.45, {1}), (0.6, {1, 3}), (0.75, {1, 3}), (0.85, {1, 2, 3}), (1.0, {0, 1, 2, 3, 4})]:
        kept = set(torch.nonzero(next_token_probs(logits, top_p=top_p)[0] > 0).flatten().tolist())
        assert kept == nucleus, (top_p, kept)
    renormalised = next_token_probs(logits, top_p=0.85)[0]
    assert torch.allclose(renormalised[[1, 3, 2]], torch.tensor([0.5, 0.3, 0.1]) / 0.9)
    ids = draw(logits, 2000, top_p=0.6)
    assert set(ids.tolist()) == {1, 3}
    # the nucleus is taken after the temperature: at T = 0.5 the top token alone holds 0.5^2 / 0.3825 > 0.6
    assert (next_token_probs(logits, temperature=0.5, top_p=0.6)[0] > 0).sum().item() == 1


def test_top_p_works_row_by_row_and_with_top_k():
    logits = torch.tensor([[3.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]])
    probs = next_token_probs(logits, top_p=0.7)
    assert (probs[0] > 0).tolist() == [True, False, False, False]  # 0.87 alone is enough
    assert (probs[1] > 0).sum().item() == 3  # 0.25 each: three make 0.75
    both = next_token_probs(logits, top_k=2, top_p=0.9)
    assert ((both > 0).sum(dim=-1) <= 2).all()


def test_seeds_make_sampling_reproducible():
    logits = torch.randn(8, 100, generator=torch.Generator().manual_seed(3))

    def run(seed):
        return sample_next(logits, temperature=1.2, top_p=0.9, generator=torch.Generator().manual_seed(seed))

    assert torch.equal(run(5), run(5))
    assert not torch.equal(run(5), run(6))


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"temperature": -0.1}, ValueError, "temperature must be finite and >= 0"),
        ({"temperature": float("nan")}, ValueError, "temperature"),
        ({"temperature": float("inf")}, ValueError, "temperature"),
        ({"temperature": "hot"}, TypeError, "temperature must be a real number"),
        ({"top_k": 0}, ValueError, "top_k must be an int >= 1"),
        ({"top_k": 2.5}, ValueError, "top_k"),
        ({"top_p": 0.0}, ValueError, r"top_p must be a number in \(0, 1\]"),
        ({"top_p": 1.5}, ValueError, "top_p"),
        ({"temperature": 0, "top_k": 0}, ValueError, "top_k"),  # errors even when greedy
    ],
)
def test_bad_settings_are_clear_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        sample_next(LOGITS, **kwargs)


def test_bad_logits_are_clear_errors():
    with pytest.raises(ValueError, match=r"shape \(batch, vocab\), got \(6,\); for one distribution pass logits\[None\]"):
        sample_next(LOGITS[0])
    with pytest.raises(ValueError, match=r"shape \(batch, vocab\), got \(1, 2, 3\)"):
        sample_next(torch.zeros(1, 2, 3))
    with pytest.raises(TypeError, match="floating-point logits"):
        sample_next(torch.tensor([[1, 2, 3]]))
    with pytest.raises(TypeError, match="torch.Tensor"):
        sample_next([[1.0, 2.0]])
    with pytest.raises(ValueError, match="non-empty"):
        sample_next(torch.zeros(0, 5))
    with pytest.raises(ValueError, match="NaN"):
        sample_next(torch.tensor([[0.0, float("nan")]]))
    with pytest.raises(ValueError, match="all -inf"):
        sample_next(torch.tensor([[0.0, 1.0], [float("-inf"), float("-inf")]]))


def test_masked_logits_are_never_sampled():
    logits = torch.tensor([[0.0, float("-inf"), 0.0]])
    assert 1 not in draw(logits, 1000).tolist()


def test_perplexity():
    assert perplexity(0.0) == 1.0
    assert perplexity(math.log(84)) == pytest.approx(84)
    assert perplexity(torch.tensor(math.log(5.0))) == pytest.approx(5.0)
    assert perplexity(1000.0) == math.inf
    with pytest.raises(ValueError, match=">= 0"):
        perplexity(-0.1)
    with pytest.raises(ValueError, match="one mean NLL"):
        perplexity(torch.ones(3))
    with pytest.raises(TypeError, match="real number"):
        perplexity("2.0")


def test_kv_cache_argument_names_the_cache_as_the_installed_transformers_does():
    """A cached step gives the logits of a full recompute, whichever name the installed
    transformers takes (past_key_values before 5.25, cache from then on)."""
    from transformers import DynamicCache, LlamaConfig, LlamaForCausalLM

    from nlpcourse.generate import kv_cache_argument

    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=50, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2)
    model = LlamaForCausalLM(config).eval()
    ids = torch.randint(0, 50, (2, 6))
    cache = DynamicCache(config=config)
    argument = kv_cache_argument(model, cache)
    [name] = argument
    assert name in ("cache", "past_key_values") and argument[name] is cache
    with torch.no_grad():
        model(input_ids=ids[:, :5], use_cache=True, **argument)
        stepped = model(input_ids=ids[:, 5:], use_cache=True, **argument).logits[:, -1]  # (B, V)
        full = model(input_ids=ids).logits[:, -1]
    assert cache.get_seq_length() == 6
    torch.testing.assert_close(stepped, full, atol=1e-5, rtol=1e-5)


def test_kv_cache_argument_rejects_a_model_without_a_cache():
    from nlpcourse.generate import kv_cache_argument

    with pytest.raises(TypeError, match="neither `cache` nor `past_key_values`"):
        kv_cache_argument(torch.nn.Linear(2, 2), object())
