"""Shared fixtures: the real ja_ginza model, loaded once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from rouei.extract.doc.context import DocContext

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


@pytest.fixture(scope="session")
def nlp():
    from rouei.extract.nlp.model import load_model
    from rouei.extract.nlp.ops import use_matmul_ops

    model = load_model()
    use_matmul_ops(model)
    return model


@pytest.fixture(scope="session")
def make_ctx(nlp):
    """Build a DocContext whose parses come from the real model."""
    from rouei.extract.nlp.model import parse_for_rules

    def make(text: str, doc_id: str = "t", **kw) -> DocContext:
        return DocContext(doc_id, text, parse_fn=lambda ts: parse_for_rules(nlp, ts), **kw)

    return make


@pytest.fixture(scope="session")
def pipeline(nlp):
    """The real pipeline (model shared with the other fixtures), no parse cache."""
    from rouei.extract.run.pipeline import Pipeline, Settings

    return Pipeline(Settings(), nlp=nlp)


# Fixtures that load the real ja_ginza model; a test using any of them (directly or through
# another fixture) is marked ``model``, so ``make test-fast`` can leave them out.
MODEL_FIXTURES = {"nlp", "make_ctx", "pipeline"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if MODEL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.model)

