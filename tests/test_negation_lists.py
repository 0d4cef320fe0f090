"""negation reads its predicate tests from the parse's lists instead of through Token objects;
the verdicts are the same as the Token-based forms (kept here) for every token of the seed and
holdout notices' sentences that hold a negation cue."""

from __future__ import annotations

from rouei.extract.doc.parsed import ParsedDoc, bunsetu_end
from rouei.extract.doc.text import Normalized, sentences
from rouei.extract.fields import negation

from .conftest import CORPUS, ROOT


def _is_predicate(tok):
    if tok.pos_ in negation._PREDICATE_POS or tok.head.i == tok.i:
        return True
    if any(ch.dep_ in negation._CLAUSE_CHILD_DEPS and ch.i > tok.i for ch in tok.children):
        return True
    doc = tok.doc
    return any(ch.dep_ == "case" and ch.text == "で" and ch.i > tok.i and ch.i + 1 < len(doc)
               and doc[ch.i + 1].text in ("、", ",") for ch in tok.children)


def _bunsetu_tail(pred):
    doc = pred.doc
    end = bunsetu_end(pred)
    tail = list(doc[pred.i + 1:end])
    if end < len(doc) and doc[end].is_space:
        k = end
        while k < len(doc) and doc[k].is_space:
            k += 1
        while k < len(doc) and (doc[k].pos_ in ("AUX", "SCONJ") or doc[k].lemma_ in negation._AUXILIARY_VERBS):
            tail.append(doc[k])
            k += 1
        end = k
    return tail, (doc[end] if end < len(doc) else None)


def _is_negated_predicate(pred, c):
    def statement(after):
        return after is None or after.lemma_ not in c.not_statement

    if pred.lemma_ in c.cancel:
        return False
    negs = c.negators
    tail, nxt = _bunsetu_tail(pred)
    if pred.lemma_ in negs or pred.norm_ in negs:
        return statement(tail[0] if tail else nxt)
    for k, t in enumerate(tail):
        if t.lemma_ in negs and t.pos_ in ("AUX", "ADJ"):
            return statement(tail[k + 1] if k + 1 < len(tail) else nxt)
    return False


def test_negation_list_reads_match_token_reads(nlp):
    c = negation.config()
    paths = sorted((CORPUS / "seeds").glob("*.txt")) + sorted((ROOT / "tests/fixtures/holdout").glob("*.txt"))[:30]
    texts = []
    for p in paths:
        norm = Normalized.of(p.read_text(encoding="utf-8")).text
        texts += [norm[s:e] for s, e in sentences(norm) if c.cue.search(norm, s, e) and e - s < 600]
    texts += ["含まれて\nおりません", "住所や電話番号はありません。", "流出していないか確認", "否定できない"]
    negated = 0
    for spacy_doc in nlp.pipe(texts):
        doc = ParsedDoc.from_spacy(spacy_doc)
        for tok in doc:
            assert negation._is_predicate(tok) == _is_predicate(tok), (doc.text, tok)
            got = negation.is_negated_predicate(tok, c)
            assert got == _is_negated_predicate(tok, c), (doc.text, tok)
            negated += got
    assert len(texts) > 100 and negated > 50
