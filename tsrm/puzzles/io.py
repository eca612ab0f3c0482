"""Save and load a trained puzzle TRM as safetensors + JSON (nothing is unpickled)."""

from __future__ import annotations

import json
from pathlib import Path

from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

import tsrm
from tsrm.exceptions import ModelFileError
from tsrm.fileio import atomic_write
from tsrm.puzzles.config import PuzzleConfig
from tsrm.puzzles.network import PuzzleTRM

FORMAT, FORMAT_VERSION = "tsrm.PuzzleTRM", 1
CONFIG_FILE, WEIGHTS_FILE = "config.json", "model.safetensors"


def save_model(model: PuzzleTRM, path: str | Path, extra: dict | None = None) -> Path:
    """Write ``model`` to directory ``path`` (created if needed); ``extra`` goes into the JSON."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    tensors = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    config = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "tsrm_version": tsrm.__version__,
        "config": model.config.to_dict(),
        "extra": extra or {},
    }
    atomic_write(path / WEIGHTS_FILE, lambda tmp: save_file(tensors, tmp))
    atomic_write(path / CONFIG_FILE, lambda tmp: Path(tmp).write_text(json.dumps(config)))
    return path


def read_config(path: str | Path) -> dict:
    """The JSON of a saved puzzle model, checked for format and version."""
    file = Path(path) / CONFIG_FILE
    if not file.is_file():
        raise ModelFileError(
            f"No {CONFIG_FILE} in {str(path)!r}; pass the directory save_model wrote."
        )
    try:
        meta = json.loads(file.read_text())
    except (ValueError, UnicodeDecodeError) as err:
        raise ModelFileError(f"{file} is not valid JSON ({err}); the file is corrupted.") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ModelFileError(f"{file} is not a tsrm puzzle model (format {FORMAT!r} expected).")
    if meta.get("format_version") != FORMAT_VERSION:
        raise ModelFileError(
            f"{file} has format version {meta.get('format_version')!r}; this tsrm reads "
            f"{FORMAT_VERSION}. Install the tsrm that wrote it ({meta.get('tsrm_version')})."
        )
    return meta


def load_model(path: str | Path) -> PuzzleTRM:
    """Rebuild a saved puzzle TRM (in eval mode, on the CPU)."""
    meta = read_config(path)
    weights = Path(path) / WEIGHTS_FILE
    try:
        tensors = load_file(str(weights))
    except (SafetensorError, OSError, ValueError) as err:
        raise ModelFileError(
            f"{weights} cannot be read ({err}); missing, corrupted or truncated."
        ) from None
    try:
        model = PuzzleTRM(PuzzleConfig.from_dict(meta["config"]))
        model.load_state_dict(tensors, strict=True)
    except (KeyError, TypeError, ValueError, RuntimeError) as err:
        raise ModelFileError(
            f"{path}: the config and the tensors do not match ({str(err).splitlines()[0]})."
        ) from None
    return model.eval()
