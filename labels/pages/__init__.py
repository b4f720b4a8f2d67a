"""The HTML pages: fetch with the access check, one domain call, render."""
