"""Where recursion pays: the runs of the study preregistered in results/recursion_study.md.

Hypothesis H1 (nonlinear dynamics): short-term forecasts of four chaotic systems, each
generated here from fixed initial conditions (scipy), observed with 0, 1 or 5 % Gaussian
noise; 30,000 points split 70/10/20 %, z-scored on the training part, every test window
scored. Each configuration of the protocol is trained with the library's training defaults,
a fixed look-back and ``fallback=False``:

- ``R``: the default network (N_sup 3, n 6, T 1: 21 calls of the shared network);
- ``R3``: R with T 3 (63 calls);
- ``A``: the same network once (N_sup 1, n 1, T 1: 2 calls, the same parameters);
- ``B`` / ``B3``: A widened (``hidden_dim``) to within 10 % of R's / R3's FLOPs per forecast;
- ``dlinear``, ``patchtst``: the library's defaults.

FLOPs per forecast are counted with ``torch.utils.flop_counter`` on one window in eval mode.

Hypothesis H2 (little data) trains the same configurations on the last 5-100 % of the
ETTh1/ETTm1 training split. Hypothesis H3 (sample paths from noise in z) scores ETTh1's OT
and M4-Hourly (one global model over its 414 series): R, R3 and A draw 100 paths per window
with noise in ``z`` (scale chosen on validation CRPS), beside the split-conformal quantiles
of the same network, R with a pinball-trained quantile head, and statsforecast's AutoETS
(``pip install "tsrm[bench]"``). Hypothesis H4 (adaptive compute) trains R with the
halting head on ETTh1 and a generated sensor series (regime changes, spikes) and scores its
halting forecast against the same network stopped after 1, 2 and 3 supervision steps.

Examples::

    python benchmarks/recursion_study.py --system lorenz --noise 0 --horizon 8 --config R A
    python benchmarks/recursion_study.py --jobs 15          # the whole H1 grid, 15 processes
    python benchmarks/recursion_study.py --hypothesis H2 --dataset ETTh1 --fraction 0.05
    python benchmarks/recursion_study.py --hypothesis H3    # R, R3, A, quantile, ets
    python benchmarks/recursion_study.py --hypothesis H3 --dataset M4-Hourly --jobs 2
    python benchmarks/recursion_study.py --hypothesis H3 --report
    python benchmarks/recursion_study.py --hypothesis H4    # ETTh1 and the sensor, seeds 0-2

Each run appends a row to ``benchmarks/results/recursion_study.csv`` (command, seed,
machine, date, git commit); a run already there is skipped unless ``--force``.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import multiprocessing
import sys
import time
import warnings
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import NamedTuple

import _harness as H
import numpy as np

SCRIPT = "recursion_study.py"
STEM = "recursion_study"
SYSTEMS = ("lorenz", "roessler", "mackey_glass", "double_pendulum")
NOISES = (0.0, 0.01, 0.05)
HORIZONS = (8, 32)
CONFIGS = ("R", "R3", "A", "B", "B3", "dlinear", "patchtst")
ALL_CONFIGS = (*CONFIGS, "quantile", "ets")
SEEDS = (0, 1, 2)
LOOKBACK = 96
#: H2: ETT sets, look-back, horizons and the shares of the training split trained on.
H2_DATASETS, H2_LOOKBACK, H2_HORIZONS = ("ETTh1", "ETTm1"), 336, (96, 336)
FRACTIONS = (0.05, 0.1, 0.25, 1.0)
#: H3: data sets with their look-back, horizon and the share of validation windows the noise
#: scale is chosen on (every 4th of ETTh1's, each of M4-Hourly's 414); ETTh1's target column;
#: the noise scales tried in z, paths per window, and the levels of the quantile head and of
#: every quantile CRPS (0.05 to 0.95 by 0.05).
H3_DATA = {"ETTh1": (336, 96), "M4-Hourly": (336, 48)}
SELECT_EVERY = {"ETTh1": 4, "M4-Hourly": 1}
H3_TARGET = "OT"
H3_CONFIGS = ("R", "R3", "A", "quantile", "ets")
SCALES = (0.01, 0.03, 0.1, 0.3, 1.0)
N_PATHS = 100
LEVELS = tuple(round(0.05 * i, 2) for i in range(1, 20))
#: H4: data sets with their look-back and horizon; the halting network's steps.
H4_DATA = {"ETTh1": (336, 96), "sensor": (96, 24)}
H4_STEPS = 3
N_POINTS, TRANSIENT = 30_000, 2_000
VALID_ERROR = 0.5  # a forecast step is "valid" while its absolute scaled error stays below
FIELDS = [
    "date", "hypothesis", "data", "noise", "fraction", "horizon", "lookback", "config", "seed",
    "mse", "mae", "valid_steps", "val_mse", "params", "flops", "hidden_dim", "period",
    "epochs", "best_epoch", "train_s", "test_windows", "accelerator", "git_commit", "machine",
    "command", "scale", "val_crps", "crps", "qcrps", "cov80", "width80", "cov90", "width90",
    "mean_steps", "val_mean_steps", "mse_step1", "mse_step2", "mse_step3", "val_mse_step1",
    "val_mse_step2", "val_mse_step3",
]  # fmt: skip
KEY = [
    "hypothesis", "data", "noise", "fraction", "horizon", "lookback", "config", "seed",
    "git_commit",
]  # fmt: skip

#: Network settings of each TRM configuration on top of the default preset.
RECURSION = {
    "R": {},
    "R3": {"n_cycles": 3},
    "A": {"n_supervision": 1, "n_recursions": 1, "n_cycles": 1},
}
#: The widened control and the recursive configuration whose FLOPs it matches.
MATCHED = {"B": "R", "B3": "R3"}


# -- data -----------------------------------------------------------------------------------
def _ode(rhs, y0, dt: float, n: int) -> np.ndarray:
    """``n`` states of ``rhs`` sampled every ``dt`` after ``TRANSIENT`` discarded samples."""
    from scipy.integrate import solve_ivp

    t = np.arange(n + TRANSIENT) * dt
    sol = solve_ivp(rhs, (0.0, t[-1]), y0, t_eval=t, method="DOP853", rtol=1e-9, atol=1e-9)
    return sol.y[:, TRANSIENT:]


def lorenz(n: int) -> np.ndarray:
    def rhs(_t, s):
        x, y, z = s
        return [10.0 * (y - x), x * (28.0 - z) - y, x * y - 8.0 / 3.0 * z]

    return _ode(rhs, [1.0, 1.0, 1.0], 0.02, n)[0]  # dt 0.01, every 2nd step kept


def roessler(n: int) -> np.ndarray:
    def rhs(_t, s):
        x, y, z = s
        return [-y - z, x + 0.2 * y, 0.2 + z * (x - 5.7)]

    return _ode(rhs, [1.0, 1.0, 0.0], 0.05, n)[0]


def double_pendulum(n: int) -> np.ndarray:
    g = 9.81

    def rhs(_t, s):  # unit masses and lengths
        a1, a2, w1, w2 = s
        d = a1 - a2
        den = 3.0 - np.cos(2 * d)
        dw1 = (
            -3 * g * np.sin(a1) - g * np.sin(a1 - 2 * a2)
            - 2 * np.sin(d) * (w2**2 + w1**2 * np.cos(d))
        ) / den  # fmt: skip
        dw2 = 2 * np.sin(d) * (2 * w1**2 + 2 * g * np.cos(a1) + w2**2 * np.cos(d)) / den
        return [w1, w2, dw1, dw2]

    return np.sin(_ode(rhs, [np.pi / 2, np.pi / 2, 0.0, 0.0], 0.02, n)[1])


def mackey_glass(n: int, tau: int = 17, h: float = 0.1) -> np.ndarray:
    """Mackey-Glass (beta 0.2, gamma 0.1, power 10), RK4 with step ``h`` on its history
    buffer (delayed values at half steps interpolated), sampled every time unit."""
    lag, per = round(tau / h), round(1 / h)
    steps = (n + TRANSIENT) * per
    x = np.empty(steps + lag + 1)
    x[: lag + 1] = 1.2

    def f(x_now: float, x_lag: float) -> float:
        return 0.2 * x_lag / (1.0 + x_lag**10) - 0.1 * x_now

    for i in range(lag, lag + steps):
        lag0, lag1 = x[i - lag], x[i - lag + 1]
        mid = 0.5 * (lag0 + lag1)
        k1 = f(x[i], lag0)
        k2 = f(x[i] + 0.5 * h * k1, mid)
        k3 = f(x[i] + 0.5 * h * k2, mid)
        k4 = f(x[i] + h * k3, lag1)
        x[i + 1] = x[i] + h / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
    return x[lag + 1 :: per][TRANSIENT : TRANSIENT + n]


GENERATORS = {
    "lorenz": lorenz,
    "roessler": roessler,
    "mackey_glass": mackey_glass,
    "double_pendulum": double_pendulum,
}


@functools.lru_cache(maxsize=4)
def clean_series(system: str) -> np.ndarray:
    return GENERATORS[system](N_POINTS)


def series(system: str, noise: float) -> np.ndarray:
    """The observed series: the system plus Gaussian noise of ``noise`` times its std (a
    fixed noise draw per system and level, independent of the training seed)."""
    clean = clean_series(system)
    rng = np.random.default_rng([SYSTEMS.index(system), round(noise * 1000)])
    return clean + noise * clean.std() * rng.standard_normal(clean.shape)


def windows(values: np.ndarray, lookback: int, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    """Every ``(input, target)`` window of ``values``, stride 1."""
    idx = np.arange(len(values) - lookback - horizon + 1)[:, None]
    return values[idx + np.arange(lookback)], values[idx + lookback + np.arange(horizon)]


def split(values: np.ndarray, lookback: int, horizon: int):
    """Fit part (train + validation rows, z-scored on train), validation rows, test windows."""
    n = len(values)
    train_end, val_end = int(0.7 * n), int(0.8 * n)
    mean, std = values[:train_end].mean(), values[:train_end].std()
    scaled = (values - mean) / std
    inputs, targets = windows(scaled[val_end - lookback :], lookback, horizon)
    return scaled[:val_end], val_end - train_end, inputs, targets


@functools.lru_cache(maxsize=2)
def _dataset(name: str, data_dir: str):
    from tsrm.forecasting.datasets import load_dataset

    return load_dataset(name, data_dir=data_dir)


def ett_parts(name: str, fraction: float, lookback: int, horizon: int, data_dir: str):
    """H2: the standard protocol's split of an ETT set (z-scored on the whole training
    split, so that the test scores of every share compare), training on the last
    ``fraction`` of the training rows; validation and test windows unchanged. As
    :func:`split`: fit part, validation rows, test inputs ``(windows, L)``, targets."""
    from tsrm.forecasting.datasets import make_splits

    splits = make_splits(_dataset(name, data_dir), lookback, horizon)
    (train_start, train_end), val_end = splits.boundaries.train, splits.boundaries.val[1]
    start = train_end - max(round(fraction * (train_end - train_start)), lookback + horizon)
    every = list(range(len(splits.test)))
    inputs, targets = (t.numpy().astype(np.float64) for t in splits.test.__getitems__(every))
    return splits.values[start:val_end], val_end - train_end, inputs, targets


def sensor(n: int) -> np.ndarray:
    """H4's sensor: AR(2) segments of 200-2,000 points, each around a new level, with spikes
    of 5-10 standard deviations at rate 0.5 % (one fixed draw)."""
    rng = np.random.default_rng(4)
    parts, level, total = [], 0.0, 0
    while total < n:
        length = int(rng.integers(200, 2001))
        phi1, phi2 = rng.uniform(0.5, 1.2), rng.uniform(-0.6, -0.25)  # stationary
        level += rng.normal(0.0, 3.0)
        x, eps = np.zeros(length + 2), rng.standard_normal(length + 2)
        for t in range(2, length + 2):
            x[t] = phi1 * x[t - 1] + phi2 * x[t - 2] + eps[t]
        parts.append(level + x[2:])
        total += length
    x = np.concatenate(parts)[:n]
    spikes = np.flatnonzero(rng.random(n) < 0.005)
    sizes = rng.choice([-1.0, 1.0], len(spikes)) * rng.uniform(5, 10, len(spikes))
    x[spikes] += sizes * x.std()
    return x


def prepare(job: dict, values: np.ndarray | None):
    """Fit part, validation rows, test inputs and targets of a job (H1: from ``values``)."""
    if job["hypothesis"] == "H1":
        return split(values, job["lookback"], job["horizon"])
    if job["hypothesis"] == "H4":
        if job["data"] == "sensor":
            return split(sensor(N_POINTS), job["lookback"], job["horizon"])
        return ett_parts(job["data"], 1.0, job["lookback"], job["horizon"], job["data_dir"])
    args = (job["fraction"], job["lookback"], job["horizon"], job["data_dir"])
    return ett_parts(job["data"], *args)


# -- models ---------------------------------------------------------------------------------
def trm_settings(config: str, hidden_dim: int | None = None) -> dict:
    base = RECURSION["A"] if config in MATCHED else RECURSION[config]
    return {**base, **({"hidden_dim": hidden_dim} if hidden_dim else {})}


def count_flops(network, lookback: int) -> int:
    """FLOPs of one forecast of one window (eval mode)."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    network = network.eval()
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        network(torch.zeros(1, lookback))
    return int(counter.get_total_flops())


def trm_flops(settings: dict, lookback: int, horizon: int, period: int) -> int:
    from tsrm import TRMForecaster
    from tsrm.forecasting.models.trm.module import TSTRMNetwork

    model = TRMForecaster(horizon=horizon, lookback=lookback, period=period, **settings)
    return count_flops(TSTRMNetwork(model._network_config(lookback, period)), lookback)


@functools.lru_cache(maxsize=64)
def matched_width(target: int, lookback: int, horizon: int, period: int) -> int:
    """The smallest ``hidden_dim`` of A whose FLOPs reach ``target`` (bisection)."""
    lo, hi = 8, 4096
    while lo < hi:
        mid = (lo + hi) // 2
        if trm_flops(trm_settings("A", mid), lookback, horizon, period) < target:
            lo = mid + 1
        else:
            hi = mid
    below = trm_flops(trm_settings("A", lo - 1), lookback, horizon, period)
    above = trm_flops(trm_settings("A", lo), lookback, horizon, period)
    return lo if abs(above - target) <= abs(target - below) else lo - 1


def timed_fit(model, fit_part: np.ndarray) -> float:
    """Fit ``model`` (its warnings silenced, e.g. "the last epoch was the best"); seconds."""
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(fit_part)
    return time.perf_counter() - start


def make_model(config: str, job: dict, val_rows: int, extra: dict):
    from tsrm import DLinear, PatchTST, TRMForecaster

    common = dict(
        horizon=job["horizon"], lookback=job["lookback"], random_state=job["seed"],
        validation_size=val_rows, scaling=False, verbose=False,
        trainer_kwargs={"accelerator": job["accelerator"]},
    )  # fmt: skip
    if config == "dlinear":
        return DLinear(**common)
    if config == "patchtst":
        return PatchTST(**common)
    return TRMForecaster(**common, fallback=False, n_threads=1, **extra)


# -- H3: sample paths from noise in z -------------------------------------------------------
@contextlib.contextmanager
def latent_noise(network, scale: float, generator):
    """Inject ``scale * std(z) * eps`` into ``z`` before every latent update of a fitted
    TS-TRM ``network`` (H3): each forward pass then draws one sample path per window.
    ``std(z)`` is each window's standard deviation over the latent features."""
    import torch

    reasoner = network.reasoner
    update = reasoner.latent_update

    def noisy(x, y, z):
        eps = torch.randn(z.shape, generator=generator, dtype=z.dtype)
        return update(x, y, z + scale * z.std(dim=-1, keepdim=True) * eps)

    reasoner.latent_update = noisy  # an instance attribute shadows the method
    try:
        yield
    finally:
        del reasoner.latent_update


def sample_paths(
    model, inputs: np.ndarray, scale: float, n_paths: int, seed: int, chunk: int = 128
) -> np.ndarray:
    """``n_paths`` forecasts of each window in ``inputs`` ``(n, L)`` with noise ``scale`` in
    ``z``: ``(n, n_paths, horizon)``, ``chunk`` windows (times ``n_paths``) per ``predict``
    call, one generator for all, so that the paths depend on the seed alone."""
    import torch

    generator = torch.Generator().manual_seed(seed)
    out = []
    with latent_noise(model.network_, scale, generator):
        for start in range(0, len(inputs), chunk):
            batch = np.repeat(inputs[start : start + chunk], n_paths, axis=0)
            out.append(np.asarray(model.predict(y=batch.T)).T)
    return np.concatenate(out).reshape(len(inputs), n_paths, -1)


class H3Data(NamedTuple):
    """H3's data, on the scaled series: the fit part (values, or a long frame of a panel),
    the rows of each series held out for validation, the validation and test windows (inputs
    ``(n, L)``, targets ``(n, H)``), and what AutoETS fits for each test window: its history,
    in units that ``(value - loc) / scale`` maps onto the scaled series."""

    fit_part: object
    val_rows: int
    val: tuple
    test: tuple
    histories: list
    loc: np.ndarray
    scale: np.ndarray


def h3_data(name: str, lookback: int, horizon: int, data_dir: str) -> H3Data:
    if name == "M4-Hourly":
        return panel_target(name, lookback, horizon, data_dir)
    return ett_target(name, H3_TARGET, lookback, horizon, data_dir)


def ett_target(name: str, target: str, lookback: int, horizon: int, data_dir: str) -> H3Data:
    """One column of an ETT set on the standard split, z-scored on the training rows; AutoETS
    fits each test window's input."""
    from tsrm.forecasting.datasets import make_splits

    splits = make_splits(_dataset(name, data_dir), lookback, horizon)
    b = splits.boundaries
    values = splits.values[:, splits.columns.index(target)]
    val = windows(values[b.train[1] - lookback : b.val[1]], lookback, horizon)
    test = windows(values[b.test[0] : b.test[1]], lookback, horizon)
    n = len(test[0])
    return H3Data(values[: b.val[1]], b.val[1] - b.train[1], val, test, list(test[0]),
                  np.zeros(n), np.ones(n))  # fmt: skip


def panel_target(name: str, lookback: int, horizon: int, data_dir: str) -> H3Data:
    """A panel (M4-Hourly), each series z-scored on its own training part: the long frame
    of every training part, its last ``horizon`` points held out for validation, one
    validation and one test window per series (the test targets are the official test
    part); AutoETS fits each raw training part."""
    data = _dataset(name, data_dir)
    order = ["unique_id", "ds"]
    train = data.train.sort_values(order, kind="stable").reset_index(drop=True)
    test = data.test.sort_values(order, kind="stable")
    if train["unique_id"].unique().tolist() != test["unique_id"].unique().tolist():
        raise ValueError(f"{name}: its train and test parts hold different series")
    raw = [g.to_numpy(np.float64) for _, g in train.groupby("unique_id", sort=False)["y"]]
    ahead = [g.to_numpy(np.float64) for _, g in test.groupby("unique_id", sort=False)["y"]]
    loc, scale = np.array([r.mean() for r in raw]), np.array([r.std() for r in raw])
    scaled = [(r - m) / s for r, m, s in zip(raw, loc, scale, strict=True)]
    span = lookback + horizon
    val = (np.stack([x[-span:-horizon] for x in scaled]), np.stack([x[-horizon:] for x in scaled]))
    test_targets = (np.stack(ahead) - loc[:, None]) / scale[:, None]
    test_windows = (np.stack([x[-lookback:] for x in scaled]), test_targets)
    fit_part = train.assign(y=np.concatenate(scaled))
    return H3Data(fit_part, horizon, val, test_windows, raw, loc, scale)


def interval_scores(targets: np.ndarray, quantiles: np.ndarray) -> dict:
    """Quantile CRPS over :data:`LEVELS` and the coverage and mean width of the 80 % and
    90 % central intervals, from ``quantiles`` ``(n, len(LEVELS), H)``."""
    import scoringrules as sr

    at = {q: quantiles[:, i] for i, q in enumerate(LEVELS)}
    qcrps = sr.crps_quantile(targets, quantiles, np.array(LEVELS), m_axis=1)
    out = {"qcrps": round(float(np.mean(qcrps)), 5)}
    for name, (lo, hi) in {"80": (0.1, 0.9), "90": (0.05, 0.95)}.items():
        inside = (targets >= at[lo]) & (targets <= at[hi])
        out[f"cov{name}"] = round(float(inside.mean()), 4)
        out[f"width{name}"] = round(float((at[hi] - at[lo]).mean()), 4)
    return out


def path_scores(targets: np.ndarray, paths: np.ndarray) -> dict:
    """Sample CRPS of ``paths`` ``(n, n_paths, H)``, and :func:`interval_scores` of their
    empirical quantiles."""
    import scoringrules as sr

    crps = float(np.mean(sr.crps_ensemble(targets, paths, m_axis=1)))
    quantiles = np.moveaxis(np.quantile(paths, LEVELS, axis=1), 0, 1)
    return {"crps": round(crps, 5), **interval_scores(targets, quantiles)}


def chosen_scale(model, val: tuple, seed: int, scales: tuple, every: int) -> tuple[float, float]:
    """The noise scale of ``scales`` with the lowest sample CRPS on every ``every``-th
    validation window, and that CRPS."""
    inputs, targets = val[0][::every], val[1][::every]
    scores = {
        s: path_scores(targets, sample_paths(model, inputs, s, N_PATHS, seed))["crps"]
        for s in scales
    }
    best = min(scores, key=scores.get)
    return best, scores[best]


def run_h3(job: dict) -> list[dict]:
    """H3: one configuration on one seed. R, R3 and A give two rows: their sample paths at
    the noise scale chosen on validation, and the split-conformal quantiles of the same
    network (config ``R-conformal`` ...); ``quantile`` is R with the pinball-trained head;
    ``ets`` is statsforecast's AutoETS on every test window."""
    data = h3_data(job["data"], job["lookback"], job["horizon"], job["data_dir"])
    inputs, targets = data.test
    base = {k: v for k, v in job.items() if k != "data_dir"} | {"test_windows": len(targets)}
    if job["config"] == "ets":
        return [base | ets_scores(data, job)]
    extra = {**trm_settings("R" if job["config"] == "quantile" else job["config"])}
    if job["config"] == "quantile":
        extra["quantiles"] = LEVELS
    model = make_model("trm", job, data.val_rows, {**extra, "period": job["period"]})
    base |= {"train_s": round(timed_fit(model, data.fit_part), 1), "params": model.n_params_,
             "epochs": len(model.history_["train_loss"])}  # fmt: skip
    quantiles = np.stack(list(model.predict_quantiles(y=inputs.T, quantiles=LEVELS).values()))
    quantile_row = base | interval_scores(targets, quantiles.transpose(2, 0, 1))
    if job["config"] == "quantile":
        return [quantile_row]
    scales = job.get("scales") or SCALES
    scale, val_crps = chosen_scale(model, data.val, job["seed"], scales, SELECT_EVERY[job["data"]])
    paths = sample_paths(model, inputs, scale, N_PATHS, job["seed"])
    sampled = base | {"scale": scale, "val_crps": val_crps} | path_scores(targets, paths)
    return [sampled, quantile_row | {"config": f"{job['config']}-conformal"}]


def ets_scores(data: H3Data, job: dict) -> dict:
    """AutoETS (statsforecast, season ``period``) fitted on each test window's history: its
    quantiles at :data:`LEVELS` from its intervals at 10 % to 90 %, on the scaled series."""
    import pandas as pd

    try:
        from statsforecast import StatsForecast
        from statsforecast.models import AutoETS
    except ImportError as err:
        needs = "the ets configuration needs statsforecast: pip install statsforecast"
        raise SystemExit(needs) from err
    n, lengths = len(data.histories), [len(h) for h in data.histories]
    frame = pd.DataFrame({
        "unique_id": np.repeat(np.arange(n), lengths),
        "ds": np.concatenate([np.arange(k) for k in lengths]),
        "y": np.concatenate(data.histories),
    })  # fmt: skip
    season = int(job["period"]) if job["period"] else 1
    sf = StatsForecast(models=[AutoETS(season_length=season)], freq=1, n_jobs=1)
    start = time.perf_counter()
    out = sf.forecast(df=frame, h=job["horizon"], level=list(range(10, 100, 10)))
    train_s = round(time.perf_counter() - start, 1)
    out = out.sort_values(["unique_id", "ds"])
    columns = [f"AutoETS-lo-{round(200 * (0.5 - q))}" for q in LEVELS if q < 0.5]
    columns += ["AutoETS"] + [f"AutoETS-hi-{round(200 * (q - 0.5))}" for q in LEVELS if q > 0.5]
    quantiles = out[columns].to_numpy().reshape(n, job["horizon"], len(LEVELS))
    quantiles = (quantiles - data.loc[:, None, None]) / data.scale[:, None, None]
    return {"train_s": train_s} | interval_scores(data.test[1], np.moveaxis(quantiles, 2, 1))


# -- one run --------------------------------------------------------------------------------
def run(job: dict, values: np.ndarray | None) -> dict:
    """Fit one configuration (H1: on ``values``) and score it on every test window."""
    from tsrm.forecasting.metrics import mae, mse

    fit_part, val_rows, inputs, targets = prepare(job, values)
    extra = {}
    if job["config"] not in ("dlinear", "patchtst"):
        extra = {**trm_settings(job["config"], job["hidden_dim"]), "period": job["period"]}
    model = make_model(job["config"], job, val_rows, extra)
    train_s = timed_fit(model, fit_part)
    forecast = np.asarray(model.predict(y=inputs.T)).T
    chosen = model.selection_[model.selection_["chosen"]].iloc[0]
    valid = np.abs(forecast - targets) > VALID_ERROR
    first_bad = np.where(valid.any(axis=1), valid.argmax(axis=1), job["horizon"])
    history = model.history_
    return {
        **{k: v for k, v in job.items() if k != "data_dir"},
        "mse": round(mse(targets, forecast), 5),
        "mae": round(mae(targets, forecast), 5),
        "valid_steps": round(float(first_bad.mean()), 3),
        "val_mse": round(float(chosen["val_mse"]), 5),
        "params": model.n_params_,
        "flops": count_flops(model.network_, job["lookback"]),
        "epochs": len(history["train_loss"]),
        "best_epoch": history.get("best_epoch", ""),
        "train_s": round(train_s, 1),
        "test_windows": len(targets),
    }


# -- H4: adaptive compute -----------------------------------------------------------------
def validation_windows(fit_part: np.ndarray, val_rows: int, lookback: int, horizon: int):
    """The windows whose targets lie in the last ``val_rows`` rows of the fit part, column by
    column for a table of channels (as the test windows are)."""
    tail = fit_part[-(val_rows + lookback) :]
    columns = tail.T if tail.ndim == 2 else [tail]
    pairs = [windows(c, lookback, horizon) for c in columns]
    return np.concatenate([p[0] for p in pairs]), np.concatenate([p[1] for p in pairs])


def step_scores(model, inputs: np.ndarray, targets: np.ndarray) -> dict:
    """MSE of the halting forecast, the mean steps it used, and the MSE after each fixed
    number of supervision steps (the same network stopped there for every window)."""
    from tsrm.forecasting.metrics import mse

    forecast, trace = model.predict(y=inputs.T, return_trace=True)
    out = {"mse": mse(targets, np.asarray(forecast).T), "mean_steps": trace.halted_at.mean()}
    for k, step in enumerate(trace.steps, start=1):
        out[f"mse_step{k}"] = mse(targets, np.asarray(step).T)
    return {key: round(float(v), 5) for key, v in out.items()}


def run_h4(job: dict) -> dict:
    """H4: R with the halting head; test and validation scores of its halting forecast and
    of the same network stopped after 1, 2 and 3 supervision steps."""
    fit_part, val_rows, inputs, targets = prepare(job, None)
    extra = {**trm_settings("R"), "halting": True, "period": job["period"]}
    model = make_model("trm", job, val_rows, extra)
    train_s = round(timed_fit(model, fit_part), 1)
    val = step_scores(model, *validation_windows(fit_part, val_rows, *H4_DATA[job["data"]]))
    return {
        **{k: v for k, v in job.items() if k != "data_dir"},
        **step_scores(model, inputs, targets),
        **{f"val_{k}": v for k, v in val.items()},
        "params": model.n_params_, "flops": count_flops(model.network_, job["lookback"]),
        "epochs": len(model.history_["train_loss"]), "train_s": train_s,
        "test_windows": len(targets),
    }  # fmt: skip


def fixed_at(row: dict, prefix: str = "") -> float:
    """The fixed-step MSE curve (steps 1..3) interpolated at the halting's mean steps."""
    curve = [float(row[f"{prefix}mse_step{k}"]) for k in range(1, H4_STEPS + 1)]
    return float(np.interp(float(row[f"{prefix}mean_steps"]), range(1, H4_STEPS + 1), curve))


def judge_h4(runs: list[dict]) -> str:
    """The protocol's rule for H4: halting against the fixed-step curve at its mean steps,
    seed-paired, on test with validation agreeing."""
    diff = np.array([float(r["mse"]) - fixed_at(r) for r in runs])
    return _verdict(diff, np.mean([float(r["val_mse"]) - fixed_at(r, "val_") for r in runs]))


def report_h4(rows: list[dict]) -> list[str]:
    """H4: per data set, means over seeds of the halting forecast's MSE and steps, the
    fixed-step MSEs, the fixed curve at the same mean steps, and the verdict."""
    latest = {(r["data"], r["seed"]): r for r in rows if r["hypothesis"] == "H4"}
    header = ["data", "seeds", "halting MSE", "mean steps", "1 step", "2 steps", "3 steps",
              "fixed at same steps", "halting vs fixed"]  # fmt: skip
    lines = H.markdown_table(header, [])
    for data in dict.fromkeys(d for d, _ in latest):
        runs = [r for (d, _), r in latest.items() if d == data]
        means = [np.mean([float(r[k]) for r in runs]) for k in
                 ("mse", "mean_steps", "mse_step1", "mse_step2", "mse_step3")]  # fmt: skip
        fixed = np.mean([fixed_at(r) for r in runs])
        verdict = judge_h4(runs) if len(runs) > 1 else ""
        cells = [f"{m:.4f}" for m in means] + [f"{fixed:.4f}", verdict]
        lines.append(f"| {data} | {len(runs)} | {' | '.join(cells)} |")
    return lines


# -- judging --------------------------------------------------------------------------------
def _bound(diff: np.ndarray) -> float:
    """Twice the standard error of the seed-paired differences (infinite for one seed)."""
    return 2 * diff.std(ddof=1) / np.sqrt(len(diff)) if len(diff) > 1 else np.inf


def _verdict(diff: np.ndarray, val: float | None = None) -> str:
    """The protocol's rule on seed-paired test differences (recursive minus control):
    "wins"/"loses" beyond :func:`_bound`, with the validation difference ``val`` agreeing
    (None: no validation condition), else "tie"."""
    bound = _bound(diff)
    if diff.mean() < -bound and (val is None or val < 0):
        return "wins"
    if diff.mean() > bound and (val is None or val > 0):
        return "loses"
    return "tie"


def _judge(rec: list[dict], ctrl: list[dict]) -> str:
    """:func:`_verdict` of a recursive configuration's runs against a control's (test MSE,
    validation agreeing)."""
    by_seed = {r["seed"]: r for r in ctrl}
    diff = np.array([float(r["mse"]) - float(by_seed[r["seed"]]["mse"]) for r in rec])
    val = np.mean([float(r["val_mse"]) for r in rec]) - np.mean([float(r["val_mse"]) for r in ctrl])
    return _verdict(diff, val)


def _mean_mse(runs: list[dict]) -> float:
    return float(np.mean([float(r["mse"]) for r in runs]))


def _cell_line(data: str, setting: str, horizon: str, by: dict[str, list[dict]]) -> str:
    """The Markdown row of one cell: mean test MSE per configuration, verdicts, machines."""
    means = [f"{_mean_mse(by[c]):.4f}" if by.get(c) else "" for c in CONFIGS]
    best_ab = min((by["A"], by["B"]), key=_mean_mse)
    best_ab3 = min((by["A"], by["B3"]), key=_mean_mse)
    verdicts = [_judge(by["R"], best_ab), _judge(by["R3"], best_ab3)]
    kinds = sorted(
        {f"{r['accelerator']}: {r['machine'].split(',')[0]}" for g in by.values() for r in g}
    )
    return (
        f"| {data} | {setting} | {horizon} | {' | '.join(means + verdicts)} | {'; '.join(kinds)} |"
    )


def report(rows: list[dict]) -> list[str]:
    """One Markdown row per cell that has every TS-TRM configuration with all 3 seeds: the
    mean test MSE of each configuration and the verdicts R vs A/B and R3 vs A/B3."""
    lines = [
        "| data | setting | H | R | R3 | A | B | B3 | DLinear | PatchTST | R vs A/B "
        "| R3 vs A/B3 | machines |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for key, by in _cells(rows).items():
        if _complete(by):  # judged only once all its runs exist
            lines.append(_cell_line(*key, by))
    return lines


H3_COLUMNS = ("scale", "crps", "qcrps", "cov80", "width80", "cov90", "width90")


def report_h3(rows: list[dict], hypothesis: str = "H3", data: str = "ETTh1") -> list[str]:
    """H3 on ``data``: per configuration the mean over its seeds (latest row each) of the
    chosen noise scale, sample CRPS, quantile CRPS and the 80 %/90 % interval coverage and
    width (``hypothesis="H3x"``: the exploratory runs on another grid of scales)."""
    mine = (r for r in rows if r["hypothesis"] == hypothesis and r["data"] == data)
    latest = {(r["config"], r["seed"]): r for r in mine}
    lines = H.markdown_table(["config", "seeds", *H3_COLUMNS, "train s"], [])
    for config in dict.fromkeys(c for c, _ in latest):
        got = [r for (c, _), r in latest.items() if c == config]
        cells = [
            f"{np.mean([float(r[k]) for r in got]):.4f}" if got[0].get(k) else ""
            for k in (*H3_COLUMNS, "train_s")
        ]
        lines.append(f"| {config} | {len(got)} | {' | '.join(cells)} |")
    return lines + h3_verdicts(latest)


def h3_verdicts(latest: dict[tuple, dict]) -> list[str]:
    """R's and R3's paths against the better of A's paths and their own conformal
    quantiles, by the seed-paired rule on the test quantile CRPS (no validation condition:
    the conformal quantiles are calibrated on the validation windows)."""
    by = {}
    for (config, seed), r in latest.items():
        by.setdefault(config, {})[seed] = float(r["qcrps"])
    lines = []
    for rec in ("R", "R3"):
        controls = [c for c in ("A", f"{rec}-conformal") if c in by]
        if rec not in by or not controls or any(by[c].keys() != by[rec].keys() for c in controls):
            continue
        best = min(controls, key=lambda c: np.mean(list(by[c].values())))
        diff = np.array([by[rec][s] - by[best][s] for s in by[rec]])
        lines.append(
            f"\n{rec} against {best}: {_verdict(diff)} (test only; mean difference "
            f"{diff.mean():+.4f}, twice its standard error {_bound(diff):.4f})"
        )
    return lines


def _cells(rows: list[dict]) -> dict[tuple, dict[str, list[dict]]]:
    """Rows by cell ``(data, setting, horizon)``, then by configuration; the setting is H1's
    noise level or H2's share of the training split. A run made again (another commit or
    machine) counts once: its latest row, as the judging always paired them."""
    cells: dict[tuple, dict[str, dict[str, dict]]] = {}
    for r in (r for r in rows if r["hypothesis"] in ("H1", "H2")):  # oldest first: later wins
        setting = f"noise {r['noise']}" if r["noise"] != "" else f"train {r['fraction']}"
        cell = cells.setdefault((r["data"], setting, r["horizon"]), {})
        cell.setdefault(r["config"], {})[r["seed"]] = r
    return {key: {c: list(s.values()) for c, s in by.items()} for key, by in cells.items()}


def _complete(by: dict[str, list[dict]]) -> bool:
    """Whether every TS-TRM configuration ran with every seed (DLinear/PatchTST optional)."""
    return all(len({r["seed"] for r in by.get(c, [])}) == len(SEEDS) for c in CONFIGS[:5])


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plots(rows: list[dict], results_dir: Path) -> list[Path]:
    """One figure per hypothesis that has results: ``recursion_h1.png`` ... ``_h4.png``."""
    out = []
    for hypothesis, draw in (("H1", plot), ("H2", plot), ("H3", plot_h3), ("H4", plot_h4)):
        mine = [r for r in rows if r["hypothesis"] == hypothesis]
        if mine:
            out.append(draw(mine, Path(results_dir) / f"recursion_{hypothesis.lower()}.png"))
    return out


def plot_h3(rows: list[dict], path: Path) -> Path:
    """H3: test quantile CRPS of each network's sample paths and of its conformal quantiles
    (every seed a dot, the mean a marker), the quantile head and AutoETS as lines; one panel
    per data set."""
    plt = _pyplot()
    data = [d for d in H3_DATA if any(r["data"] == d for r in rows)]
    fig, axes = plt.subplots(1, len(data), figsize=(5 * len(data), 3.6), squeeze=False)
    for ax, name in zip(axes[0], data, strict=True):
        _h3_panel(ax, [r for r in rows if r["data"] == name], name)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    return path


def _h3_panel(ax, rows: list[dict], data: str) -> None:
    latest = {(r["config"], r["seed"]): float(r["qcrps"]) for r in rows}
    for i, config in enumerate(("A", "R", "R3")):
        for shift, name, face in ((-0.1, config, "black"), (0.1, f"{config}-conformal", "none")):
            got = [v for (c, _), v in latest.items() if c == name]
            if got:
                ax.scatter([i + shift] * len(got), got, s=8, color="grey")
                label = ("sample paths" if face == "black" else "conformal") if i == 0 else None
                ax.scatter(i + shift, np.mean(got), s=50, facecolors=face, edgecolors="black",
                           label=label)  # fmt: skip
    top = max((v for (c, _), v in latest.items() if c != "ets"), default=0.0)
    for name, style in (("quantile", "--"), ("ets", ":")):
        got = [v for (c, _), v in latest.items() if c == name]
        if not got:
            continue
        label = "quantile head (R)" if name == "quantile" else "AutoETS"
        if np.mean(got) > 1.5 * top:  # far above the rest: named, not drawn
            ax.annotate(f"{label}: {np.mean(got):.3f}, above the panel",
                        (0.02, 0.97), xycoords="axes fraction", va="top", fontsize=7)  # fmt: skip
        else:
            ax.axhline(np.mean(got), linestyle=style, color="black", label=label)
    ax.set_xticks(range(3), ["A (2 calls)", "R (21)", "R3 (63)"])
    lookback, horizon = H3_DATA[data]
    title = f"H3: {data}{' OT' if data == 'ETTh1' else ''}, L {lookback}, H {horizon}"
    ax.set(ylabel="test quantile CRPS (scaled)", title=title)
    ax.legend(fontsize=7)


def plot_h4(rows: list[dict], path: Path) -> Path:
    """H4: test MSE after 1, 2 and 3 supervision steps for every window (the curve) and the
    halting forecast at its mean steps, one panel per data set, means over seeds."""
    plt = _pyplot()
    data = list(dict.fromkeys(r["data"] for r in rows))
    fig, axes = plt.subplots(1, len(data), figsize=(3.6 * len(data), 3.2), squeeze=False)
    for ax, name in zip(axes[0], data, strict=True):
        runs = [r for r in rows if r["data"] == name]
        curve = [np.mean([float(r[f"mse_step{k}"]) for r in runs]) for k in (1, 2, 3)]
        ax.plot([1, 2, 3], curve, marker="o", color="black", label="fixed steps")
        steps = np.mean([float(r["mean_steps"]) for r in runs])
        ax.scatter(steps, np.mean([float(r["mse"]) for r in runs]), marker="*", s=120,
                   color="tab:orange", label="halting", zorder=3)  # fmt: skip
        ax.set(xlabel="supervision steps", ylabel="test MSE (scaled)", title=f"H4: {name}")
        low, high = min(curve), max(curve)
        ax.set_ylim(0.97 * low, 1.03 * high)  # a 3 % band: differences below it are noise
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    return path


def plot(rows: list[dict], path: Path) -> Path:
    """Test MSE against FLOPs per forecast (log-log), one panel per cell, every seed a dot
    and each configuration's mean a marker; the recursive configurations filled."""
    plt = _pyplot()
    by_cell = _cells(rows)
    # One row per system (alphabetical), one column per horizon and setting.
    cells = sorted(
        (key for key, by in by_cell.items() if _complete(by)), key=lambda k: (k[0], k[2], k[1])
    )
    if not cells:
        raise SystemExit("no cell has every configuration and seed yet: nothing to plot")
    systems = list(dict.fromkeys(k[0] for k in cells))
    columns = list(dict.fromkeys(k[1:] for k in cells))
    fig, axes = plt.subplots(
        len(systems), len(columns), figsize=(3.2 * len(columns), 3.2 * len(systems)),
        squeeze=False,
    )  # fmt: skip
    for ax in axes.flat:
        ax.set_visible(False)
    for cell in cells:
        ax = axes[systems.index(cell[0])][columns.index(cell[1:])]
        ax.set_visible(True)
        by = by_cell[cell]
        for config, marker in zip(CONFIGS, "o^sDvPX", strict=True):
            got = by.get(config)
            if not got:
                continue
            x, y = float(got[0]["flops"]), [float(r["mse"]) for r in got]
            filled = config in ("R", "R3")
            ax.scatter([x] * len(y), y, s=8, color="grey")
            ax.scatter(
                x, np.mean(y), marker=marker, s=50, label=config,
                facecolors=None if filled else "none", edgecolors="black",
            )  # fmt: skip
        ax.set(xscale="log", yscale="log", title=f"{cell[0]}, {cell[1]}, H {cell[2]}")
        ax.set_xlabel("FLOPs per forecast")
        ax.xaxis.set_minor_formatter(plt.NullFormatter())  # minor labels overlap
    for row in axes:
        row[0].set_ylabel("test MSE (scaled)")
    axes[0][0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    return path


# -- the grid -------------------------------------------------------------------------------
def jobs(args) -> list[dict]:
    """Every requested run, with the season each series gets and the widths of B and B3."""
    from tsrm.forecasting.series.panel import to_panel
    from tsrm.forecasting.series.season import detect_season

    if args.hypothesis == "H3":
        return h3_jobs(args)
    if args.hypothesis == "H4":
        return h4_jobs(args)
    h2 = args.hypothesis == "H2"
    lookback = args.lookback or (H2_LOOKBACK if h2 else LOOKBACK)
    horizons = args.horizon or (H2_HORIZONS if h2 else HORIZONS)
    settings = [("", f) for f in args.fraction] if h2 else [(n, "") for n in args.noise]
    out = []
    for noise, fraction in settings:
        for horizon in horizons:
            for data in args.dataset if h2 else args.system:
                cell = {
                    "hypothesis": args.hypothesis, "data": data, "noise": noise,
                    "fraction": fraction, "horizon": horizon, "lookback": lookback,
                    "data_dir": str(args.data_dir),
                }  # fmt: skip
                fit_part, *_ = prepare(cell, None if h2 else series(data, noise))
                period = detect_season(to_panel(fit_part))
                widths = {
                    b: matched_width(
                        trm_flops(trm_settings(r), lookback, horizon, period),
                        lookback, horizon, period,
                    )
                    for b, r in MATCHED.items()
                }  # fmt: skip
                for config in args.config:
                    trm = config not in ("dlinear", "patchtst")
                    for seed in args.seed:
                        out.append({
                            **cell, "config": config, "seed": seed,
                            "period": period if trm else "",
                            "hidden_dim": widths.get(config, 64) if trm else "",
                            "accelerator": args.accelerator,
                        })  # fmt: skip
    return out


def h3_jobs(args) -> list[dict]:
    """H3's runs: every data set, configuration and seed (AutoETS once: it has no seed)."""
    from tsrm.forecasting.series.panel import to_panel
    from tsrm.forecasting.series.season import detect_season

    samplers = ("R", "R3", "A") if args.scales else H3_CONFIGS  # the others draw no paths
    configs = [c for c in args.config if c in samplers]
    seeds = {c: args.seed[:1] if c == "ets" else args.seed for c in configs}
    out = []
    for data in args.dataset:
        lookback = args.lookback or H3_DATA[data][0]
        horizon = (args.horizon or [H3_DATA[data][1]])[0]
        cell = {
            "hypothesis": "H3x" if args.scales else "H3", "data": data, "noise": "",
            "fraction": "", "scales": tuple(args.scales or SCALES),
            "horizon": horizon, "lookback": lookback, "data_dir": str(args.data_dir),
            "hidden_dim": 64, "accelerator": args.accelerator,
        }  # fmt: skip
        fit_part = h3_data(data, lookback, horizon, cell["data_dir"]).fit_part
        cell["period"] = detect_season(to_panel(fit_part))
        out += [{**cell, "config": c, "seed": seed} for c in configs for seed in seeds[c]]
    return out


def h4_jobs(args) -> list[dict]:
    """H4's runs: R with the halting head on each data set, every seed."""
    from tsrm.forecasting.series.panel import to_panel
    from tsrm.forecasting.series.season import detect_season

    out = []
    for data in args.dataset:
        lookback, horizon = H4_DATA[data]
        cell = {
            "hypothesis": "H4", "data": data, "noise": "", "fraction": "", "horizon": horizon,
            "lookback": lookback, "data_dir": str(args.data_dir), "hidden_dim": 64,
            "accelerator": args.accelerator, "config": "R-halt",
        }  # fmt: skip
        cell["period"] = detect_season(to_panel(prepare(cell, None)[0]))
        out += [{**cell, "seed": seed} for seed in args.seed]
    return out


def job_command(job: dict) -> str:
    if job["hypothesis"] == "H1":
        data = [("--system", job["data"]), ("--noise", job["noise"])]
    elif job["hypothesis"].startswith("H3"):
        data = [("--hypothesis", "H3"), ("--dataset", job["data"])]
    elif job["hypothesis"] == "H4":
        data = [("--hypothesis", "H4"), ("--dataset", job["data"])]
    else:
        data = [("--hypothesis", "H2"), ("--dataset", job["data"]),
                ("--fraction", job["fraction"])]  # fmt: skip
    text = H.command(SCRIPT, [
        *data, ("--horizon", job["horizon"]), ("--lookback", job["lookback"]),
        ("--config", job["config"]), ("--seed", job["seed"]),
    ])  # fmt: skip
    if job["hypothesis"] == "H3x":  # a grid other than the protocol's
        text += " --scales " + " ".join(str(s) for s in job["scales"])
    return text


def _cell_key(job: dict) -> tuple:
    return job["noise"], job["fraction"], job["horizon"], job["data"]


def run_job(job: dict, values: np.ndarray | None) -> list[dict]:
    """The rows of one job (H3's runs give two), on one torch thread."""
    import torch

    torch.set_num_threads(1)
    if job["hypothesis"] == "H4":
        return [run_h4(job)]
    return run_h3(job) if job["hypothesis"].startswith("H3") else [run(job, values)]


def _values(job: dict) -> np.ndarray | None:
    """H1's series, made once here and handed to the worker; H2's workers read the data."""
    return series(job["data"], job["noise"]) if job["hypothesis"] == "H1" else None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--hypothesis", choices=("H1", "H2", "H3", "H4"), default="H1")
    parser.add_argument("--system", nargs="+", default=list(SYSTEMS), choices=SYSTEMS, help="H1")
    parser.add_argument("--noise", nargs="+", type=float, default=list(NOISES), help="H1")
    parser.add_argument(
        "--dataset", nargs="+", default=None,
        help="H2 (ETTh1 ETTm1), H3 (ETTh1 M4-Hourly), H4 (ETTh1 sensor)",
    )  # fmt: skip
    parser.add_argument(
        "--fraction", nargs="+", type=float, default=list(FRACTIONS),
        help="H2: shares of the training split trained on (its last rows)",
    )  # fmt: skip
    parser.add_argument("--data-dir", type=Path, default=H.DEFAULT_DATA_DIR, help="H2")
    parser.add_argument("--horizon", nargs="+", type=int, default=None, help="H1 8 32, H2 96 336")
    parser.add_argument("--lookback", type=int, default=None, help="H1 96, H2 336")
    parser.add_argument(
        "--config", nargs="+", default=None, choices=ALL_CONFIGS,
        help="default: every configuration of the hypothesis",
    )  # fmt: skip
    parser.add_argument("--seed", nargs="+", type=int, default=list(SEEDS))
    parser.add_argument("--jobs", type=int, default=1, help="runs in parallel (1 thread each)")
    parser.add_argument(
        "--accelerator", default="cpu", help="Lightning's accelerator for training (cpu, gpu)"
    )
    parser.add_argument(
        "--scales", nargs="+", type=float, default=None,
        help="H3: noise scales other than the protocol's; rows are marked H3x (exploratory)",
    )  # fmt: skip
    parser.add_argument("--results-dir", type=Path, default=H.RESULTS_DIR)
    parser.add_argument("--force", action="store_true", help="re-run runs already in the CSV")
    parser.add_argument(
        "--report", action="store_true", help="print the judged cells (Markdown) and stop"
    )
    parser.add_argument(
        "--plot",
        action="store_true",
        help="write a figure per hypothesis (recursion_h1.png ... recursion_h4.png) and stop",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.config is None:
        args.config = list(H3_CONFIGS if args.hypothesis == "H3" else CONFIGS)
    if args.dataset is None:
        default = {"H3": H3_DATA, "H4": H4_DATA}.get(args.hypothesis, H2_DATASETS)
        args.dataset = list(default)
    results, _ = H.results_files(args.results_dir, STEM, FIELDS, KEY)
    if args.report:
        rows = results.rows()
        if args.hypothesis == "H3":
            for data in args.dataset:
                print("\n".join([f"{data}:", "", *report_h3(rows, "H3", data), ""]))
            print("\n".join(["ETTh1, other scales:", "", *report_h3(rows, "H3x")]))
        elif args.hypothesis == "H4":
            print("\n".join(report_h4(rows)))
        else:
            print("\n".join(report(rows)))
        return 0
    if args.plot:
        for path in plots(results.rows(), args.results_dir):
            print(f"wrote {path}")
        return 0
    stamp = {"date": H.today(), "git_commit": H.git_commit(), "machine": H.machine()}
    todo = []
    for job in jobs(args):
        job = {**job, **stamp}
        if not args.force and results.find(job) is not None:
            print(f"SKIP {job_command(job)}", flush=True)
        else:
            todo.append(job)
    # Cell by cell (complete cells first if the runs are cut short); in a cell the slowest
    # configurations first, so that the pool does not end on one long run.
    cells = list(dict.fromkeys(_cell_key(j) for j in todo))
    todo.sort(key=lambda j: (cells.index(_cell_key(j)),
                             j["config"] not in ("R3", "B3", "patchtst")))  # fmt: skip
    failed = 0
    spawn = multiprocessing.get_context("spawn")  # CUDA cannot be used in forked workers
    with ProcessPoolExecutor(max_workers=args.jobs, mp_context=spawn) as pool:
        futures = {pool.submit(run_job, job, _values(job)): job for job in todo}
        for future in as_completed(futures):
            job = futures[future]
            try:
                rows = [{**row, "command": job_command(job)} for row in future.result()]
            except Exception as err:  # one failed run must not lose the others
                failed += 1
                print(f"FAILED {job_command(job)}: {type(err).__name__}: {err}", flush=True)
                continue
            for row in rows:
                results.append(row)
                _print(row)
    print(f"{len(todo) - failed} runs done, {failed} failed", flush=True)
    return 1 if failed else 0


def _print(row: dict) -> None:
    if row["hypothesis"] == "H4":
        scores = " ".join(f"{k}={row[k]}" for k in ("mse", "mean_steps", "mse_step1", "mse_step3"))
        print(f"RESULT H4 {row['data']} seed={row['seed']} {scores}", flush=True)
        return
    if row["hypothesis"].startswith("H3"):
        scores = " ".join(f"{k}={row.get(k, '')}" for k in ("scale", "crps", "qcrps", "cov90"))
        print(f"RESULT H3 {row['config']} seed={row['seed']} {scores}", flush=True)
        return
    print(
        f"RESULT {row['data']} {_cell_key(row)[:2]} H={row['horizon']} "
        f"{row['config']} seed={row['seed']} mse={row['mse']} "
        f"valid_steps={row['valid_steps']} val_mse={row['val_mse']} "
        f"flops={row['flops']} train_s={row['train_s']}",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
