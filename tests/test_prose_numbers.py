"""The prose-number check itself (tests/prose_numbers.py), on small made-up notebooks.
tests/test_book.py runs it on every lesson of the built book."""

import pytest

import prose_numbers
from prose_numbers import Printed, prose_numbers as numbers_in, unsourced


def code(source: str, printed: str = "") -> dict:
    outputs = [{"output_type": "stream", "name": "stdout", "text": printed}] if printed else []
    return {"cell_type": "code", "source": source, "outputs": outputs}


def markdown(source: str) -> dict:
    return {"cell_type": "markdown", "source": source}


def flagged(cells: list[dict], **kwargs) -> list[str]:
    return [m.number for m in unsourced(cells, "test", benchmark=kwargs.pop("benchmark", []), **kwargs)]


def test_what_counts_as_a_number():
    found, _ = numbers_in(
        "In 2014 (lesson 08) we saw 0.76, 37,170 tweets, 76% and 1.5x; 3 layers and 12 heads.\n\n"
        "## 3.2 A heading\n\nThe torch 2.13.0 wheel, [a link](https://example.org/a/1234.5) and "
        "file `runs/0.25.json`, 8{,}610 in TeX, and 9.5e-7. Dates in ISO 8601.\n\n"
        "- a list item with code:\n\n  ```python\n  x = 12345\n  ```\n"
    )
    assert [n.text for n in found] == ["0.76", "37,170", "76%", "1.5x", "8,610", "9.5e-7"]


def test_printed_above_at_the_precision_written():
    cells = [code("print(acc)", "test accuracy 0.7612\n37170 tweets, 18 tokens, 5.5 %\n"),
             markdown("It reaches 0.76, or 76.1%, on 37,170 tweets; not 0.77, and not 0.7612345. "
                      "Not 18% either, but 5.5% and 6%.")]
    assert flagged(cells) == ["0.77", "0.7612345", "18%"]


def test_a_number_printed_only_below_its_sentence_is_not_a_source():
    cells = [markdown("The accuracy is 0.76."), code("print(acc)", "0.7612\n")]
    assert flagged(cells) == ["0.76"]


def test_code_literals_cited_and_allowed_numbers():
    cells = [code("model = Net(hidden=256, dropout=0.5, lr=1e-3, steps=10_000)"),
             markdown("We train 10,000 steps at 1e-3 with 256 units and dropout 0.5, i.e. 50%. "
                      "Try `hidden=512` or 1024.\n\n"
                      "The paper reports 86.8% {cite:p}`kim2014cnn`. And 0.5^20 is 9.5e-7.\n\n"
                      "```python\nx = f(4096)  # about 123.4 here\n```\nSo 4,096 goes in.")]
    assert flagged(cells) == ["1024", "9.5e-7", "123.4"]
    assert flagged(cells, allowed={"1024": "x", "9.5e-7": "0.5**20", "123.4": "x"}) == []


def test_a_cited_sentence_ends_where_the_next_begins():
    cells = [markdown("Kim reports 88.1 {cite:p}`kim2014cnn`. {cite:t}`zhang2015` add 0.3. We get 0.7123.")]
    assert flagged(cells) == ["0.7123"]


def test_benchmarked_numbers_need_a_link_to_the_results_page():
    cells = [markdown("On the results page ([results](../book/results.md)) the CNN reaches 73.37.\n\n"
                      "Elsewhere it reaches 73.37.")]
    assert flagged(cells, benchmark=[Printed(73.37, 2, False)]) == ["73.37"]
    assert flagged(cells, benchmark=[Printed(73.37, 2, False)], benchmarked_page=True) == []


def test_the_benchmark_json_is_read():
    values = prose_numbers.json_numbers()
    assert len(values) > 50 and any(v.value > 1000 for v in values)


@pytest.mark.parametrize("planted", ["0.8137", "4,711", "93.2%", "2.7x"])
def test_a_planted_number_is_named_with_its_sentence(planted):
    cells = [code("print(3)", "0.5\n"), markdown(f"The model beats the baseline by {planted} here.")]
    missing = unsourced(cells, "lesson", benchmark=[])
    assert [(m.number, m.sentence) for m in missing] == [(planted, f"The model beats the baseline by {planted} here.")]
    assert "lesson" in str(missing[0]) and planted in str(missing[0])
