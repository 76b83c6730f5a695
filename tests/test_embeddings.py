import numpy as np
import pytest
import torch

from nlpcourse.data import analogy_questions, glove, wordsim353
from nlpcourse.embeddings import analogy_accuracy, embedding_matrix, to_keyed_vectors, word_similarity
from nlpcourse.text import Vocab


@pytest.fixture(scope="module")
def vectors(tmp_path_factory):
    import os

    os.environ.setdefault("NLPCOURSE_CACHE", str(tmp_path_factory.mktemp("cache")))
    return glove()


def test_analogy_accuracy_matches_gensim(vectors, tmp_path):
    sections = {k: v for k, v in analogy_questions().items() if k in ("family", "capital-common-countries", "gram2-opposite")}
    ours = analogy_accuracy(vectors, sections, restrict_vocab=30_000)
    questions = tmp_path / "questions.txt"
    questions.write_text("".join(f": {s}\n" + "".join(" ".join(q) + "\n" for q in qs) for s, qs in sections.items()))
    overall, by_section = vectors.evaluate_word_analogies(str(questions), restrict_vocab=30_000, case_insensitive=True)
    for section in by_section[:-1]:
        assert ours[section["section"]].correct == len(section["correct"])
        assert ours[section["section"]].answered == len(section["correct"]) + len(section["incorrect"])
    assert ours["all"].accuracy == pytest.approx(overall)
    assert ours["family"].accuracy > 0.6


def test_word_similarity_matches_gensim(vectors, tmp_path):
    pairs = wordsim353()
    ours = word_similarity(vectors, pairs)
    table = tmp_path / "ws.tsv"
    table.write_text("".join(f"{a}\t{b}\t{s}\n" for a, b, s in pairs))
    _, (rho, _), _ = vectors.evaluate_word_pairs(str(table), restrict_vocab=400_000, case_insensitive=True)
    assert ours.spearman == pytest.approx(rho, abs=1e-9) and ours.coverage == 1.0
    assert 0.4 < ours.spearman < 0.6


def test_similarity_reports_missing_pairs_and_rejects_too_few():
    keyed = to_keyed_vectors(["cat", "dog", "car", "bus"], torch.tensor([[1.0, 0.0], [1.0, 0.05], [0.0, 1.0], [0.2, 1.0]]))
    pairs = [("cat", "dog", 9.0), ("car", "bus", 8.0), ("cat", "car", 1.0), ("cat", "zebra", 5.0)]
    result = word_similarity(keyed, pairs)
    assert result.used == 3 and result.missing == [("cat", "zebra")] and result.spearman == pytest.approx(1.0)
    with pytest.raises(ValueError, match="only 1 of 2 pairs"):
        word_similarity(keyed, [("cat", "dog", 1.0), ("x", "y", 2.0)])
    with pytest.raises(ValueError, match="no word pairs"):
        word_similarity(keyed, [])


def test_to_keyed_vectors_checks_shapes():
    with pytest.raises(ValueError, match=r"expected a \(2, d\) matrix"):
        to_keyed_vectors(["a", "b"], np.zeros((3, 4)))
    with pytest.raises(ValueError, match="unique"):
        to_keyed_vectors(["a", "a"], np.zeros((2, 4)))


def test_embedding_matrix_copies_known_rows(vectors):
    vocab = Vocab(["<pad>", "<unk>", "king", "Queen", "qwzxv"])
    matrix, coverage = embedding_matrix(vocab, vectors)
    assert matrix.shape == (5, 50) and coverage == pytest.approx(2 / 5)
    assert torch.equal(matrix[2], torch.from_numpy(np.array(vectors["king"])))
    assert torch.equal(matrix[3], torch.from_numpy(np.array(vectors["queen"])))  # lower-case backup
    assert matrix[0].abs().sum() == 0 and matrix[4].abs().sum() > 0
    again, _ = embedding_matrix(vocab, vectors)
    assert torch.equal(matrix, again)  # seeded
    with pytest.raises(ValueError, match="empty"):
        embedding_matrix(Vocab([]), vectors)


def test_compare_word_vectors_answers_only_from_the_candidates():
    from nlpcourse.embeddings import compare_word_vectors, on_common_words

    words = ["king", "queen", "man", "woman", "girl", "cat"]
    vectors = np.array([[1, 1, 0], [1, -1, 0], [0, 1, 0], [0, -1, 0.1], [0, -1, 0], [0, 0, 1]],
                       dtype=np.float32)
    keyed = to_keyed_vectors(words, vectors)
    question = {"family": [("king", "queen", "man", "woman")]}
    pairs = [("king", "queen", 8.0), ("man", "woman", 8.0), ("king", "cat", 1.0)]
    # with every word a candidate, "girl" sits exactly on queen - king + man
    everyone = compare_word_vectors(keyed, words, pairs, question, ["man"], k=2)
    assert everyone["analogies"]["all"].correct == 0
    assert everyone["neighbours"]["man"][0] == "king"
    # without "girl" among the candidates, the answer comes from the rest: "woman"
    fewer = [w for w in words if w != "girl"]
    restricted = compare_word_vectors(keyed, fewer, pairs, question, ["man"], k=2)
    assert restricted["analogies"]["all"].correct == 1
    assert "girl" not in restricted["neighbours"]["man"]
    assert restricted["similarity"].used == 3
    assert on_common_words(keyed, fewer).index_to_key == fewer
    with pytest.raises(KeyError):
        on_common_words(keyed, ["king", "emperor"])  # a word the model lacks
