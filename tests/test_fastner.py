"""rouei.extract.nlp.fastner decodes ja_ginza's NER exactly as spaCy's own greedy decoder does."""

from __future__ import annotations

import pytest
from spacy.attrs import ENT_IOB, ENT_KB_ID, ENT_TYPE

from rouei.extract.nlp import fastner
from rouei.extract.nlp.model import parse_texts, pipe

from .conftest import CORPUS
from .parse_compare import assert_same_parse, assert_same_parses


def _before_ner(nlp, texts):
    """Docs run through every component before the NER, as nlp.pipe would leave them."""
    docs = [nlp.make_doc(t) for t in texts]
    for name, proc in nlp.pipeline:
        if name == "ner":
            return docs
        docs = list(proc.pipe(docs))
    raise AssertionError("no ner in the pipeline")


def _ent_arrays(docs):
    return [d.to_array([ENT_IOB, ENT_TYPE, ENT_KB_ID]).tolist() for d in docs]


def _corpus_lines(limit=400):
    lines = []
    for path in sorted((CORPUS / "seeds").glob("*.txt")):
        lines += [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    return [ln[:400] for ln in lines][:limit]


@pytest.mark.slow
def test_fastner_matches_spacy_on_corpus_lines(nlp):
    texts = _corpus_lines()
    ner = nlp.get_pipe("ner")
    ref = _before_ner(nlp, texts)
    ner.set_annotations(ref, ner.predict(ref))
    fast = _before_ner(nlp, texts)
    fastner.annotate(ner, fast)
    assert sum(len(d.ents) for d in ref) > 50  # the lines do name things
    assert _ent_arrays(fast) == _ent_arrays(ref)


def test_fastner_entities_cross_no_sentence_start_and_end_at_the_last_token(nlp):
    # two sentences: an entity never runs over the start of the second
    texts = ["株式会社テスト電機は東京都港区に本社を置く。大阪市では被害はない。",
             "東京", "個人情報の取扱いについて"]
    ref = _before_ner(nlp, texts)
    nlp.get_pipe("ner").set_annotations(ref, nlp.get_pipe("ner").predict(ref))
    fast = _before_ner(nlp, texts)
    fastner.annotate(nlp.get_pipe("ner"), fast)
    assert _ent_arrays(fast) == _ent_arrays(ref)
    assert fast[0].ents and fast[1].ents  # the model does find names here
    for doc in fast:
        for ent in doc.ents:
            assert not any(tok.is_sent_start for tok in ent[1:])


def test_fastner_empty_docs_and_white_space_only(nlp):
    docs = _before_ner(nlp, ["", "　", "本文"])
    fastner.annotate(nlp.get_pipe("ner"), docs)
    assert docs[0].ents == () and len(docs[0]) == 0
    # every token is given an IOB tag, as spaCy's set_annotations does
    assert all(tok.ent_iob_ in ("B", "I", "O") for d in docs for tok in d)


def test_fastner_leaves_docs_with_preset_entities_to_spacy(nlp):
    from spacy.tokens import Span

    text = "みどり運輸株式会社は個人情報が流出したと発表した。"
    docs = _before_ner(nlp, [text, text])
    docs[0].set_ents([Span(docs[0], 0, 1, label="Company")], default="unmodified")
    ner = nlp.get_pipe("ner")
    ref = _before_ner(nlp, [text])
    ref[0].set_ents([Span(ref[0], 0, 1, label="Company")], default="unmodified")
    ner.set_annotations(ref, ner.predict(ref))
    fastner.annotate(ner, docs)
    assert _ent_arrays(docs[:1]) == _ent_arrays(ref)
    assert docs[0].ents[0].label_ == "Company"  # the preset entity is kept


def test_fastner_pipe_same_docs_as_nlp_pipe(nlp):
    texts = _corpus_lines(60)
    slow = list(nlp.pipe(texts))
    fast = pipe(nlp, texts, batch_size=16)
    assert_same_parses(fast, slow)
    # and through the piecewise parse of a long text
    long = "。".join(texts)[:3000]
    a, b = parse_texts(nlp, [long]), parse_texts(nlp, [long], fast_ner=False)
    assert_same_parse(a[0], b[0])
