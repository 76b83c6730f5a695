"""The tier-2 data sets: download machinery and loaders, exercised without a network.

Every loader runs end to end through ``NLPCOURSE_MIRROR=file://...`` against the sample
files in ../shared/data (beside the repository), with a temporary cache. Those samples
must be there in CI (``CI=true``): a missing folder fails the tests there instead of
skipping them. No test may reach the internet: an autouse guard refuses any URL that
is not ``file://`` or on 127.0.0.1.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import os
import shutil
import socket
import tarfile
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from nlpcourse.data import remote
from nlpcourse.data.download import DownloadError, RemoteFile, fetch, source_url
from nlpcourse.data.files import DataFileError, sha256_of
from nlpcourse.data.remote import REMOTE_DATASETS, dataset_info, fetch_dataset, imdb, multi30k, nsmc, sst2

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "data"
VALID_NAMES = "imdb, multi30k, nsmc, sst2, tinyshakespeare"


@pytest.fixture(scope="session")
def samples() -> Path:
    if SAMPLES.is_dir():
        return SAMPLES
    message = f"the sample data folder {SAMPLES} (../shared/data beside the repository) is missing"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}; in CI these tests must run, not skip")
    pytest.skip(message)


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch) -> Path:
    """A fresh cache per test, no mirror unless a test sets one, and no internet."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("NLPCOURSE_CACHE", str(folder))
    monkeypatch.delenv("NLPCOURSE_MIRROR", raising=False)
    real_urlopen = urllib.request.urlopen

    def local_only(url, *args, **kwargs):
        full = url if isinstance(url, str) else url.full_url
        if not full.startswith(("file://", "http://127.0.0.1")):
            raise AssertionError(f"a test tried to reach the network: {full}")
        return real_urlopen(url, *args, **kwargs)

    monkeypatch.setattr(urllib.request, "urlopen", local_only)
    return folder


@pytest.fixture
def mirror(samples, monkeypatch) -> Path:
    monkeypatch.setenv("NLPCOURSE_MIRROR", samples.as_uri())
    return samples


def files_in(folder: Path) -> list[Path]:
    """Every file and leftover temporary folder below ``folder``."""
    return [p for p in folder.rglob("*") if p.is_file() or p.name.endswith(".partial")]


def patch_registry(monkeypatch, dataset: str, files: dict[str, Path]) -> None:
    """Make the registry expect the checksum and size of ``files`` (upstream name -> path)."""
    info = REMOTE_DATASETS[dataset]
    replaced = tuple(
        dataclasses.replace(f, sha256=sha256_of(files[f.name]), size=files[f.name].stat().st_size)
        for f in info.files
    )
    monkeypatch.setitem(REMOTE_DATASETS, dataset, dataclasses.replace(info, files=replaced))


def sizes(data) -> dict[str, int]:
    return {name: len(split) for name, split in data.splits().items()}


# ------------------------------------------------------------------ registry and names


def test_registry_describes_every_set_and_file():
    assert ", ".join(sorted(REMOTE_DATASETS)) == VALID_NAMES
    for name, info in REMOTE_DATASETS.items():
        assert info.name == name and info.description and info.licence and info.homepage.startswith("https://")
        assert info.size == sum(f.size for f in info.files) > 0
        for f in info.files:
            assert len(f.sha256) == 64 and int(f.sha256, 16) >= 0
            assert f.url.startswith("https://") and f.url.endswith("/" + f.name)


def test_checksums_of_byte_identical_samples_are_the_registered_ones(samples):
    for name in ("tinyshakespeare", "multi30k", "sst2"):
        for f in REMOTE_DATASETS[name].files:
            sample = samples / name / f.name
            assert (sha256_of(sample), sample.stat().st_size) == (f.sha256, f.size), sample


def test_unknown_names_list_the_valid_ones():
    for call in (fetch_dataset, dataset_info):
        with pytest.raises(ValueError, match=f"unknown data set 'imbd'; the downloadable ones are: {VALID_NAMES}"):
            call("imbd")


def test_mirror_replaces_the_base_url(monkeypatch, tmp_path):
    f = REMOTE_DATASETS["sst2"].file("stsa.binary.dev")
    assert source_url("sst2", f) == f.url
    monkeypatch.setenv("NLPCOURSE_MIRROR", "https://lab.example.org/nlp/")
    assert source_url("sst2", f) == "https://lab.example.org/nlp/sst2/stsa.binary.dev"
    monkeypatch.setenv("NLPCOURSE_MIRROR", str(tmp_path))  # a plain folder works too
    assert source_url("sst2", f) == f"{tmp_path.as_uri()}/sst2/stsa.binary.dev"


# ------------------------------------------------------------------- loaders, mirror


def test_tiny_shakespeare_through_the_mirror(mirror, cache):
    text = remote.tiny_shakespeare()
    assert len(text) == 1_115_394 and len(set(text)) == 65
    assert text.startswith("First Citizen:\nBefore we proceed any further, hear me speak.")
    assert (cache / "tinyshakespeare" / "input.txt").stat().st_size == 1_115_394
    assert remote.tiny_shakespeare(path=mirror / "tinyshakespeare") == text
    assert remote.tiny_shakespeare(path=mirror / "tinyshakespeare" / "input.txt") == text


def test_multi30k_through_the_mirror(mirror, cache):
    data = multi30k()  # en -> de
    assert sizes(data) == {"train": 29_000, "validation": 1_014, "test": 1_000}
    assert data.train[0] == (
        "Two young, White males are outside near many bushes.",
        "Zwei junge weiße Männer sind im Freien in der Nähe vieler Büsche.",
    )
    assert sorted(p.name for p in files_in(cache)) == sorted(  # only the two languages asked for
        f"{split}.{lang}.gz" for split in ("train", "val", "test_2016_flickr") for lang in ("en", "de")
    )
    fr_en = multi30k("fr", "en")
    assert fr_en.test[0] == ("Un homme avec un chapeau orange regardant quelque chose.",
                             "A man in an orange hat starring at something.")
    assert multi30k(path=mirror / "multi30k").splits() == data.splits()


def test_multi30k_rejects_unsupported_languages():
    with pytest.raises(ValueError, match="no language 'cs'; choose from en, de, fr"):
        multi30k("en", "cs")
    with pytest.raises(ValueError, match="both 'de'"):
        multi30k("de", "de")


def test_sst2_through_the_mirror(mirror):
    data = sst2()
    assert sizes(data) == {"train": 6_920, "validation": 872, "test": 1_821}
    assert data.classes == ("negative", "positive")
    assert data.train.texts[0].startswith("a stirring , funny and finally transporting re-imagining")
    assert data.train.labels[0] == 1 and data.train.labels[1] == 0
    assert sum(data.test.labels) == 909  # upstream's test set: 912 negative, 909 positive
    assert sst2(path=mirror / "sst2").splits() == data.splits()


def test_nsmc_through_a_mirror_with_upstream_names(samples, tmp_path, monkeypatch):
    """The NSMC sample is a 15k/5k subset under other names, so this test copies it into
    a temporary mirror under upstream's names and patches the registry's checksums and
    sizes for nsmc to those of the copies."""
    folder = tmp_path / "mirror" / "nsmc"
    folder.mkdir(parents=True)
    for part in ("train", "test"):
        shutil.copy(samples / "nsmc" / f"nsmc_small_{part}.txt", folder / f"ratings_{part}.txt")
    patch_registry(monkeypatch, "nsmc", {p.name: p for p in folder.iterdir()})
    monkeypatch.setenv("NLPCOURSE_MIRROR", (tmp_path / "mirror").as_uri())

    data = nsmc()
    assert sizes(data) == {"train": 13_500, "validation": 1_500, "test": 5_000}
    assert {name: sum(split.labels) for name, split in data.splits().items()} == {
        "train": 6_750, "validation": 750, "test": 2_500,  # stratified: still half positive
    }
    seen = data.train.texts + data.validation.texts
    labelled = dict(zip(seen, data.train.labels + data.validation.labels, strict=True))
    assert labelled["인생패배자들이 겁나빨아대네ㅋㅋㅋ"] == 0  # the first two rows of the sample
    assert labelled["명장 곽지균 연출, 원조 꽃미남 정보석, 배종옥 풋풋함, 옥소리 넘 예쁘다"] == 1
    assert nsmc(path=samples / "nsmc").splits() == data.splits()  # the path= route, sample names


def test_nsmc_drops_empty_documents(tmp_path):
    rows = ["id\tdocument\tlabel", "1\tgood\t1", "2\t\t0", "3\t   \t1", "4\ta\ttab inside\t0", ""]
    for part in ("train", "test"):
        (tmp_path / f"ratings_{part}.txt").write_text("\n".join(rows), encoding="utf-8")
    data = nsmc(path=tmp_path)
    assert sorted(data.test.texts) == ["a\ttab inside", "good"] and len(data.test.labels) == 2
    assert len(data.train) + len(data.validation) == 2


def test_nsmc_rejects_a_file_in_another_format(tmp_path):
    (tmp_path / "ratings_train.txt").write_text("id,document,label\n1,good,1\n", encoding="utf-8")
    (tmp_path / "ratings_test.txt").write_text("id,document,label\n1,good,1\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="NSMC header"):
        nsmc(path=tmp_path)


def read_tsv_sample(samples: Path) -> list[list[str]]:
    with open(samples / "imdb" / "imdb_movie_review_5k.tsv", encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle, delimiter="\t"))[1:]


@pytest.fixture(scope="module")
def imdb_archive(samples, tmp_path_factory) -> Path:
    """An ``aclImdb_v1.tar.gz`` in upstream's layout, made of the 5,000 sample reviews:
    even rows to train, odd rows to test, plus files the loader must ignore."""
    path = tmp_path_factory.mktemp("imdb_mirror") / "imdb" / "aclImdb_v1.tar.gz"
    path.parent.mkdir()
    members = {"aclImdb/README": b"readme", "aclImdb/train/unsup/0_0.txt": b"unlabelled", "aclImdb/imdb.vocab": b"the"}
    for row, (review_id, sentiment, review) in enumerate(read_tsv_sample(samples)):
        split, polarity = ("train" if row % 2 == 0 else "test"), ("pos" if sentiment == "1" else "neg")
        members[f"aclImdb/{split}/{polarity}/{review_id}.txt"] = review.replace('\\"', '"').encode("utf-8")
    with tarfile.open(path, "w:gz", compresslevel=1) as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def test_imdb_through_a_mirror_with_an_archive_built_from_the_sample(imdb_archive, samples, monkeypatch, tmp_path):
    """The IMDb sample is a TSV, not upstream's archive, so this test builds an archive in
    upstream's layout from it (fixture ``imdb_archive``), serves it as the mirror, and
    patches the registry's checksum and size for imdb to those of that archive."""
    patch_registry(monkeypatch, "imdb", {imdb_archive.name: imdb_archive})
    monkeypatch.setenv("NLPCOURSE_MIRROR", imdb_archive.parent.parent.as_uri())

    data = imdb()
    rows = read_tsv_sample(samples)
    train_pos = sum(r[1] == "1" for r in rows[0::2])
    train_neg = len(rows[0::2]) - train_pos
    n_validation = int(0.1 * train_pos) + int(0.1 * train_neg)
    assert sizes(data) == {"train": 2_500 - n_validation, "validation": n_validation, "test": 2_500}
    assert sum(data.validation.labels) == int(0.1 * train_pos)
    everything = data.train.texts + data.validation.texts + data.test.texts
    assert not any("<br" in text for text in everything) and "unlabelled" not in everything
    assert any(text.startswith('"The Classic War of the Worlds" by Timothy Hines') for text in everything)
    assert 0.3 < sum(data.train.labels[:100]) / 100 < 0.7  # classes are mixed, not in blocks

    assert imdb(path=imdb_archive).splits() == data.splits()
    extracted = tmp_path / "extracted"
    with tarfile.open(imdb_archive) as archive:
        archive.extractall(extracted, filter="data")
    assert imdb(path=extracted).splits() == data.splits()
    assert imdb(path=extracted / "aclImdb").splits() == data.splits()


def test_imdb_reads_the_text2vec_sample_tsv(samples):
    data = imdb(path=samples / "imdb" / "imdb_movie_review_5k.tsv")
    assert sizes(data) == {"train": 3_999, "validation": 499, "test": 502}
    assert {name: sum(split.labels) for name, split in data.splits().items()} == {
        "train": 2_013, "validation": 251, "test": 253,
    }
    everything = data.train.texts + data.validation.texts + data.test.texts
    assert not any("<br" in text or '\\"' in text for text in everything)
    assert everything.count(next(t for t in everything if t.startswith("With all this stuff going down"))) == 1
    assert imdb(path=samples / "imdb" / "imdb_movie_review_5k.tsv").splits() == data.splits()  # fixed


def test_split_by_hash_is_stratified_deterministic_and_keeps_order():
    rows = [remote._Row(str(i), f"text {i}", i % 3 == 0) for i in range(300)]
    train, validation, test = remote._split_by_hash(rows, (0.8, 0.1, 0.1))
    assert [len(part) for part in (train, validation, test)] == [240, 30, 30]
    assert [sum(r.label for r in part) for part in (train, validation, test)] == [80, 10, 10]
    assert train == sorted(train, key=lambda r: int(r.key))  # input order kept
    again = remote._split_by_hash(list(reversed(rows)), (0.8, 0.1, 0.1))
    assert {r.key for r in again[1]} == {r.key for r in validation}  # membership by hash only


# ------------------------------------------------------------------------ machinery


def test_second_call_uses_the_cache_without_the_network(mirror, cache, tmp_path, monkeypatch):
    first = sst2()
    empty = tmp_path / "empty_mirror"
    empty.mkdir()
    monkeypatch.setenv("NLPCOURSE_MIRROR", empty.as_uri())

    def no_network(*args, **kwargs):
        raise AssertionError("the cache should have been used")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    assert sst2().splits() == first.splits()


def test_fetch_dataset_downloads_every_file(mirror, cache):
    paths = fetch_dataset("multi30k", progress=False)
    assert [path.name for path in paths] == [f.name for f in REMOTE_DATASETS["multi30k"].files]
    assert all(path.parent == cache / "multi30k" for path in paths)
    assert sha256_of(cache / "multi30k" / "val.fr.gz") == REMOTE_DATASETS["multi30k"].file("val.fr.gz").sha256


def test_corrupt_file_in_the_mirror_is_an_error_and_nothing_is_kept(samples, tmp_path, cache, monkeypatch):
    good = (samples / "sst2" / "stsa.binary.dev").read_bytes()
    bad = good[:1000] + bytes([good[1000] ^ 1]) + good[1001:]  # same size, one bit flipped
    (tmp_path / "mirror" / "sst2").mkdir(parents=True)
    (tmp_path / "mirror" / "sst2" / "stsa.binary.dev").write_bytes(bad)
    monkeypatch.setenv("NLPCOURSE_MIRROR", (tmp_path / "mirror").as_uri())
    dev = REMOTE_DATASETS["sst2"].file("stsa.binary.dev")
    url = f"{(tmp_path / 'mirror').as_uri()}/sst2/stsa.binary.dev"
    with pytest.raises(DataFileError, match="sha256") as caught:
        fetch("sst2", dev, progress=False)
    message = str(caught.value)
    assert url in message and hashlib.sha256(bad).hexdigest() in message and dev.sha256 in message
    assert "nothing was kept" in message and "Run again" in message
    assert files_in(cache) == []


def test_a_wrong_file_in_the_cache_is_downloaded_again(mirror, cache):
    dev = REMOTE_DATASETS["sst2"].file("stsa.binary.dev")
    (cache / "sst2").mkdir(parents=True)
    (cache / "sst2" / dev.name).write_text("a half-finished copy")
    path = fetch("sst2", dev, progress=False)
    assert sha256_of(path) == dev.sha256 and files_in(cache) == [path]


class BrokenStream:
    """A response that delivers some chunks, then fails like a dropped connection or Ctrl-C."""

    def __init__(self, error: BaseException):
        self.chunks, self.error = [b"x" * 1000, b"y" * 1000], error

    def read(self, size: int = -1) -> bytes:
        if self.chunks:
            return self.chunks.pop(0)
        raise self.error

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return False


@pytest.mark.parametrize("error", [KeyboardInterrupt(), ConnectionResetError("connection reset by peer")])
def test_an_interrupted_download_leaves_no_partial_file(error, cache, monkeypatch):
    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout=None: BrokenStream(error))
    target = RemoteFile("big.bin", "https://example.org/big.bin", "0" * 64, 10_000)
    expected = KeyboardInterrupt if isinstance(error, KeyboardInterrupt) else DownloadError
    with pytest.raises(expected) as caught:
        fetch("demo", target, progress=False)
    if expected is DownloadError:
        assert "broke off after 2,000 of 10,000 bytes" in str(caught.value)
        assert "connection reset by peer" in str(caught.value)
    assert files_in(cache) == []


def closed_port() -> int:
    with socket.socket() as probe:  # the port is free once the probe closes
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_unreachable_host_gives_one_clear_error(cache, monkeypatch):
    monkeypatch.setenv("NLPCOURSE_MIRROR", f"http://127.0.0.1:{closed_port()}/mirror")
    with pytest.raises(DownloadError) as caught:
        sst2()
    message = str(caught.value)
    assert "http://127.0.0.1:" in message and "/mirror/sst2/stsa.binary.train failed" in message
    assert "NLPCOURSE_MIRROR" in message and "by hand" in message
    assert REMOTE_DATASETS["sst2"].file("stsa.binary.train").url in message  # where to get it by hand
    assert str(cache / "sst2" / "stsa.binary.train") in message  # and where to put it
    assert caught.value.__cause__ is None and caught.value.__suppress_context__  # one error, not a chain
    assert files_in(cache) == []


def test_offline_upstream_names_the_url_and_both_ways_out(cache, monkeypatch):
    def offline(url, timeout=None):
        raise urllib.error.URLError(socket.gaierror(-3, "Temporary failure in name resolution"))

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(DownloadError) as caught:
        remote.tiny_shakespeare()
    message = str(caught.value)
    upstream = REMOTE_DATASETS["tinyshakespeare"].file("input.txt").url
    assert message.startswith(f"download of {upstream} failed (")
    assert "name resolution" in message
    assert "1. set NLPCOURSE_MIRROR to a folder or URL that holds tinyshakespeare/input.txt" in message
    assert f"2. download {upstream} by hand and save it as {cache / 'tinyshakespeare' / 'input.txt'}" in message
