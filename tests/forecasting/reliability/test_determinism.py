"""The same seed gives bitwise-identical forecasts in two separate Python processes."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SCRIPT = textwrap.dedent(
    """
    import sys
    import numpy as np
    import torch

    torch.set_num_threads(1)
    sys.path[:0] = [{helpers!r}, {repo!r}]
    from reliability_helpers import dlinear, hourly, trm

    y = hourly(300)
    y.iloc[[20, 77, 78, 150]] = np.nan  # the missing-values path too
    for make in (trm, dlinear):
        model = make(max_epochs=2, random_state=123).fit(y)
        parts = [model.predict(h=9).to_numpy(), model.predict(y=y * 3).to_numpy()]
        forecast = np.concatenate(parts)
        sys.stdout.write(forecast.astype("<f8").tobytes().hex() + "\\n")
    """
)


@pytest.mark.slow
def test_same_seed_same_bits_across_processes(tmp_path):
    script = tmp_path / "fit_predict.py"
    here = Path(__file__).resolve().parent
    script.write_text(SCRIPT.format(helpers=str(here), repo=str(here.parents[2])))
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    runs = [
        subprocess.Popen(
            [sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
        )
        for _ in range(2)
    ]  # both at once: half the wall time
    outputs = []
    for run in runs:
        out, err = run.communicate(timeout=240)
        assert run.returncode == 0, err.decode()[-2000:]
        outputs.append(out.decode().split())
    assert len(outputs[0]) == 2 and all(outputs[0])
    assert outputs[0] == outputs[1]
