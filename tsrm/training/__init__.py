"""Lightning plumbing shared by every trainable model: quiet trainers and callbacks."""

from tsrm.training.callbacks import BestWeights, EpochHistory
from tsrm.training.checkpoint import EpochCheckpoint, prepare_run, run_fingerprint
from tsrm.training.trainer import make_trainer, quiet_lightning

__all__ = [
    "BestWeights",
    "EpochCheckpoint",
    "EpochHistory",
    "make_trainer",
    "prepare_run",
    "quiet_lightning",
    "run_fingerprint",
]
