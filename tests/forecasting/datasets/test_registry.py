"""The data-set catalogue, file lookup, checksums, downloads and load_dataset's results."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest

import tsrm._files as shared_files
from tsrm.exceptions import TSRMInputError
from tsrm.forecasting.datasets import (
    ChecksumError,
    DatasetNotFoundError,
    LTSFDataset,
    PanelDataset,
    UnknownDatasetError,
    cache_dir,
    get_info,
    list_datasets,
    load_dataset,
    search_dirs,
    sha256_file,
    storage,
    verify_file,
)

REPO = Path(__file__).resolve().parents[3]
LTSF = ["ETTh1", "ETTh2", "ETTm1", "ETTm2", "Weather", "Exchange", "ILI"]
PANEL = ["M4-Hourly", "M4-Weekly", "M3-Yearly", "M3-Quarterly", "M3-Monthly"]
HORIZONS = {
    **dict.fromkeys(LTSF[:-1], (96, 192, 336, 720)),
    "ILI": (24, 36, 48, 60),
    "M4-Hourly": (48,),
    "M4-Weekly": (13,),
    "M3-Yearly": (6,),
    "M3-Quarterly": (8,),
    "M3-Monthly": (18,),
}


# --- the catalogue ---------------------------------------------------------------------------


def test_catalogue_lists_every_data_set_in_order():
    assert list_datasets() == LTSF + PANEL
    assert list_datasets("ltsf") == LTSF
    assert list_datasets("panel") == PANEL


@pytest.mark.parametrize("name", LTSF + PANEL)
def test_every_entry_is_complete(name):
    info = get_info(name)
    assert info.name == name
    assert info.horizons == HORIZONS[name]
    pd.tseries.frequencies.to_offset(info.freq)  # a valid pandas alias
    assert info.seasonal_period >= 1
    assert info.source and info.source_url.startswith("https://") and info.license
    assert info.files, "no files"
    for variants in info.files.values():
        for variant in variants:
            assert len(variant.sha256) == 64 and int(variant.sha256, 16) >= 0
            assert not variant.path.startswith("/") and ".." not in variant.path
            assert variant.url is None or variant.url.startswith("https://")
    if info.kind == "ltsf":
        assert info.target == "OT"
        assert set(info.shape) == {"rows", "columns"}
    else:
        assert info.target is None and info.split.rule == "holdout"
        assert info.shape["test_length"] == info.horizons[0]
    assert "x" in info.size or "series" in info.size


def test_split_rules_match_the_protocol():
    assert get_info("ETTh1").split.rule == "rows"
    assert (get_info("ETTh2").split.train, get_info("ETTh2").split.val) == (8640, 2880)
    ettm = get_info("ETTm1").split
    assert (ettm.train, ettm.val, ettm.test) == (4 * 8640, 4 * 2880, 4 * 2880)
    for name in ("Weather", "Exchange", "ILI"):
        rule = get_info(name).split
        assert (rule.rule, rule.train, rule.test) == ("fractions", 0.7, 0.2)


def test_names_are_case_insensitive():
    assert get_info("etth1") is get_info("ETTH1") is get_info("ETTh1")
    assert get_info("m4-hourly").name == "M4-Hourly"
    assert get_info(get_info("ILI")) is get_info("ILI")


def test_unknown_name_lists_the_known_names():
    with pytest.raises(UnknownDatasetError) as err:
        load_dataset("ETTh3")
    assert isinstance(err.value, TSRMInputError) and isinstance(err.value, ValueError)
    message = str(err.value)
    assert "'ETTh3'" in message
    for name in LTSF + PANEL:
        assert name in message


def test_readme_agrees_with_the_json():
    readme = (REPO / "datasets" / "README.md").read_text(encoding="utf-8")
    catalog = json.loads((REPO / "datasets" / "catalog.json").read_text(encoding="utf-8"))
    for entry in catalog["datasets"]:
        assert f"| {entry['name']} |" in readme
        assert entry["license"] in readme
        for variants in entry["files"].values():
            for variant in variants:
                assert variant["path"] in readme and variant["sha256"] in readme
                if variant.get("url"):
                    assert variant["url"] in readme


@pytest.mark.skipif(sys.version_info < (3, 11), reason="tomllib is Python 3.11+")
def test_wheel_ships_the_catalogue_and_every_subpackage():
    import tomllib

    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert config["package-dir"]["tsrm._catalog"] == "datasets"
    assert "*.json" in config["package-data"]["tsrm._catalog"]
    found = {
        ".".join(p.parent.relative_to(REPO).parts) for p in (REPO / "tsrm").rglob("__init__.py")
    }
    missing = found - set(config["packages"])
    assert not missing, f"add {sorted(missing)} to [tool.setuptools] packages in pyproject.toml"


# --- loading the shared data -----------------------------------------------------------------


@pytest.mark.parametrize("name", LTSF + PANEL)
def test_every_data_set_loads_with_verified_files(name, loaded, data_dir):
    info = get_info(name)
    result = loaded(name)
    if info.kind == "ltsf":
        assert isinstance(result, LTSFDataset)
        assert result.frame.shape == (info.shape["rows"], info.shape["columns"])
        assert result.target == "OT" and result.frame.columns[-1] == "OT"
        assert result.frame.index.name == "date"
        assert isinstance(result.frame.index, pd.DatetimeIndex)
        assert not result.frame.isna().to_numpy().any()
    else:
        assert isinstance(result, PanelDataset)
        assert result.n_series == info.shape["series"]
        assert list(result.train.columns) == ["unique_id", "ds", "y"]
        assert (result.test.groupby("unique_id").size() == result.horizon).all()
    assert result.info is info and name in repr(result)
    # The files it read are the catalogued ones (the shared folder holds the first variants).
    for variants in info.files.values():
        assert sha256_file(data_dir / variants[0].path) == variants[0].sha256


def test_expected_shapes(loaded):
    shapes = {name: loaded(name).frame.shape for name in LTSF}
    assert shapes == {
        "ETTh1": (17420, 7),
        "ETTh2": (17420, 7),
        "ETTm1": (69680, 7),
        "ETTm2": (69680, 7),
        "Weather": (52696, 21),
        "Exchange": (7588, 8),
        "ILI": (966, 7),
    }
    panels = {name: (loaded(name).n_series, loaded(name).horizon) for name in PANEL}
    assert panels == {
        "M4-Hourly": (414, 48),
        "M4-Weekly": (359, 13),
        "M3-Yearly": (645, 6),
        "M3-Quarterly": (756, 8),
        "M3-Monthly": (1428, 18),
    }


def test_loading_is_case_insensitive(loaded, data_dir):
    assert load_dataset("ili", data_dir=data_dir).frame.equals(loaded("ILI").frame)


# --- where files are looked for --------------------------------------------------------------


def test_search_order_is_argument_then_environment_then_cache(isolated_env, monkeypatch):
    monkeypatch.setenv("TSRM_DATA_DIR", str(isolated_env / "env"))
    dirs = search_dirs(isolated_env / "arg")
    assert [d for d, _ in dirs] == [isolated_env / "arg", isolated_env / "env", cache_dir()]
    assert cache_dir() == isolated_env / "xdg-cache" / "tsrm"
    assert [d for d, _ in search_dirs()] == [isolated_env / "env", cache_dir()]


def test_cache_dir_defaults_to_home_cache(monkeypatch):
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert cache_dir() == Path.home() / ".cache" / "tsrm"


def _copy(data_dir: Path, root: Path, relative: str = "ltsf/national_illness.csv") -> Path:
    target = root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(data_dir / relative, target)
    return target


def test_environment_variable_and_cache_are_used(data_dir, isolated_env, monkeypatch):
    _copy(data_dir, isolated_env / "env")
    monkeypatch.setenv("TSRM_DATA_DIR", str(isolated_env / "env"))
    assert load_dataset("ILI").frame.shape == (966, 7)
    monkeypatch.delenv("TSRM_DATA_DIR")
    _copy(data_dir, cache_dir())
    assert load_dataset("ILI").frame.shape == (966, 7)


def test_data_dir_argument_comes_first(data_dir, isolated_env, monkeypatch):
    bad = _copy(data_dir, isolated_env / "env")
    bad.write_bytes(b"not the data")
    monkeypatch.setenv("TSRM_DATA_DIR", str(isolated_env / "env"))
    _copy(data_dir, isolated_env / "arg")
    assert load_dataset("ILI", data_dir=isolated_env / "arg").frame.shape == (966, 7)


def test_an_accepted_uncompressed_variant_is_found(data_dir, isolated_env):
    target = isolated_env / "plain" / "ltsf" / "ETTm1.csv"
    target.parent.mkdir(parents=True)
    target.write_bytes(gzip.decompress((data_dir / "ltsf/ETTm1.csv.gz").read_bytes()))
    frame = load_dataset("ETTm1", data_dir=isolated_env / "plain").frame
    assert frame.shape == (69680, 7)


# --- checksums -------------------------------------------------------------------------------


def test_corrupted_copy_is_detected(data_dir, isolated_env):
    copy = _copy(data_dir, isolated_env / "data")
    raw = bytearray(copy.read_bytes())
    raw[len(raw) // 2] ^= 0x01  # one flipped bit in the middle
    copy.write_bytes(bytes(raw))
    expected = get_info("ILI").files["data"][0].sha256
    with pytest.raises(ChecksumError) as err:
        load_dataset("ILI", data_dir=isolated_env / "data")
    message = str(err.value)
    assert str(copy) in message
    assert expected in message
    assert hashlib.sha256(bytes(raw)).hexdigest() in message


def test_verification_is_cached_until_the_file_changes(data_dir, isolated_env, monkeypatch):
    copy = _copy(data_dir, isolated_env / "data")
    expected = get_info("ILI").files["data"][0].sha256
    assert verify_file(copy, expected) == copy

    def no_hashing(*args, **kwargs):
        raise AssertionError("hashed again")

    with monkeypatch.context() as patch:
        patch.setattr(shared_files.hashlib, "sha256", no_hashing)
        verify_file(copy, expected)  # same path, mtime and size: served from the cache

    stat = copy.stat()
    raw = bytearray(copy.read_bytes())
    raw[100] ^= 0x01
    copy.write_bytes(bytes(raw))
    os.utime(copy, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    with pytest.raises(ChecksumError):
        verify_file(copy, expected)


# --- missing files and downloads -------------------------------------------------------------


def test_missing_file_message_says_where_and_how(isolated_env, monkeypatch):
    monkeypatch.setenv("TSRM_DATA_DIR", str(isolated_env / "env"))

    def offline(*args, **kwargs):
        raise AssertionError("download attempted without download=True")

    monkeypatch.setattr(storage, "_open_url", offline)
    with pytest.raises(DatasetNotFoundError) as err:
        load_dataset("ETTh1", data_dir=isolated_env / "arg")
    assert isinstance(err.value, FileNotFoundError) and isinstance(err.value, TSRMInputError)
    message = str(err.value)
    for place in (isolated_env / "arg", isolated_env / "env", cache_dir()):
        assert str(place / "ltsf" / "ETTh1.csv") in message
    for needed in (
        "zhouhaoyi/ETDataset",  # the public source
        "CC BY-ND 4.0",
        "data_dir=",
        "TSRM_DATA_DIR",
        "download=True",
        get_info("ETTh1").files["data"][0].url,
    ):
        assert needed in message


def test_missing_file_without_a_url_says_so(isolated_env):
    with pytest.raises(DatasetNotFoundError, match="no stable direct download") as err:
        load_dataset("Weather", data_dir=isolated_env, download=True)
    message = str(err.value)
    assert "ltsf/weather.csv.gz or ltsf/weather.csv" in message
    assert "Time-Series-Library" in message


def _serve(files: dict[str, bytes]):
    def fake_open(url, timeout):
        return io.BytesIO(files[url])

    return fake_open


def test_download_fetches_into_the_cache_and_verifies(data_dir, isolated_env, monkeypatch):
    info = get_info("M4-Weekly")
    served = {
        v.url: (data_dir / v.path).read_bytes() for vs in info.files.values() for v in vs if v.url
    }
    monkeypatch.setattr(storage, "_open_url", _serve(served))
    result = load_dataset("M4-Weekly", data_dir=isolated_env / "empty", download=True)
    assert result.n_series == 359
    assert (cache_dir() / "m4" / "Weekly-train.csv").is_file()
    assert not list(cache_dir().rglob("*.part"))


def test_a_bad_download_leaves_nothing(isolated_env, monkeypatch):
    info = get_info("M4-Hourly")
    monkeypatch.setattr(storage, "_open_url", _serve({v.url: b"junk" for v in info.files["train"]}))
    with pytest.raises(ChecksumError):
        load_dataset("M4-Hourly", data_dir=isolated_env / "empty", download=True)
    assert not cache_dir().exists() or not any(p.is_file() for p in cache_dir().rglob("*"))


def test_only_https_is_downloaded(isolated_env):
    with pytest.raises(TSRMInputError, match="https"):
        storage.download_file("file:///etc/passwd", isolated_env / "x", "0" * 64)
