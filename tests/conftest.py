from pathlib import Path

import pytest
import yaml

import sample_data

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def book_config() -> dict:
    return yaml.safe_load((ROOT / "_config.yml").read_text())


@pytest.fixture(scope="session")
def shared_data():
    """``need(*paths)``: the tier-2 sample folder, after checking that each path in it exists.

    The folder is ../shared/data, or where a clone has none, the same files fetched from
    upstream into the cache (tests/sample_data.py). A test whose samples are missing
    fails with one message that says how to get them, never skips: CI always has them.
    """

    def need(*paths: str) -> Path:
        datasets = dict.fromkeys(Path(path).parts[0] for path in paths)  # e.g. "tinyshakespeare/input.txt"
        try:
            folder = sample_data.sample_folder(*datasets)
        except sample_data.SamplesUnavailable as error:
            unavailable = str(error)
        else:
            unavailable = ""
        if unavailable:  # failed outside the except, so that pytest shows the message alone
            pytest.fail(unavailable, pytrace=False)
        for path in paths:
            if not (folder / path).exists():
                pytest.fail(f"the tier-2 sample data is missing: expected {folder / path}", pytrace=False)
        return folder

    return need


def toc_files() -> list[str]:
    """Every document of _toc.yml, root first, as paths without suffix."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc["parts"]:
        files += [chapter["file"] for chapter in part["chapters"]]
    return files


def lesson_sources() -> list[Path]:
    return sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))


def homework_sources() -> list[Path]:
    """The homework masters' .py sources (homework/hwN_topic.py)."""
    return sorted((ROOT / "homework").glob("hw*.py"))
