"""nlpcourse.grading: forbid sees a banned call however the learner's code reaches it, and
lets everything else through."""

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from nlpcourse.grading import called, forbid, shown
from nlpcourse.models.attention import scaled_dot_product_attention as course_attention

BANNED = ["torch.nn.functional.scaled_dot_product_attention", "nlpcourse"]
Q = torch.randn(2, 3, 4, generator=torch.Generator().manual_seed(0))

sdpa_alias = F.scaled_dot_product_attention  # captured at import, as a learner might


def written_out(q, k, v):
    weights = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]), dim=-1)
    return weights @ v


def through_attribute(q, k, v):
    return F.scaled_dot_product_attention(q, k, v)


def through_alias(q, k, v):
    return sdpa_alias(q, k, v)


def through_getattr(q, k, v):
    return getattr(F, "scaled_dot_product_" + "attention")(q, k, v)


def _helper(q, k, v):
    return course_attention(q, k, v)[0]


def through_helper(q, k, v):
    return _helper(q, k, v)


@pytest.mark.parametrize("answer, banned_name", [
    (through_attribute, "torch.nn.functional.scaled_dot_product_attention"),
    (through_alias, "torch.nn.functional.scaled_dot_product_attention"),
    (through_getattr, "torch.nn.functional.scaled_dot_product_attention"),
    (through_helper, "nlpcourse.models.attention.scaled_dot_product_attention"),
])
def test_a_banned_call_is_seen_however_it_is_reached(answer, banned_name):
    result, seen = called(answer, BANNED, Q, Q, Q)
    assert seen == [banned_name]
    assert torch.allclose(result, written_out(Q, Q, Q), atol=1e-5)  # the call still ran
    with pytest.raises(AssertionError, match=f"{answer.__name__} calls {banned_name}"):
        forbid(*BANNED)(answer, Q, Q, Q)


def test_an_answer_written_out_passes_and_returns_its_result():
    assert called(written_out, BANNED, Q, Q, Q)[1] == []
    assert torch.equal(forbid(*BANNED)(written_out, Q, Q, Q), written_out(Q, Q, Q))


def test_a_banned_class_counts_through_any_of_its_methods():
    torch.manual_seed(0)
    cell = nn.LSTMCell(3, 2)
    x, h = torch.randn(1, 3), torch.zeros(1, 2)
    _, seen = called(lambda: cell(x, (h, h)), ["torch.nn.LSTMCell", "torch.lstm_cell"])
    assert seen == ["torch.lstm_cell", "torch.nn.LSTMCell"]
    _, seen = called(lambda: torch.sigmoid(x @ cell.weight_ih.T), ["torch.nn.LSTMCell", "torch.lstm_cell"])
    assert seen == []


def test_a_banned_module_is_matched_by_its_name_not_its_prefix():
    _, seen = called(through_helper, ["nlpcourse.models"], Q, Q, Q)
    assert seen == ["nlpcourse.models.attention.scaled_dot_product_attention"]
    from nlpcourse.text import get_tokenizer

    _, seen = called(get_tokenizer("basic_english"), ["nlpcourse.models"], "Another module, not banned.")
    assert seen == []
    from nlpcourse.grading import _in

    assert _in("nlpcourse.models.rnn", ("nlpcourse.models",)) and not _in("nlpcourse.modelsx", ("nlpcourse.models",))


def test_the_profiler_in_place_before_is_restored_even_after_an_error():
    import sys

    def fails():
        raise ValueError("the learner's bug")

    before = sys.getprofile()
    with pytest.raises(ValueError, match="the learner's bug"):
        called(fails, BANNED)
    assert sys.getprofile() is before


def test_a_misspelt_ban_is_an_error_not_a_silent_pass():
    with pytest.raises(AttributeError):
        called(written_out, ["torch.nn.functional.scaled_dot_attention"], Q, Q, Q)
    with pytest.raises(ValueError, match="no module 'tensorflow_nope'"):
        called(written_out, ["tensorflow_nope"], Q, Q, Q)


def test_shown_is_short_and_says_shape_and_dtype():
    text = shown(torch.arange(10.0))
    assert text == "tensor of shape (10,), torch.float32: [0, 1, 2, 3, 4, 5, ...]"
    assert shown([1, 2]) == "[1, 2]" and len(shown("x" * 500)) == 120
