"""Tests for nlpcourse.models.charlm (built in notebooks/11_text_generation)."""

import pytest
import torch
import torch.nn.functional as F

from nlpcourse.models.charlm import CharLM, charlm_parameter_count, random_windows


@pytest.fixture(autouse=True)
def one_thread():
    # tiny matrices: a second thread only waits, and is much slower on a busy machine
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def model():
    torch.manual_seed(0)
    return CharLM(vocab_size=20, embedding_dim=8, hidden_size=16, num_layers=2, dropout=0.1).eval()


def test_shapes_and_parameter_count(model):
    ids = torch.randint(0, 20, (3, 7))
    logits, (h, c) = model(ids)
    assert logits.shape == (3, 7, 20) and h.shape == c.shape == (2, 3, 16)
    assert model.num_parameters() == charlm_parameter_count(20, 8, 16, 2)
    assert charlm_parameter_count(84, 32, 128) == 84 * 32 + 4 * (128 * 32 + 128 * 128 + 2 * 128) + 128 * 84 + 84


def test_reading_in_pieces_with_the_state_equals_reading_at_once(model):
    ids = torch.randint(0, 20, (2, 12))
    whole, (h, c) = model(ids)
    first, state = model(ids[:, :5])
    second, (h2, c2) = model(ids[:, 5:], state)
    assert torch.allclose(torch.cat([first, second], dim=1), whole, atol=1e-6)
    assert torch.allclose(h, h2, atol=1e-6) and torch.allclose(c, c2, atol=1e-6)


def test_prediction_at_t_depends_only_on_the_past(model):
    ids = torch.randint(0, 20, (1, 10))
    changed = ids.clone()
    changed[0, 6] = (ids[0, 6] + 1) % 20
    a, _ = model(ids)
    b, _ = model(changed)
    assert torch.allclose(a[:, :6], b[:, :6]) and not torch.allclose(a[:, 6:], b[:, 6:])


def test_it_learns_a_repeating_text():
    torch.manual_seed(0)
    text = torch.arange(5).repeat(40)  # 0 1 2 3 4 0 1 2 ...: the next id is always known
    model = CharLM(5, embedding_dim=8, hidden_size=16)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    generator = torch.Generator().manual_seed(0)
    for _ in range(150):
        inputs, targets = random_windows(text, 16, 10, generator)
        logits, _ = model(inputs)
        loss = F.cross_entropy(logits.reshape(-1, 5), targets.reshape(-1))  # (B*T, V), (B*T,)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert loss.item() < 0.05
    out = model.generate(torch.tensor([[2]]), max_new_tokens=8, temperature=0)
    assert out.tolist() == [[2, 3, 4, 0, 1, 2, 3, 4, 0]]


def test_generate_matches_a_hand_written_loop(model):
    prompt = torch.randint(0, 20, (3, 4))
    out = model.generate(prompt, 6, temperature=0.8, top_k=5, generator=torch.Generator().manual_seed(1))
    assert out.shape == (3, 10) and torch.equal(out[:, :4], prompt)
    # the same, step by step, re-reading the whole text every time (no state carried)
    from nlpcourse.generate import sample_next

    generator = torch.Generator().manual_seed(1)
    ids = prompt
    with torch.no_grad():
        for _ in range(6):
            logits, _ = model(ids)
            ids = torch.cat([ids, sample_next(logits[:, -1], 0.8, top_k=5, generator=generator)[:, None]], dim=1)
    assert torch.equal(out, ids)


def test_generate_is_reproducible_and_restores_the_mode(model):
    model.train()
    prompt = torch.tensor([[1, 2, 3]])

    def run(seed):
        return model.generate(prompt, 20, generator=torch.Generator().manual_seed(seed))

    assert torch.equal(run(0), run(0)) and not torch.equal(run(0), run(1))
    assert model.training  # generate switches dropout off only while it runs
    assert model.generate(prompt, 0).tolist() == [[1, 2, 3]]


def test_random_windows_are_shifted_by_one():
    ids = torch.arange(100)
    inputs, targets = random_windows(ids, 8, 12, torch.Generator().manual_seed(0))
    assert inputs.shape == targets.shape == (8, 12)
    assert torch.equal(targets, inputs + 1)  # consecutive ids: the target is the next one
    assert torch.equal(targets[:, :-1], inputs[:, 1:])
    assert int(targets.max()) <= 99
    again, _ = random_windows(ids, 8, 12, torch.Generator().manual_seed(0))
    assert torch.equal(inputs, again)
    # every offset can be drawn, including the last one
    starts = random_windows(torch.arange(12), 500, 10, torch.Generator().manual_seed(0))[0][:, 0]
    assert set(starts.tolist()) == {0, 1}


def test_bad_inputs_are_clear_errors(model):
    with pytest.raises(ValueError, match=r"shape \(batch, time\), got \(5,\)"):
        model(torch.zeros(5, dtype=torch.long))
    with pytest.raises(TypeError, match="integer token ids.*got dtype torch.float32"):
        model(torch.zeros(2, 5))
    with pytest.raises(ValueError, match=r"token ids must lie in \[0, 20\), got values from 0 to 20"):
        model(torch.tensor([[0, 20]]))
    with pytest.raises(ValueError, match="non-empty"):
        model(torch.zeros(2, 0, dtype=torch.long))
    _, state = model(torch.zeros(2, 3, dtype=torch.long))
    with pytest.raises(ValueError, match=r"state h must have shape \(num_layers, batch, hidden\) = \(2, 3, 16\), got \(2, 2, 16\)"):
        model(torch.zeros(3, 3, dtype=torch.long), state)
    with pytest.raises(ValueError, match=r"pair \(h, c\)"):
        model(torch.zeros(2, 3, dtype=torch.long), state[0])
    with pytest.raises(TypeError, match="dtype torch.float64"):
        model(torch.zeros(2, 3, dtype=torch.long), tuple(s.double() for s in state))
    with pytest.raises(ValueError, match="max_new_tokens"):
        model.generate(torch.zeros(1, 2, dtype=torch.long), -1)
    with pytest.raises(ValueError, match="temperature"):
        model.generate(torch.zeros(1, 2, dtype=torch.long), 3, temperature=-1.0)
    with pytest.raises(ValueError, match="at least 11"):
        random_windows(torch.arange(10), 2, 10)
    with pytest.raises(ValueError, match=r"shape \(length,\)"):
        random_windows(torch.zeros(2, 50, dtype=torch.long), 2, 10)
    with pytest.raises(ValueError, match="dropout"):
        CharLM(10, dropout=1.0)
    with pytest.raises(ValueError, match="hidden_size must be a positive int"):
        CharLM(10, hidden_size=0)
