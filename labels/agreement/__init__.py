"""Inter-annotator agreement: the measures, streaming a project's layers, stored snapshots."""
