"""rouei.extract: the extraction pipeline, in layers (core, doc, nlp, fields, run, reports)."""
