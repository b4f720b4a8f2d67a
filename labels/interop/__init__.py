"""Files in and out: one import path, one export path, one module per foreign format."""
