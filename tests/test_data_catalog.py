"""The data-set table: the CLI, the catalog and the book page agree."""

import re

from conftest import ROOT
from nlpcourse.data import REMOTE_DATASETS
from nlpcourse.data.__main__ import list_datasets, main
from nlpcourse.data.catalog import EMBEDDED, REMOTE_LOADERS, embedded_present


def test_every_data_set_is_listed_with_its_loader(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("NLPCOURSE_CACHE", str(tmp_path))
    assert main(["list"]) == 0
    table = capsys.readouterr().out
    for entry in EMBEDDED:
        assert re.search(rf"^{re.escape(entry.name)}\s+1\s", table, re.M), entry.name
    for name in REMOTE_DATASETS:
        assert re.search(rf"^{name}\s+2\s.*fetch {name}", table, re.M), name
    assert str(tmp_path) in table
    assert not list(tmp_path.iterdir()), "listing must not create cache folders"


def test_loaders_named_in_the_catalog_exist():
    import nlpcourse.data as data

    assert set(REMOTE_LOADERS) == set(REMOTE_DATASETS)
    for call in [e.loader for e in EMBEDDED] + list(REMOTE_LOADERS.values()):
        for name in re.findall(r"(\w+)\(", call):
            assert callable(getattr(data, name)), name


def test_carriers_are_installed_and_pinned():
    carriers = (ROOT / "requirements" / "carriers.txt").read_text()
    pins = (ROOT / "requirements" / "pins.txt").read_text()
    for entry in EMBEDDED:
        assert embedded_present(entry), f"{entry.carrier} is not installed"
        if entry.carrier:
            assert entry.carrier in carriers or entry.carrier in pins, entry.carrier


def test_fetch_of_an_unknown_name_lists_the_valid_ones(capsys):
    assert main(["fetch", "imbd"]) == 1
    assert "imdb, multi30k, nsmc, sst2, tinyshakespeare" in capsys.readouterr().err


def test_book_page_lists_every_data_set():
    page = (ROOT / "book" / "data.md").read_text()
    for name in [e.name for e in EMBEDDED] + list(REMOTE_DATASETS):
        assert f"| `{name}` |" in page, name
    assert "python -m nlpcourse.data list" in page and list_datasets()
