"""One module per field of the record."""
