"""The GiNZA model, its fast NER decoder, matmul ops and the parse cache."""
