"""PatchTST and a plain Transformer encoder over look-back patches."""
