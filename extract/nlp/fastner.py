"""GiNZA's named entities, decoded with numpy instead of spaCy's C loop. Same model, same output.

ja_ginza's NER has 758 actions (BILUO over 189 extended named-entity types). spaCy's greedy
decoder asks every action, for every token, whether it is valid, and with spaCy 3.8 as built
(Cython 3) each of those checks takes and releases the GIL: 21 million GIL round trips for
30,000 characters, which made NER two thirds of a GiNZA parse here. This module runs the same
network on the same features — the precomputed lower layer (``state2vec``), the maxout hidden
layer and the output layer (``vec2scores``) of spaCy's own ``ParserStepModel`` — and decides
validity for all actions of all states at once with array masks.

The masks implement spaCy's BILUO rules (spacy/pipeline/_parser_internals/ner.pyx) for documents
with no preset entities, which is how GiNZA's pipeline reaches its NER (nothing before it sets
entities). A document that carries entities already is left to spaCy's own decoder.
tests/test_fastner.py checks that entities match spaCy's token for token.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy
from spacy.attrs import ENT_IOB, IS_SPACE, SENT_START
from spacy.tokens import Doc, Span

# action kinds
_B, _I, _L, _U, _O = range(5)
_KINDS = {"B": _B, "I": _I, "L": _L, "U": _U, "O": _O}


@dataclass
class _Actions:
    kind: numpy.ndarray  # (n_moves,) action kind
    is_in: numpy.ndarray
    is_last: numpy.ndarray
    label: numpy.ndarray  # (n_moves,) label hash, 0 for O and the unlabelled U
    closed: numpy.ndarray  # (8, n_moves) valid with no open entity, by _closed_row()


def _actions(names: tuple[str, ...], strings) -> _Actions:
    kind, label = [], []
    for name in names:
        k, _, lab = name.partition("-")
        kind.append(_KINDS[k])
        label.append(strings.add(lab) if lab else 0)
    kind_a = numpy.array(kind, dtype="i")
    label_a = numpy.array(label, dtype="uint64")
    closed = numpy.zeros((8, len(kind)), dtype=bool)
    labelled = label_a != 0
    for two in (False, True):
        for next_starts in (False, True):
            for space in (False, True):
                begin = (kind_a == _B) & labelled & two & (not next_starts) & (not space)
                unit = (kind_a == _U) & labelled & (not space)
                closed[_closed_row(two, next_starts, space)] = begin | unit | (kind_a == _O)
    return _Actions(kind_a, kind_a == _I, kind_a == _L, label_a, closed)


def _closed_row(two, next_starts, space):
    """Row of the closed-state table: at least two tokens left in the buffer, the next token
    starts a sentence, the current token is white space (scalars or arrays)."""
    return two * 4 + next_starts * 2 + space


_CACHE: dict[tuple[str, ...], _Actions] = {}


def _actions_for(ner) -> _Actions:
    # keyed by the action names themselves (a model's id could be reused after it is freed)
    moves = ner.moves
    names = tuple(moves.get_class_name(i) for i in range(moves.n_moves))
    if names not in _CACHE:
        _CACHE[names] = _actions(names, ner.vocab.strings)
    return _CACHE[names]


def decode(ner, docs: list[Doc]) -> list[list[tuple[int, int, int]]]:
    """Entities (start token, end token, label hash) of each doc, as spaCy's greedy NER finds them."""
    acts = _actions_for(ner)
    out: list[list[tuple[int, int, int]]] = [[] for _ in docs]
    live = [i for i, d in enumerate(docs) if len(d)]
    if not live:
        return out
    ner._ensure_labels_are_added(docs)
    step = ner.model.predict([docs[i] for i in live])
    try:
        lengths = numpy.array([len(docs[i]) for i in live], dtype="i")
        base = numpy.concatenate([[0], numpy.cumsum(lengths)[:-1]]).astype("i")
        attrs = [docs[i].to_array([IS_SPACE, SENT_START]) for i in live]
        space = numpy.concatenate([a[:, 0] for a in attrs]).astype(bool)
        starts = numpy.concatenate([a[:, 1] for a in attrs]) == 1
        mask = step._class_mask == 0
        n = len(live)
        b0 = numpy.zeros(n, dtype="i")
        opened = numpy.zeros(n, dtype=bool)
        ent_start = numpy.zeros(n, dtype="i")
        ent_label = numpy.zeros(n, dtype="uint64")
        rows = numpy.arange(n)
        while len(rows):
            pos = base[rows] + b0[rows]
            op = opened[rows]
            ids = numpy.empty((len(rows), 3), dtype="i")
            ids[:, 0] = pos
            ids[:, 1] = numpy.where(op, base[rows] + ent_start[rows], -1)
            ids[:, 2] = numpy.where(op, pos - 1, -1)
            hidden, _ = step.state2vec(ids, False)
            scores, _ = step.vec2scores(hidden, False)
            if mask.any():
                scores[:, mask] = numpy.nanmin(scores)
            two = (lengths[rows] - b0[rows]) >= 2
            nxt = numpy.where(two, pos + 1, 0)
            next_starts = two & starts[nxt]
            # an open entity may go on (I, not across a sentence start) or end (L), same label
            inside = (acts.label[None, :] == ent_label[rows][:, None]) & (
                acts.is_last[None, :] | (acts.is_in[None, :] & (two & ~next_starts)[:, None]))
            closed = acts.closed[_closed_row(two.astype("i"), next_starts.astype("i"),
                                             space[pos].astype("i"))]
            valid = numpy.where(op[:, None], inside, closed)
            scores[~valid] = -numpy.inf
            best = scores.argmax(axis=1)
            kinds = acts.kind[best]
            for r in numpy.flatnonzero(kinds != _O):
                s, k, lab = rows[r], kinds[r], acts.label[best[r]]
                if k == _B:
                    opened[s], ent_start[s], ent_label[s] = True, b0[s], lab
                elif k == _L:
                    out[live[s]].append((int(ent_start[s]), int(b0[s]) + 1, int(ent_label[s])))
                    opened[s] = False
                elif k == _U:
                    out[live[s]].append((int(b0[s]), int(b0[s]) + 1, int(lab)))
            b0[rows] += 1
            rows = rows[b0[rows] < lengths[rows]]
    finally:
        step.clear_memory()
    return out


def annotate(ner, docs: list[Doc]) -> list[Doc]:
    """Set ``doc.ents`` on each doc as the NER component would (spaCy's decoder for a doc
    that already has entities)."""
    has_ents = [bool(d.to_array([ENT_IOB]).any()) for d in docs]
    fresh = [d for d, has in zip(docs, has_ents) if not has]
    preset = [d for d, has in zip(docs, has_ents) if has]
    if preset:
        ner.set_annotations(preset, ner.predict(preset))
    for doc, ents in zip(fresh, decode(ner, fresh)):
        doc.set_ents([Span(doc, s, e, label=lab) for s, e, lab in ents], default="outside")
    return docs
