"""The JSON API (DRF): parse, fetch with the access check, one domain call, answer."""
