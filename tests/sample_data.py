"""The tier-2 sample files that the tests read: ../shared/data, or the same files from upstream.

:func:`sample_folder` returns a folder laid out like ../shared/data (``<data set>/<file>``):

* **../shared/data exists** (beside the repository; CI always has it): that folder, used
  as it is, and nothing is downloaded. ``NLPCOURSE_TEST_SAMPLES=DIR`` puts "the folder"
  elsewhere, e.g. at a missing path to act out a contributor's clone.
* **It does not** (a contributor's clone): ``$NLPCOURSE_CACHE/samples/``, built once
  through the course's own download code (:func:`nlpcourse.data.download.fetch`: the
  registry's upstream URLs, or ``NLPCOURSE_MIRROR``; sha256-checked; cached):

  - tiny Shakespeare, Multi30k, SST-2: the upstream files, which the samples are byte
    for byte;
  - IMDb and NSMC, whose samples are subsets that exist nowhere upstream: the mirror's
    copy under the sample's name, if a mirror laid out like ../shared/data has one
    (checked against the sample's sha256); else a file derived from the full upstream
    set, under the sample's name and in its format, by the rules of :func:`derive_imdb`
    and :func:`derive_nsmc`. A test of a fact that only the committed sample has asks
    :func:`is_committed` first.

  Each file is written whole or not at all, so a file that is there is complete; delete
  the folder to build it again.
* **Neither works**: :class:`SamplesUnavailable`, whose one-line message says the three
  ways to get the samples. :func:`sample_folder` remembers it, so the rest of the session
  fails at once with the same message instead of trying again.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import shutil
import tarfile
from collections.abc import Iterable
from pathlib import Path

from nlpcourse.data.download import MIRROR_ENV, DownloadError, RemoteFile, fetch
from nlpcourse.data.files import DataFileError, atomic_path, cache_dir, exclusive, sha256_of
from nlpcourse.data.remote import dataset_info, fetch_dataset

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
FOLDER_ENV = "NLPCOURSE_TEST_SAMPLES"
DATASETS = ("imdb", "multi30k", "nsmc", "sst2", "tinyshakespeare")


def _committed(dataset: str, name: str, sha256: str, size: int) -> RemoteFile:
    # The "URL" is only where the committed copy lives: fetch reads these from a mirror.
    return RemoteFile(name, (SHARED_DATA / dataset / name).as_uri(), sha256, size)


# The samples that are subsets of upstream, with the checksums of ../shared/data/README.md.
SUBSETS = {
    "imdb": (
        _committed("imdb", "imdb_movie_review_5k.tsv",
                   "7ce254f3c1a07ee204480aa5c9c3816e01d5b272e0183868437a82ad37b53996", 6_819_094),
    ),
    "nsmc": (
        _committed("nsmc", "nsmc_small_train.txt",
                   "e866a1f65a8f8ad8b936a84a7e2a61c2b4f0e9ab5cef3bc5eabcac656f0a1342", 1_497_027),
        _committed("nsmc", "nsmc_small_test.txt",
                   "b9de1659336822001d234990de9e6f5ea9d411c601402eb4b61988e1b6c3230f", 500_853),
    ),
}
IMDB_SIZES = {0: 2_483, 1: 2_517}  # reviews per label, as in the sample
NSMC_SIZES = {  # sample file: (upstream file, rows per label), as in the sample
    "nsmc_small_train.txt": ("ratings_train.txt", 7_500),
    "nsmc_small_test.txt": ("ratings_test.txt", 2_500),
}
_NSMC_HEADER = "id\tdocument\tlabel"
_IMDB_REVIEW = re.compile(r"(?:\./)?aclImdb/(train|test)/(pos|neg)/(\d+)_(\d+)\.txt")
_IMDB_TEST_OFFSET = 12_500  # upstream numbers each folder from 0; test ids move past train's 0-12,499


class SamplesUnavailable(RuntimeError):
    """Neither the sample folder nor a download can provide the tier-2 samples."""


_failure: list[str] = []  # this session's SamplesUnavailable message, once there is one


def sample_folder(*datasets: str) -> Path:
    """The folder with the samples of ``datasets`` (all five if none are named)."""
    if _failure:
        raise SamplesUnavailable(_failure[0])
    try:
        return provide(datasets or DATASETS, Path(os.environ.get(FOLDER_ENV) or SHARED_DATA))
    except SamplesUnavailable as error:
        _failure.append(str(error))
        raise


def provide(datasets: Iterable[str], folder: Path) -> Path:
    """``folder`` if it exists, else the cache's sample folder with ``datasets`` in it."""
    if folder.is_dir():
        return folder
    root = cache_dir("samples")
    try:
        with exclusive(root):  # two xdist workers must not download and build it twice
            for name in datasets:
                _provide(name, root / name)
    except DownloadError as error:
        raise SamplesUnavailable(_unavailable_message(folder, root, error)) from None
    except DataFileError as error:  # e.g. a wrong checksum: its message says what to do
        raise SamplesUnavailable(f"the tier-2 samples could not be built in {root}: {error}") from None
    return root


def is_committed(path: Path) -> bool:
    """Whether ``path`` is the committed IMDb or NSMC sample (by sha256), not a derived file."""
    return any(remote.name == path.name and remote.sha256 == sha256_of(path)
               for remote in SUBSETS.get(path.parent.name, ()))


def _unavailable_message(folder: Path, root: Path, error: DownloadError) -> str:
    # What to do comes first: pytest's summary shows only the start of a long line.
    failed = str(error).split("\n")[0]  # "download of URL failed (reason); nothing was kept."
    return (
        f"no tier-2 sample data: put the sample folder at {folder} (../shared/data beside the repository), "
        f"or set {MIRROR_ENV}=DIR (a folder laid out like ../shared/data, or a URL), "
        f"or connect to the network (the samples are then downloaded from upstream once, into {root}). "
        f"Now {folder} does not exist, and the {failed}"
    )


def _provide(name: str, target: Path) -> None:
    names = [remote.name for remote in SUBSETS.get(name) or dataset_info(name).files]
    if all((target / file_name).is_file() for file_name in names):
        return
    if name not in SUBSETS:
        for path in fetch_dataset(name, progress=False):
            _copy(path, target / path.name)
    elif not _subset_from_mirror(name, target):
        upstream = {path.name: path for path in fetch_dataset(name, progress=False)}
        if name == "imdb":
            derive_imdb(upstream["aclImdb_v1.tar.gz"], target / "imdb_movie_review_5k.tsv")
        else:
            for sample, (upstream_name, per_label) in NSMC_SIZES.items():
                derive_nsmc(upstream[upstream_name], target / sample, per_label)


def _subset_from_mirror(name: str, target: Path) -> bool:
    """Fetch the committed subset from ``NLPCOURSE_MIRROR``; False if there is none there."""
    if not os.environ.get(MIRROR_ENV, "").strip():
        return False  # upstream has no copy of the subset
    try:
        paths = [fetch(name, remote, progress=False) for remote in SUBSETS[name]]
    except DownloadError:
        return False  # a mirror laid out like upstream: derive from its full set
    for path in paths:
        _copy(path, target / path.name)
    return True


def _copy(source: Path, final: Path) -> None:
    with atomic_path(final) as partial:
        shutil.copyfile(source, partial)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _lowest_ids(rows: Iterable[tuple[str, int]], sizes: dict[int, int]) -> set[str]:
    """Per label, the ``sizes[label]`` ids of ``(id, label)`` rows with the lowest sha256."""
    rows = list(rows)
    chosen: set[str] = set()
    for label, size in sizes.items():
        ranked = sorted((row_id for row_id, row_label in rows if row_label == label), key=_sha256)
        if len(ranked) < size:
            raise DataFileError(f"upstream has {len(ranked)} rows of label {label}; the sample needs {size}")
        chosen.update(ranked[:size])
    return chosen


def derive_imdb(archive: Path, final: Path) -> None:
    """Write IMDb reviews from upstream's ``aclImdb_v1.tar.gz`` in the sample's format.

    Format, as text2vec's TSV: ``id<TAB>sentiment<TAB>review``, the review as upstream
    (``<br />`` included) with each ``"`` escaped as ``\\"`` and the field then quoted
    CSV-style. The id is the review's file name (``<number>_<rating>``), with 12,500
    added to the number of a test review so that ids are unique.

    Rule: of the 50,000 labelled reviews (train and test), per label the ones whose id
    has the lowest sha256: 2,483 negative and 2,517 positive, the sample's counts;
    ordered by that hash, which mixes the labels.
    """
    reviews = _imdb_reviews(archive)
    chosen = _lowest_ids(((row_id, label) for row_id, label, _ in reviews), IMDB_SIZES)
    rows = sorted((row for row in reviews if row[0] in chosen), key=lambda row: _sha256(row[0]))
    with atomic_path(final) as partial, open(partial, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter="\t", lineterminator="\n")
        writer.writerow(["id", "sentiment", "review"])
        writer.writerows((row_id, label, review.replace('"', '\\"')) for row_id, label, review in rows)


def _imdb_reviews(archive: Path) -> list[tuple[str, int, str]]:
    """``(id, label, review)`` of every labelled review, read as a stream."""
    reviews = []
    with tarfile.open(archive, mode="r|gz") as members:
        for member in members:
            match = _IMDB_REVIEW.fullmatch(member.name)
            if match and member.isfile():
                split, polarity, number, rating = match.groups()
                number = int(number) + (_IMDB_TEST_OFFSET if split == "test" else 0)
                review = members.extractfile(member).read().decode("utf-8")
                reviews.append((f"{number}_{rating}", int(polarity == "pos"), review))
    return reviews


def derive_nsmc(upstream: Path, final: Path, per_label: int) -> None:
    """Write a class-balanced subset of an upstream NSMC file, in its own format.

    Rule: of the rows with a non-empty document, per label the ``per_label`` rows whose
    id has the lowest sha256 (7,500 of ``ratings_train.txt``, 2,500 of
    ``ratings_test.txt``, as in the sample), unchanged and in upstream's order.
    """
    lines = upstream.read_bytes().decode("utf-8").split("\n")
    if lines[0].rstrip("\r") != _NSMC_HEADER:
        raise DataFileError(f"{upstream} does not start with the NSMC header {_NSMC_HEADER!r}")
    rows = []  # (id, label, line); split at the first and the last tab, as the loader does
    for line in filter(None, (line.rstrip("\r") for line in lines[1:])):
        row_id, _, rest = line.partition("\t")
        document, _, label = rest.rpartition("\t")
        if document.strip():
            rows.append((row_id, int(label), line))
    chosen = _lowest_ids(((row_id, label) for row_id, label, _ in rows), {0: per_label, 1: per_label})
    kept = [line for row_id, _, line in rows if row_id in chosen]
    with atomic_path(final) as partial:
        partial.write_text("\n".join([_NSMC_HEADER, *kept]) + "\n", encoding="utf-8")
