"""One JSON shape for every API error: ``{"errors": [{"field", "code", "message"}]}``."""
