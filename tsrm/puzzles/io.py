"""Save and load a trained puzzle TRM as safetensors + JSON (nothing is unpickled)."""

from __future__ import annotations

from pathlib import Path

from tsrm._files import read_model_folder, write_model_folder
from tsrm._version import __version__
from tsrm.exceptions import ModelFileError
from tsrm.puzzles.config import PuzzleConfig
from tsrm.puzzles.module import PuzzleTRM

FORMAT, FORMAT_VERSION = "tsrm.PuzzleTRM", 1
CONFIG_KEYS = frozenset({"format", "format_version", "tsrm_version", "config", "extra"})


def save_model(model: PuzzleTRM, path: str | Path, extra: dict | None = None) -> Path:
    """Write ``model`` to directory ``path`` (created if needed); ``extra`` goes into the JSON."""
    config = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "tsrm_version": __version__,
        "config": model.config.to_dict(),
        "extra": extra or {},
    }
    return write_model_folder(Path(path), config, model.state_dict())


def load_model(path: str | Path) -> PuzzleTRM:
    """Rebuild a saved puzzle TRM (in eval mode, on the CPU)."""
    meta, tensors = _read(Path(path))
    try:
        model = PuzzleTRM(PuzzleConfig.from_dict(meta["config"]))
        model.load_state_dict(tensors, strict=True)
    except (KeyError, TypeError, ValueError, RuntimeError) as err:
        raise ModelFileError(
            f"{path}: the config and the tensors do not match ({str(err).splitlines()[0]})."
        ) from None
    return model.eval()


def _read(path: Path) -> tuple[dict, dict]:
    return read_model_folder(path, FORMAT, FORMAT_VERSION, CONFIG_KEYS, "save_model")
