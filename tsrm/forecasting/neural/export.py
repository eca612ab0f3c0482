"""ONNX export of a fitted window forecaster: scaling, network and un-scaling in one graph.

The exported graph has one input (two with covariates) and one output:

- ``window``: float32 ``(batch, lookback)``, the last ``lookback`` raw (unscaled)
  values of each series, oldest first; a missing value (NaN) is filled as ``predict``
  fills it (the last observed value before it, for a leading gap the first observed one)
  and left out of the window's statistics; a window with no observed value gives NaN;
- ``covariates`` (a model fitted with ``X``): float32 ``(batch, horizon, k)``, the raw
  values of the ``k`` covariate columns at the ``horizon`` forecast steps, in the order
  the file's metadata ``covariates`` lists them; the graph scales them as ``predict`` does;
- ``forecast``: float32 ``(batch, horizon)``, the next ``horizon`` values on the
  raw scale.

Row ``i`` of ``forecast`` equals ``model.predict(y=window[i])`` (a history of exactly
``lookback`` values): the graph standardises each window by its own mean and std
(as ``predict(y=...)`` does for new data when ``scaling=True``), runs the network
(its own normalisation, e.g. RevIN, and the whole recursion included), undoes the
scaling and forecasts a constant window as its constant. The statistics and the
un-scaling are computed in float64, the network in float32, as ``predict`` does.

Only ``onnx`` and ``onnxruntime`` (the ``tsrm[onnx]`` extra, plus ``onnxscript``
for the exporter) are needed to export; only ``onnxruntime`` and ``numpy`` to run
the file.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import torch
from torch import Tensor, nn

from tsrm._version import __version__
from tsrm.exceptions import TSRMInputError
from tsrm.forecasting.neural.inference import scaled_forecast, window_stats
from tsrm.forecasting.neural.probabilistic import point_output

if TYPE_CHECKING:
    from tsrm.forecasting.neural.estimator import WindowForecaster

INPUT_NAME, OUTPUT_NAME, COVARIATES_NAME = "window", "forecast", "covariates"
MIN_OPSET = 18
_EXTRA_HINT = 'ONNX export needs the onnx extra: pip install "tsrm[onnx]"'


class ScaledForecast(nn.Module):
    """What ``predict(y=window)`` computes for one window, as one traceable module.

    The inference path itself (:func:`~tsrm.forecasting.neural.inference.scaled_forecast`),
    with each window's own statistics as the scaling of new data.

    Parameters
    ----------
    network : nn.Module
        ``(batch, lookback) -> network output`` on scaled values, without
        data-dependent shapes.
    scaling : bool
        Standardise each window by its own mean and std (the estimator's ``scaling``).
    point : callable, optional
        Network output -> ``(batch, horizon)`` point forecast (a quantile network's
        median); default: the output itself.
    covariate_scaling : (mean, std) arrays, optional
        The fitted covariates' standardisation, for a network that also reads
        ``covariates`` ``(batch, horizon, k)`` (future-known columns only).
    """

    def __init__(
        self,
        network: nn.Module,
        scaling: bool,
        point: Callable[[Tensor], Tensor] | None = None,
        covariate_scaling: tuple | None = None,
    ) -> None:
        super().__init__()
        self.network = network
        self.scaling = scaling
        self.point = point
        if covariate_scaling is not None:
            mean, std = (torch.as_tensor(a, dtype=torch.float64) for a in covariate_scaling)
            self.register_buffer("covariate_mean", mean)
            self.register_buffer("covariate_std", std)

    def forward(self, window: Tensor, covariates: Tensor | None = None) -> Tensor:
        w = window.double()
        observed = ~torch.isnan(w)
        filled = _filled(w, observed)
        # Scaled by the statistics of the observed values, as predict scales new data.
        stats = window_stats(filled, self.scaling, observed)
        extra: tuple[Tensor, ...] = ()
        if covariates is not None:  # scaled in float64, as predict scales them
            extra = (((covariates.double() - self.covariate_mean) / self.covariate_std).float(),)
        return scaled_forecast(lambda scaled: self._run(scaled, *extra), filled, *stats).float()

    def _run(self, scaled: Tensor, *covariates: Tensor) -> Tensor:
        output = self.network(scaled, *covariates)
        return output if self.point is None else self.point(output)


def _filled(window: Tensor, observed: Tensor) -> Tensor:
    """Each missing value replaced by the last observed one before it (leading gap: the first
    observed one), as ``predict`` fills missing inputs.

    The running maximum of observed positions is built by doubling shifts (about log2 of
    the look-back steps), which export to plain ONNX operators.
    """
    length = window.shape[1]
    position = torch.arange(length, device=window.device).expand_as(window)
    last = torch.where(observed, position, torch.full_like(position, -1))
    shift = 1
    while shift < length:
        before = nn.functional.pad(last[:, :-shift], (shift, 0), value=-1)
        last = torch.maximum(last, before)
        shift *= 2
    first = torch.where(observed, position, torch.full_like(position, length - 1))
    first = first.amin(dim=1, keepdim=True).expand_as(last)
    return torch.gather(window, 1, torch.where(last >= 0, last, first))


def _require_onnx(quantize: bool) -> None:
    # torch.onnx.export(dynamo=True) with dynamic_shapes: torch 2.6 or newer.
    if tuple(int(p) for p in torch.__version__.split("+")[0].split(".")[:2]) < (2, 6):
        raise ImportError(f"ONNX export needs torch >= 2.6; this is torch {torch.__version__}.")
    missing = []
    for name in ("onnx", "onnxscript") + (("onnxruntime",) if quantize else ()):
        try:
            __import__(name)
        except ImportError:
            missing.append(name)
    if missing:
        raise ImportError(f"{_EXTRA_HINT} ({' and '.join(missing)} not installed).")


@contextlib.contextmanager
def _quiet_exporter():
    """Silence the exporter's notices (e.g. "torchvision is not installed") and warnings."""
    logger = logging.getLogger("torch.onnx")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def export_onnx(
    model: WindowForecaster, path: Path, *, opset: int | None = None, quantize: bool = False
) -> Path:
    """Write the fitted ``model`` as an ONNX file (see :meth:`WindowForecaster.export_onnx`)."""
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(
        model,
        msg=f"This {type(model).__name__} instance is not fitted yet; call 'fit' before "
        "'export_onnx'.",
    )
    if opset is not None and (isinstance(opset, bool) or not isinstance(opset, int)):
        raise TSRMInputError(f"opset must be an integer or None, got {opset!r}.")
    if opset is not None and opset < MIN_OPSET:
        raise TSRMInputError(
            f"opset must be {MIN_OPSET} or newer (torch's ONNX exporter's oldest), got {opset}."
        )
    _require_onnx(quantize)
    import onnx

    cfg = model.config_
    point = functools.partial(
        point_output, levels=model.quantile_levels_, horizon=model.config_.horizon
    )
    spec = _exportable_covariates(model)
    scaling = None if spec is None else (spec.mean, spec.std)
    graph = ScaledForecast(model._export_network(), bool(model.scaling), point, scaling).eval()
    # Three example windows: torch.export specialises a dimension of size 1 to a constant.
    examples: tuple[Tensor, ...] = (torch.randn(3, cfg.lookback),)
    if spec is not None:
        examples += (torch.randn(3, cfg.horizon, len(spec.columns)),)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # The dynamo exporter (torch.export + onnxscript). The TorchScript exporter (dynamo=False,
    # deprecated by torch) fails on TS-TRM's patching with a dynamic batch (Unfold of a tensor
    # of unknown size) and writes a mis-shaped MatMul for the sketch preset. Python loops over
    # fixed counts (the recursion, every supervision step) are unrolled into the graph.
    with _quiet_exporter(), torch.no_grad():
        batch = torch.export.Dim("batch")
        program = torch.onnx.export(
            graph,
            examples,
            dynamo=True,
            input_names=[INPUT_NAME, COVARIATES_NAME][: len(examples)],
            output_names=[OUTPUT_NAME],
            dynamic_shapes=tuple({0: batch} for _ in examples),
            opset_version=opset,
            external_data=False,
            verbose=False,
        )
    proto = program.model_proto
    written = next(o.version for o in proto.opset_import if o.domain in ("", "ai.onnx"))
    if opset is not None and written != opset:
        raise TSRMInputError(f"The exporter wrote opset {written}, not the requested {opset}.")
    _strip_debug_info(proto)
    _share_equal_initializers(proto)
    _set_metadata(proto, model, quantized=quantize)
    if not quantize:
        onnx.save(proto, str(path))
        return path
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with tempfile.TemporaryDirectory() as tmp, _without_preprocess_advice():
        fp32 = Path(tmp) / "fp32.onnx"
        onnx.save(proto, str(fp32))
        # int8 weights of the matrix multiplications; activations quantised on the fly.
        # Weights on 7 bits: x86 CPUs without VNNI (AVX2 only) saturate the 8-bit x 8-bit
        # products and forecast off by a tenth of the data's range.
        quantize_dynamic(fp32, path, weight_type=QuantType.QInt8, reduce_range=True)
        # What int8 saved: for networks this small most of the file is the graph itself.
        quantized = onnx.load(str(path))
        entry = quantized.metadata_props.add()
        entry.key, entry.value = "float32_file_bytes", str(fp32.stat().st_size)
        onnx.save(quantized, str(path))
    return path


@contextlib.contextmanager
def _without_preprocess_advice():
    """Drop the quantiser's advice to pre-process the model: onnxruntime's pre-processing
    (symbolic shape inference) fails on the exporter's dynamic batch dimension."""

    def keep(record: logging.LogRecord) -> bool:
        return "pre-processing before quantization" not in record.getMessage()

    root = logging.getLogger()
    root.addFilter(keep)
    try:
        yield
    finally:
        root.removeFilter(keep)


def _strip_debug_info(proto) -> None:
    """Drop the exporter's per-node debug records (Python stack traces naming local files):
    they are most of a small model's file and say nothing the runtime needs."""
    graph = proto.graph
    for node in graph.node:
        del node.metadata_props[:]
        node.doc_string = ""
    for value in (*graph.input, *graph.output, *graph.value_info, *graph.initializer):
        del value.metadata_props[:]


def _share_equal_initializers(proto) -> None:
    """Keep one copy of each distinct constant.

    The exporter's optimiser folds ``weight.T`` at every call of a shared layer, and the
    unrolled recursion calls the reasoner's layers at every step: without this a default
    TS-TRM file holds its MLP weights dozens of times over.
    """
    from onnx import numpy_helper

    graph = proto.graph
    first: dict[tuple, str] = {}
    rename: dict[str, str] = {}
    kept = []
    for init in graph.initializer:
        array = numpy_helper.to_array(init)
        key = (init.data_type, tuple(init.dims), array.tobytes())
        if key in first:
            rename[init.name] = first[key]
        else:
            first[key] = init.name
            kept.append(init)
    if not rename:
        return
    del graph.initializer[:]
    graph.initializer.extend(kept)
    for node in graph.node:
        for i, name in enumerate(node.input):
            if name in rename:
                node.input[i] = rename[name]


def _exportable_covariates(model: WindowForecaster):
    """The model's covariate spec when the graph can take its covariates (future-known ``X``
    columns), None without covariates; a clear error for what the graph cannot compute."""
    spec = getattr(model, "covariates_", None)
    if spec is None:
        return None
    if spec.calendar or spec.has_history:
        raise TSRMInputError(
            "export_onnx takes future-known covariates (X columns) only; this model also uses "
            f"{_covariate_kinds(spec)}, which the graph cannot compute yet. Pass such values "
            "as X columns instead (e.g. the calendar's sin/cos features computed beforehand), "
            "or use predict."
        )
    return spec


def _covariate_kinds(spec) -> str:
    kinds = [
        ("calendar_features", bool(spec.calendar)),
        ("past_covariates", bool(spec.past)),
        ("static features", bool(spec.static)),
    ]
    return " and ".join(name for name, used in kinds if used)


def _set_metadata(proto, model: WindowForecaster, *, quantized: bool) -> None:
    """Record what the file holds, readable with ``onnxruntime`` alone (model metadata)."""
    cfg = model.config_
    meta = {
        "tsrm_version": __version__,
        "estimator": type(model).__name__,
        "lookback": str(cfg.lookback),
        "horizon": str(cfg.horizon),
        "scaling": "per-window mean/std" if model.scaling else "none",
        "quantized": "int8-dynamic" if quantized else "no",
    }
    spec = getattr(model, "covariates_", None)
    if spec is not None:  # the order of the covariates input's last axis
        meta["covariates"] = json.dumps([str(c) for c in spec.columns])
    del proto.metadata_props[:]
    for key, value in meta.items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value
    proto.producer_name = "tsrm"
    proto.producer_version = __version__
