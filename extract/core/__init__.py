"""Errors, rule loading and atomic writes: what every other layer stands on."""
