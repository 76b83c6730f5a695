"""The tier-2 data sets: download machinery and loaders, exercised without a network.

Every loader runs end to end through ``NLPCOURSE_MIRROR=file://...`` against the sample
files, with a temporary cache. The samples are ../shared/data (beside the repository),
or in a clone without it the same files fetched from upstream once per session
(tests/sample_data.py); where neither is possible the tests fail, never skip. No test
may reach the internet: an autouse guard refuses any URL that is not ``file://`` or on
127.0.0.1. The last section tests that provisioning against a server on 127.0.0.1.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import hashlib
import http.server
import io
import os
import shutil
import socket
import subprocess
import sys
import tarfile
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

import pytest

import sample_data
from nlpcourse.data import remote
from nlpcourse.data.download import DownloadError, RemoteFile, fetch, source_url
from nlpcourse.data.files import DataFileError, sha256_of
from nlpcourse.data.remote import REMOTE_DATASETS, dataset_info, fetch_dataset, imdb, multi30k, nsmc, sst2

ROOT = Path(__file__).resolve().parents[1]
VALID_NAMES = "imdb, multi30k, nsmc, sst2, tinyshakespeare"


@pytest.fixture(scope="session")
def samples(shared_data) -> Path:
    """The folder with the samples of all five data sets (set up before ``cache`` below,
    as a session fixture, so that in a clone it may download them)."""
    return shared_data(*sample_data.DATASETS)


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


def stratified_sizes(labels: list[int], shares: tuple[float, ...]) -> list[list[int]]:
    """Per part, [negative, positive] counts of the loaders' split rule (remote._split_by_hash),
    counted here independently: ``int(share * n)`` of each label, the last part the rest."""
    parts = []
    for label, n in sorted(Counter(labels).items()):
        counts = [int(share * n) for share in shares[:-1]]
        parts.append([*counts, n - sum(counts)])
    return [list(per_part) for per_part in zip(*parts, strict=True)]


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
    # 7,500 + 7,500 train and 2,500 + 2,500 test rows, none empty: the committed sample's
    # counts, and by its rule those of a sample derived from upstream (sample_data.py)
    assert sizes(data) == {"train": 13_500, "validation": 1_500, "test": 5_000}
    assert {name: sum(split.labels) for name, split in data.splits().items()} == {
        "train": 6_750, "validation": 750, "test": 2_500,  # stratified: still half positive
    }
    seen = set(zip(data.train.texts + data.validation.texts, data.train.labels + data.validation.labels))
    train_file = samples / "nsmc" / "nsmc_small_train.txt"
    first_two = [nsmc_row(line) for line in train_file.read_text(encoding="utf-8").split("\n")[1:3]]
    assert all((document.strip(), label) in seen for _, document, label in first_two)
    if sample_data.is_committed(train_file):
        assert first_two == [("10245912", "인생패배자들이 겁나빨아대네ㅋㅋㅋ", 0),
                             ("4653489", "명장 곽지균 연출, 원조 꽃미남 정보석, 배종옥 풋풋함, 옥소리 넘 예쁘다", 1)]
    assert nsmc(path=samples / "nsmc").splits() == data.splits()  # the path= route, sample names


def nsmc_row(line: str) -> tuple[str, str, int]:
    """``(id, document, label)`` of an NSMC line (a tab inside the document stays in it)."""
    row_id, _, rest = line.partition("\t")
    document, _, label = rest.rpartition("\t")
    return row_id, document, int(label)


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


def imdb_stand_in_id(row: int, review_id: str, copy: int, rows: int) -> tuple[str, str]:
    """Split and file name of TSV row ``row`` in :func:`write_imdb_archive`: even rows to
    train, odd rows to test, numbered in each split from 0 as upstream, the rating kept."""
    rating = review_id.split("_")[1]
    return ("train", "test")[row % 2], f"{row // 2 + copy * (rows + 1) // 2}_{rating}"


def write_imdb_archive(path: Path, rows: list[list[str]], copies: int = 1) -> Path:
    """An ``aclImdb_v1.tar.gz`` in upstream's layout, made of TSV ``rows`` (even rows to
    train, odd rows to test), plus files the loader must ignore; ``copies`` > 1 adds each
    review again under another number."""
    members = {"aclImdb/README": b"readme", "aclImdb/train/unsup/0_0.txt": b"unlabelled", "aclImdb/imdb.vocab": b"the"}
    for row, (review_id, sentiment, review) in enumerate(rows):
        for copy in range(copies):
            split, name = imdb_stand_in_id(row, review_id, copy, len(rows))
            polarity = "pos" if sentiment == "1" else "neg"
            members[f"aclImdb/{split}/{polarity}/{name}.txt"] = review.replace('\\"', '"').encode("utf-8")
    with tarfile.open(path, "w:gz", compresslevel=1) as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


@pytest.fixture(scope="module")
def imdb_archive(samples, tmp_path_factory) -> Path:
    """An upstream-layout archive of the 5,000 sample reviews (:func:`write_imdb_archive`)."""
    path = tmp_path_factory.mktemp("imdb_mirror") / "imdb" / "aclImdb_v1.tar.gz"
    path.parent.mkdir()
    return write_imdb_archive(path, read_tsv_sample(samples))


def opening_of_a_quoted_review(rows: list[list[str]]) -> str:
    """The first 40 characters, as the loader returns them, of the first review that opens
    with a quote (escaped in the TSV as ``\\"``): the one kind of text the escaping changes."""
    review = next(review for _, _, review in rows if review.startswith('\\"'))
    return review.replace('\\"', '"')[:40]


def test_imdb_through_a_mirror_with_an_archive_built_from_the_sample(imdb_archive, samples, monkeypatch, tmp_path):
    """The IMDb sample is a TSV, not upstream's archive, so this test builds an archive in
    upstream's layout from it (fixture ``imdb_archive``), serves it as the mirror, and
    patches the registry's checksum and size for imdb to those of that archive."""
    patch_registry(monkeypatch, "imdb", {imdb_archive.name: imdb_archive})
    monkeypatch.setenv("NLPCOURSE_MIRROR", imdb_archive.parent.parent.as_uri())

    data = imdb()
    rows = read_tsv_sample(samples)
    train, validation = stratified_sizes([int(sentiment) for _, sentiment, _ in rows[0::2]], (0.9, 0.1))
    assert sizes(data) == {"train": sum(train), "validation": sum(validation), "test": 2_500}
    assert sum(data.validation.labels) == validation[1]
    everything = data.train.texts + data.validation.texts + data.test.texts
    assert not any("<br" in text for text in everything) and "unlabelled" not in everything
    assert any(text.startswith(opening_of_a_quoted_review(rows)) for text in everything)
    if sample_data.is_committed(samples / "imdb" / "imdb_movie_review_5k.tsv"):
        assert '"The Classic War of the Worlds" by Timothy Hines'.startswith(opening_of_a_quoted_review(rows))
    assert 0.3 < sum(data.train.labels[:100]) / 100 < 0.7  # classes are mixed, not in blocks

    assert imdb(path=imdb_archive).splits() == data.splits()
    extracted = tmp_path / "extracted"
    with tarfile.open(imdb_archive) as archive:
        archive.extractall(extracted, filter="data")
    assert imdb(path=extracted).splits() == data.splits()
    assert imdb(path=extracted / "aclImdb").splits() == data.splits()


def test_imdb_reads_the_text2vec_sample_tsv(samples):
    tsv = samples / "imdb" / "imdb_movie_review_5k.tsv"
    data = imdb(path=tsv)
    rows = read_tsv_sample(samples)
    expected = stratified_sizes([int(sentiment) for _, sentiment, _ in rows], (0.8, 0.1, 0.1))
    assert [[len(split) - sum(split.labels), sum(split.labels)] for split in data.splits().values()] == expected
    if sample_data.is_committed(tsv):  # 2,483 negative and 2,517 positive reviews
        assert sizes(data) == {"train": 3_999, "validation": 499, "test": 502}
        assert [sum(split.labels) for split in data.splits().values()] == [2_013, 251, 253]
    everything = data.train.texts + data.validation.texts + data.test.texts
    assert not any("<br" in text or '\\"' in text for text in everything)
    # each review once: the first long opening (text up to a line break) starts as many
    # texts as there are reviews with it in the file (one, unless a review is repeated)
    openings = [review.replace('\\"', '"').split("<br")[0].strip() for _, _, review in rows]
    first = next(opening for opening in openings if len(opening) > 40)
    assert sum(text.startswith(first) for text in everything) == sum(o.startswith(first) for o in openings) >= 1
    if sample_data.is_committed(tsv):
        assert first.startswith("With all this stuff going down") and openings.index(first) == 0
    assert imdb(path=tsv).splits() == data.splits()  # fixed


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


# ------------------------------------------------- the samples in a contributor's clone

UPSTREAM_HOSTS = {urllib.parse.urlsplit(f.url).hostname for info in REMOTE_DATASETS.values() for f in info.files}
BYTE_IDENTICAL = ("multi30k", "sst2", "tinyshakespeare")


def refuse(*args, **kwargs):
    raise AssertionError("the network was used")


def redirect_upstream(monkeypatch, base: str) -> None:
    """Send every request for an upstream host to ``base`` instead, path unchanged; the
    download code itself (fetch, its checksum and its cache) runs as it is."""
    guarded = urllib.request.urlopen  # the `cache` fixture's guard: local URLs only

    def urlopen(url, *args, **kwargs):
        parts = urllib.parse.urlsplit(url)
        return guarded(base + parts.path if parts.hostname in UPSTREAM_HOSTS else url, *args, **kwargs)

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)


@pytest.fixture
def upstream(cache, tmp_path, monkeypatch):
    """``(folder, requests)``: stand-in upstream hosts. A server on 127.0.0.1 serves
    ``folder``, which a test fills under the upstream URLs' paths (:func:`put_upstream`);
    the upstream URLs that the download code opens go there; ``requests`` lists the
    paths it served."""
    folder, requests = tmp_path / "upstream", []
    folder.mkdir()

    class Handler(http.server.SimpleHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            super().do_GET()

        def log_message(self, *args):
            pass  # no access log in the test output

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=folder))
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    redirect_upstream(monkeypatch, f"http://127.0.0.1:{server.server_port}")
    yield folder, requests
    server.shutdown()
    server.server_close()


def put_upstream(folder: Path, dataset: str, source: Path) -> None:
    """Copy ``source`` into ``folder`` under the path of its upstream URL (same file name)."""
    url = REMOTE_DATASETS[dataset].file(source.name).url
    target = folder / urllib.parse.urlsplit(url).path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


def nsmc_stand_ins(samples: Path, folder: Path) -> dict[str, Path]:
    """Stand-ins for upstream's ratings_{train,test}.txt: all 20,000 sample rows (10,000 per
    label, more than the rule takes) and two empty documents, which it must skip."""
    lines = []
    for part in ("train", "test"):
        lines += (samples / "nsmc" / f"nsmc_small_{part}.txt").read_text(encoding="utf-8").split("\n")[1:-1]
    lines[10:10] = ["1\t\t0", "2\t   \t1"]
    folder.mkdir(parents=True, exist_ok=True)
    files = {name: folder / name for name in ("ratings_train.txt", "ratings_test.txt")}
    for index, file in enumerate(files.values()):  # the test file in another order
        rows = lines if index == 0 else lines[::-1]
        file.write_text("\n".join(["id\tdocument\tlabel", *rows]) + "\n", encoding="utf-8")
    return files


def by_hash(row_id: str) -> str:
    return hashlib.sha256(row_id.encode("utf-8")).hexdigest()


def lowest_hashes(rows: list[tuple[str, int]], per_label: dict[int, int]) -> set[str]:
    """The derivation rule, counted here independently: per label, the ids of lowest sha256."""
    chosen = set()
    for label, n in per_label.items():
        chosen.update(sorted((row_id for row_id, row_label in rows if row_label == label), key=by_hash)[:n])
    return chosen


def layout(folder: Path, datasets=sample_data.DATASETS) -> list[str]:
    """The files of ``datasets`` in a sample folder, as relative paths."""
    return sorted(str(p.relative_to(folder)) for name in datasets for p in files_in(folder / name))


def test_an_existing_sample_folder_is_used_as_it_is_without_the_network(samples, cache, monkeypatch):
    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    monkeypatch.setenv(sample_data.FOLDER_ENV, str(samples))
    monkeypatch.setattr(sample_data, "_failure", [])
    assert sample_data.sample_folder() == samples
    assert files_in(cache) == []


def test_without_the_folder_the_samples_come_from_upstream(samples, upstream, cache, tmp_path, monkeypatch):
    """A clone without ../shared/data: the byte-identical samples are fetched from their
    upstream URLs; the IMDb and NSMC samples are derived from stand-ins for the full sets
    (built from the samples, larger than the samples, with the registry's checksums
    patched to theirs)."""
    folder, requests = upstream
    for name in BYTE_IDENTICAL:
        for f in REMOTE_DATASETS[name].files:
            put_upstream(folder, name, samples / name / f.name)
    imdb_rows = read_tsv_sample(samples)
    archive = write_imdb_archive(tmp_path / "aclImdb_v1.tar.gz", imdb_rows, copies=2)  # 10,000 reviews
    ratings = nsmc_stand_ins(samples, tmp_path / "nsmc")
    patch_registry(monkeypatch, "imdb", {archive.name: archive})
    patch_registry(monkeypatch, "nsmc", ratings)
    put_upstream(folder, "imdb", archive)
    for path in ratings.values():
        put_upstream(folder, "nsmc", path)

    built = sample_data.provide(sample_data.DATASETS, tmp_path / "no_shared_data")
    assert built == cache / "samples"
    every_upstream_path = [urllib.parse.urlsplit(f.url).path for info in REMOTE_DATASETS.values() for f in info.files]
    assert sorted(requests) == sorted(every_upstream_path)  # each upstream URL once, no mirror
    assert sorted(str(p.relative_to(built)) for p in files_in(built)) == layout(samples)  # and nothing else
    for name in BYTE_IDENTICAL:
        for f in REMOTE_DATASETS[name].files:
            assert sha256_of(built / name / f.name) == f.sha256 == sha256_of(samples / name / f.name)

    # IMDb: the sample's format, the rule's choice and sizes
    tsv = built / "imdb" / "imdb_movie_review_5k.tsv"
    raw_lines = tsv.read_text(encoding="utf-8").split("\n")
    assert raw_lines[0] == "id\tsentiment\treview" and raw_lines[-1] == ""
    sample_lines = (samples / "imdb" / tsv.name).read_text(encoding="utf-8").split("\n")[1:-1]
    sample_fields = {line.split("\t", 1)[1] for line in sample_lines}
    assert all(line.split("\t", 1)[1] in sample_fields for line in raw_lines[1:-1])  # escaped as in the sample
    derived = read_tsv_sample(built)
    candidates = []  # (id, label) by the rule: the file name, + 12,500 for a test review
    for row, (review_id, sentiment, _) in enumerate(imdb_rows):
        for copy in range(2):
            split, name = imdb_stand_in_id(row, review_id, copy, len(imdb_rows))
            number, rating = name.split("_")
            candidates.append((f"{int(number) + 12_500 * (split == 'test')}_{rating}", int(sentiment)))
    chosen = lowest_hashes(candidates, sample_data.IMDB_SIZES)
    assert [review_id for review_id, _, _ in derived] == sorted(chosen, key=by_hash)  # ordered by hash
    assert Counter(int(sentiment) for _, sentiment, _ in derived) == {0: 2_483, 1: 2_517}
    assert sizes(imdb(path=tsv)) == {"train": 3_999, "validation": 499, "test": 502}

    # NSMC: the upstream lines the rule chooses, unchanged, in upstream's order
    for sample, (upstream_name, per_label) in sample_data.NSMC_SIZES.items():
        lines = ratings[upstream_name].read_text(encoding="utf-8").split("\n")[1:-1]
        rows = [nsmc_row(line) for line in lines]
        not_empty = [(row_id, label) for row_id, document, label in rows if document.strip()]
        chosen = lowest_hashes(not_empty, {0: per_label, 1: per_label})
        kept = [line for line, (row_id, _, _) in zip(lines, rows, strict=True) if row_id in chosen]
        assert len(kept) == 2 * per_label
        assert (built / "nsmc" / sample).read_text(encoding="utf-8") == "\n".join(["id\tdocument\tlabel", *kept]) + "\n"
    assert sizes(nsmc(path=built / "nsmc")) == {"train": 13_500, "validation": 1_500, "test": 5_000}

    # downloaded once: the next session finds everything in the cache
    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    assert sample_data.provide(sample_data.DATASETS, tmp_path / "no_shared_data") == built
    assert not any(p.name.endswith(".partial") for p in files_in(cache))


def test_a_mirror_laid_out_like_the_sample_folder_serves_the_samples(samples, cache, tmp_path, monkeypatch):
    """NLPCOURSE_MIRROR=DIR, as the message offers: the subsets are fetched under their own
    names (with the checksums of the samples at hand, which in a clone may be derived)."""
    for name, files in sample_data.SUBSETS.items():
        checked = tuple(dataclasses.replace(f, sha256=sha256_of(samples / name / f.name)) for f in files)
        monkeypatch.setitem(sample_data.SUBSETS, name, checked)
    monkeypatch.setenv("NLPCOURSE_MIRROR", str(samples))
    built = sample_data.provide(sample_data.DATASETS, tmp_path / "no_shared_data")
    assert built == cache / "samples" and layout(built) == layout(samples)
    for path in layout(built):
        assert sha256_of(built / path) == sha256_of(samples / path), path


def test_a_mirror_laid_out_like_upstream_gives_derived_samples(samples, cache, tmp_path, monkeypatch):
    ratings = nsmc_stand_ins(samples, tmp_path / "mirror" / "nsmc")  # no nsmc_small_*.txt there
    patch_registry(monkeypatch, "nsmc", ratings)
    monkeypatch.setenv("NLPCOURSE_MIRROR", (tmp_path / "mirror").as_uri())
    built = sample_data.provide(["nsmc"], tmp_path / "no_shared_data")
    assert layout(built) == ["nsmc/nsmc_small_test.txt", "nsmc/nsmc_small_train.txt"]
    assert sizes(nsmc(path=built / "nsmc")) == {"train": 13_500, "validation": 1_500, "test": 5_000}


def test_without_the_folder_and_the_network_one_message_says_what_to_do(cache, tmp_path, monkeypatch):
    redirect_upstream(monkeypatch, f"http://127.0.0.1:{closed_port()}")  # as if offline
    missing = tmp_path / "no_shared_data"
    monkeypatch.setenv(sample_data.FOLDER_ENV, str(missing))
    monkeypatch.setattr(sample_data, "_failure", [])
    with pytest.raises(sample_data.SamplesUnavailable) as caught:
        sample_data.sample_folder("tinyshakespeare")
    message = str(caught.value)
    url = REMOTE_DATASETS["tinyshakespeare"].file("input.txt").url
    assert message.startswith(f"no tier-2 sample data: put the sample folder at {missing} (../shared/data beside")
    assert "or set NLPCOURSE_MIRROR=DIR (a folder laid out like ../shared/data, or a URL)" in message
    assert f"or connect to the network (the samples are then downloaded from upstream once, into {cache}/" in message
    assert f"Now {missing} does not exist, and the download of {url} failed (" in message
    assert "\n" not in message and caught.value.__cause__ is None and caught.value.__suppress_context__
    assert [p.name for p in files_in(cache)] == ["samples.lock"]  # nothing half-downloaded

    monkeypatch.setattr(urllib.request, "urlopen", refuse)  # the rest of the session fails at once
    with pytest.raises(sample_data.SamplesUnavailable) as again:
        sample_data.sample_folder("sst2")
    assert str(again.value) == message


def test_a_clone_without_samples_or_network_fails_every_tier2_test_with_the_message(tmp_path):
    """End to end, in a pytest of its own: no folder, no mirror, and every connection
    refused (a proxy on a closed port): failures with the one message, no skip, no traceback."""
    env = {key: value for key, value in os.environ.items() if key.lower() not in ("no_proxy", "nlpcourse_mirror")}
    proxy = f"http://127.0.0.1:{closed_port()}"
    env.update({sample_data.FOLDER_ENV: str(tmp_path / "no_shared_data"), "NLPCOURSE_CACHE": str(tmp_path / "cache"),
                "https_proxy": proxy, "http_proxy": proxy, "HTTPS_PROXY": proxy, "HTTP_PROXY": proxy})
    selected = "checksums_of_byte_identical or reads_the_text2vec or registry_describes"
    run = subprocess.run(
        # -rN: no short summary, which repeats each message in full where CI=1 is set
        [sys.executable, "-m", "pytest", "-q", "-rN", "-p", "no:cacheprovider", "tests/test_data_download.py",
         "-k", selected],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 1, output
    assert "1 passed" in output and "2 errors" in output and "skipped" not in output, output  # the unrelated one passes
    assert output.count(f"Now {tmp_path / 'no_shared_data'} does not exist, and the download of https://") == 2, output
    assert "Traceback" not in output and "During handling" not in output and "def " not in output, output
