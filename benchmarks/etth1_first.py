"""First TS-TRM benchmark: ETTh1 under the standard long-horizon protocol.

Protocol (REFERENCE.md section 3): train rows [0, 8640), validation rows
[8640 - L, 11520), test rows [11520 - L, 14400); every column z-scored with the
training rows' mean and std; MSE and MAE on that scale over all test windows
(stride 1), all horizon steps and all 7 channels, no window dropped.

Example::

    python benchmarks/etth1_first.py --data-dir ../shared/data --lookback 336 --horizon 96

Appends one row to benchmarks/results/etth1_first.csv and prints a RESULT line.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
from _harness import ResultsFile, machine, parse_value, today

from tsrm import TRMForecaster
from tsrm.forecasting.datasets import load_dataset, make_splits

PUBLISHED = {  # (MSE, MAE) at L=336 (DLinear) and L=512 (PatchTST/64), REFERENCE.md section 3
    96: {"DLinear": (0.375, 0.399), "PatchTST/64": (0.370, 0.400)},
}
FIELDS = [
    "date",
    "dataset",
    "lookback",
    "horizon",
    "model",
    "mse",
    "mae",
    "params",
    "epochs",
    "best_epoch",
    "best_val_mse",
    "train_s",
    "predict_ms_per_window",
    "test_windows",
    "seed",
    "machine",
    "command",
]
KEY = ["dataset", "lookback", "horizon", "model", "seed"]


def _parse_setting(text: str) -> tuple[str, object]:
    key, _, value = text.partition("=")
    return key, parse_value(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data-dir", type=Path, default=Path(os.environ.get("TSRM_DATA_DIR", "../shared/data"))
    )
    parser.add_argument("--lookback", type=int, default=336)
    parser.add_argument("--horizon", type=int, default=96)
    parser.add_argument("--preset", default="default")
    parser.add_argument("--max-epochs", type=int, default=20)
    parser.add_argument("--patience", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="any other TRMForecaster argument, e.g. --set n_cycles=1",
    )
    parser.add_argument(
        "--results", type=Path, default=Path(__file__).parent / "results" / "etth1_first.csv"
    )
    args = parser.parse_args(argv)
    L, H = args.lookback, args.horizon

    splits = make_splits(load_dataset("ETTh1", data_dir=args.data_dir), L, H)
    train_end, val_end = splits.boundaries.train[1], splits.boundaries.val[1]
    fit_part = splits.values[:val_end]  # train + validation rows, already z-scored
    model = TRMForecaster(
        horizon=H,
        lookback=L,
        preset=args.preset,
        max_epochs=args.max_epochs,
        patience=args.patience,
        batch_size=args.batch_size,
        learning_rate=args.learning_rate,
        validation_size=val_end - train_end,  # exactly the protocol's validation windows
        scaling=False,
        random_state=args.seed,
        verbose=False,
    )
    model.set_params(**dict(_parse_setting(s) for s in args.set))
    start = time.perf_counter()
    model.fit(fit_part)
    train_s = time.perf_counter() - start

    test = splits.test
    inputs, targets = (t.numpy() for t in test.__getitems__(list(range(len(test)))))
    start = time.perf_counter()
    forecast = model.predict(y=inputs.T).T  # every test window of every channel in one call
    predict_s = time.perf_counter() - start
    mse = float(np.mean((forecast - targets) ** 2))
    mae = float(np.mean(np.abs(forecast - targets)))

    row = {
        "date": today(),
        "dataset": "ETTh1",
        "lookback": L,
        "horizon": H,
        "model": f"TS-TRM[{args.preset}{''.join(',' + s for s in args.set)}]",
        "mse": round(mse, 4),
        "mae": round(mae, 4),
        "params": model.n_params_,
        "epochs": len(model.history_["train_loss"]),
        "best_epoch": model.history_["best_epoch"],
        "best_val_mse": round(min(model.history_["val_loss"]), 4),
        "train_s": round(train_s, 1),
        "predict_ms_per_window": round(1e3 * predict_s / len(targets), 4),
        "test_windows": len(targets),
        "seed": args.seed,
        "machine": machine(),
        "command": "python benchmarks/etth1_first.py " + " ".join(argv or sys.argv[1:]),
    }
    ResultsFile(args.results, FIELDS, KEY).append(row)

    print(
        f"RESULT dataset=ETTh1 horizon={H} lookback={L} model={row['model']} mse={mse:.4f} "
        f"mae={mae:.4f} params={model.n_params_} train_s={train_s:.1f} "
        f"predict_ms_per_window={row['predict_ms_per_window']}"
    )
    print(f"{'model':<22} {'L':>4} {'MSE':>7} {'MAE':>7} {'params':>9} {'train_s':>8}")
    print(
        f"{row['model']:<22} {L:>4} {mse:>7.3f} {mae:>7.3f} {model.n_params_:>9,d} {train_s:>8.1f}"
    )
    for name, (p_mse, p_mae) in PUBLISHED.get(H, {}).items():
        lb = 512 if name == "PatchTST/64" else 336
        print(f"{name + ' (published)':<22} {lb:>4} {p_mse:>7.3f} {p_mae:>7.3f} {'':>9} {'':>8}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
