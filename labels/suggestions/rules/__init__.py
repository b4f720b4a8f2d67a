"""The built-in pre-annotator: quotes, cues, sources and their attributions, by rules."""
