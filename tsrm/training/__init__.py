"""Lightning plumbing shared by every trainable model: quiet trainers and callbacks."""

from tsrm.training.callbacks import BestWeights, EpochHistory
from tsrm.training.trainer import make_trainer, quiet_lightning

__all__ = ["BestWeights", "EpochHistory", "make_trainer", "quiet_lightning"]
