"""The ``tsrm`` command line."""

from __future__ import annotations

import re

import pytest

import tsrm
from tsrm.cli import main


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"tsrm {tsrm.__version__}"


def test_a_command_is_required(capsys):
    with pytest.raises(SystemExit) as info:
        main([])
    assert info.value.code == 2
    assert "required" in capsys.readouterr().err


def test_bad_demo_argument_is_reported_not_raised(capsys):
    assert main(["demo", "--max-epochs", "0"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tsrm: error:")
    assert "max_epochs" in err


@pytest.mark.slow
def test_demo_prints_comparison_table(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["demo", "--max-epochs", "2"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    header = next(line for line in lines if line.startswith("model"))
    assert header.split() == ["model", "MAE", "MASE", "params", "fit_s"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[lines.index(header) + 1 :]}
    for name in ("TS-TRM", "SeasonalNaive(12)", "ARIMA(1,1,1)(0,1,1,12)"):
        assert name in rows, out
        mae_, mase_, params, fit_s = rows[name]
        assert float(mae_) >= 0 and float(mase_) >= 0 and float(fit_s) >= 0
        assert re.fullmatch(r"[\d,]+", params)
    assert int(rows["TS-TRM"][2].replace(",", "")) > 1000
    # The seasonal ARIMA is the strong classical baseline on CO2.
    assert float(rows["ARIMA(1,1,1)(0,1,1,12)"][1]) < 1.0
    assert "lower is better" in out
    assert list(tmp_path.iterdir()) == []
