"""Inputs, the pipeline, records, output files, runners and the extract command."""
