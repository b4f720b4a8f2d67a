"""Suggestions: the built-in rules, proposals from every suggester, and accepting them."""
