"""Whether a data-type word is said NOT to be involved, decided on the GiNZA parse.

From the word's token we climb the dependency tree to the predicate that governs it (a verb,
adjective, auxiliary, a noun with a copula, or the root). The word is negated when that
predicate's bunsetu carries a negator (ない, ぬ/ん, ず, なし) and the predicate says the data was
there or went out (含む, ある, 流出, 公開, 保持 ...; rules/negation.toml). Walking up stops
at a clause of its own, so in 「氏名は含まれていますが、口座情報は含まれていません」 only 口座情報
is negated. A bracketed remark is its own scope. Headings and labels (「以下の情報は含まれて
おりません:」) are short and formulaic, so a regex decides them (``text_negated``)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from rouei.extract.core import compiled, rules
from rouei.extract.doc.parsed import ParsedDoc as Doc
from rouei.extract.doc.parsed import Token, bunsetu_end

_PREDICATE_POS = frozenset({"VERB", "ADJ", "AUX"})
# dependency labels that end a noun phrase's climb: the token heads a clause of its own
_CLAUSE_CHILD_DEPS = frozenset({"cop", "mark"})


@dataclass(frozen=True)
class NegationRules:
    """rules/negation.toml compiled: the cue pattern and the word classes that judge it."""
    cue: re.Pattern[str]
    negators: frozenset[str]
    presence: frozenset[str]
    leak_nouns: frozenset[str]
    blockers: frozenset[str]
    cancel: frozenset[str]
    not_statement: frozenset[str]
    reason: frozenset[str]
    fact_nouns: frozenset[str]
    exceptions: frozenset[str]
    containment: frozenset[str]
    info_nouns: frozenset[str]
    coordination: frozenset[str]
    topic_verbs: frozenset[str]
    becoming: frozenset[str]
    text_negation: re.Pattern[str]
    text_exception: re.Pattern[str]


def compile_rule(regex: str) -> re.Pattern[str]:
    """A data-type or negation rule pattern, compiled. Most get rules.guarded's lookahead on
    their first characters, which saves the engine trying every alternative at every place of
    a sentence; one anchored with ^ is left as it is, since the engine gives up its later
    places at once and the guard would only add a test at each."""
    return rules.guarded(regex)


@cache
def _cfg(_stamp: str) -> NegationRules:
    cfg = rules.load("negation")
    return NegationRules(
        cue=compile_rule(cfg["cue"]["regex"]),
        negators=frozenset(cfg["negators"]["lemmas"]),
        presence=frozenset(cfg["presence"]["lemmas"]),
        leak_nouns=frozenset(cfg["leak_nouns"]["lemmas"]),
        blockers=frozenset(cfg["blockers"]["lemmas"]),
        cancel=frozenset(cfg["cancel"]["lemmas"]),
        not_statement=frozenset(cfg["not_statement"]["after"]),
        reason=frozenset(cfg["reason"]["lemmas"]),
        fact_nouns=frozenset(cfg["fact_nouns"]["lemmas"]),
        exceptions=frozenset(cfg["exceptions"]["lemmas"]),
        containment=frozenset(cfg["containment"]["lemmas"]),
        info_nouns=frozenset(cfg["containment"]["info_nouns"]),
        coordination=frozenset(cfg["coordination"]["lemmas"]),
        topic_verbs=frozenset(cfg["topic_verbs"]["lemmas"]),
        becoming=frozenset(cfg["out_of_scope"]["lemmas"]),
        text_negation=compile_rule(cfg["text_negation"]["regex"]),
        text_exception=compile_rule(cfg["text_exception"]["regex"]),
    )


def config() -> NegationRules:
    """The negation rules as they are now (reload when a rule file changed); callers that ask
    many questions about one document fetch it once and pass it along."""
    return _cfg(rules.rules_hash_cached())


_c = config


def cue(c: NegationRules | None = None) -> re.Pattern[str]:
    """Sentences worth parsing: they hold something that may be a negation."""
    return (c or _c()).cue


def text_negated(text: str, c: NegationRules | None = None) -> bool:
    """Regex verdict for a heading, a label or a clause: does it deny the data was involved?"""
    return _text_negated(c or _c(), text)


def _text_negated(c: NegationRules, text: str) -> bool:
    return bool(c.text_negation.search(text)) and not c.text_exception.search(text)


# ---------------------------------------------------------------------------------------
# The parse


def _is_predicate(tok: Token) -> bool:
    return _is_predicate_at(tok.doc, tok.i)


def _is_predicate_at(doc: Doc, i: int) -> bool:
    # read from the parse's lists, not through Token objects: this runs for every step up
    if doc.pos[i] in _PREDICATE_POS or doc.head[i] == i:
        return True
    dep, words, kids = doc.dep, doc.words, doc.children_of(i)
    # 「氏名のみで、」「対象外です」: a noun with a copula is a predicate of its own
    if any(dep[j] in _CLAUSE_CHILD_DEPS and j > i for j in kids):
        return True
    # 「…電話番号の3点で、金融機関の情報は含まれません」: the parser often reads this で as a
    # case particle; before a comma it ends a clause just the same
    n = len(words)
    return any(dep[j] == "case" and words[j] == "で" and j > i and j + 1 < n
               and words[j + 1] in ("、", ",") for j in kids)


def governing_predicate(tok: Token) -> tuple[Token, list[Token]]:
    """The predicate over ``tok`` and the tokens passed on the way (tok excluded)."""
    # the climb reads the parse's lists; Token objects are taken only for what is returned
    doc, i = tok.doc, tok.i
    head = doc.head
    path: list[Token] = []
    if _is_predicate_at(doc, i) and doc.pos[i] not in _PREDICATE_POS and head[i] != i:
        return tok, path
    if head[i] == i:
        return tok, path
    tokens = doc.tokens
    seen = {i}
    while head[i] not in seen:
        i = head[i]
        seen.add(i)
        if _is_predicate_at(doc, i):
            return tokens[i], path
        path.append(tokens[i])
    return tokens[i], path


_AUXILIARY_VERBS = frozenset({"おる", "いる", "居る", "ある", "有る", "ござる", "御座る"})


def _bunsetu_tail(doc: Doc, i: int) -> tuple[list[int], int | None]:
    """Indices of the tokens after token ``i`` in its bunsetu (含ま|れ|て|おり|ませ|ん), and of
    the token after it (None at the end).

    A line break inside the predicate (PDF text wraps 「含まれて\nおりません」) splits the
    bunsetu; the auxiliaries on the next line still belong to it."""
    end = bunsetu_end(doc[i])
    tail = list(range(i + 1, end))
    n, space, pos, lemma = len(doc), doc.space, doc.pos, doc.lemma
    if end < n and space[end]:
        k = end
        while k < n and space[k]:
            k += 1
        while k < n and (pos[k] in ("AUX", "SCONJ") or lemma[k] in _AUXILIARY_VERBS):
            tail.append(k)
            k += 1
        end = k
    return tail, (end if end < n else None)


def is_negated_predicate(pred: Token, c: NegationRules | None = None) -> bool:
    """Does the predicate's own bunsetu deny it (含まれておりません, 流出はない, なし)?"""
    c = c or _c()
    doc, i = pred.doc, pred.i  # read from the parse's lists: this runs at every step
    lemma = doc.lemma
    if lemma[i] in c.cancel:  # 否定できない: the negation is cancelled
        return False
    negs = c.negators
    tail, nxt = _bunsetu_tail(doc, i)
    if lemma[i] in negs or doc.norm[i] in negs:
        return _statement(c, doc, tail[0] if tail else nxt)
    pos = doc.pos
    for k, t in enumerate(tail):
        if lemma[t] in negs and pos[t] in ("AUX", "ADJ"):
            return _statement(c, doc, tail[k + 1] if k + 1 < len(tail) else nxt)
    return False


def _statement(c: NegationRules, doc: Doc, after: int | None) -> bool:
    """A negator followed by か (a question), よう (a purpose), 限り or 場合 (a condition) does
    not state that something is absent."""
    return after is None or doc.lemma[after] not in c.not_statement


def _says_absent(c: NegationRules, pred: Token, path: list[Token]) -> bool:
    """Is the negated predicate about the data being there or going out?"""
    for t in path:
        if t.lemma_ in c.leak_nouns:
            return True  # 「カード情報の流出や不正利用は確認されていない」
        if t.lemma_ in c.blockers:
            return False  # 「カード情報の不正利用は確認されていない」 denies the misuse only
    return pred.lemma_ in c.negators or pred.lemma_ in c.presence


def _topic(tok: Token) -> bool:
    """Is the word the topic (「…は」「…については」) of its sentence?"""
    doc = tok.doc
    dep, lemma = doc.dep, doc.lemma
    return any(dep[j] in ("case", "fixed") and lemma[j] == "は" for j in doc.children_of(tok.i))


def _reason_clause(c: NegationRules, pred: Token) -> bool:
    """Does the predicate end a reason clause (…ため、…ので、…から)?"""
    if pred.head.i != pred.i and pred.head.lemma_ in c.reason:
        return True
    return any(ch.dep_ == "mark" and ch.lemma_ in c.reason for ch in pred.children)


def _leak_topic_follows(c: NegationRules, pred: Token) -> Token | None:
    """Does a て-clause (…保存しており、) lead to a main predicate whose own subject is the
    leak (漏えいは確認されておりません)? Then a topic before the clause (パスワードは) is judged
    by it; a main clause about another data word (住所は含まれておりません) keeps its own."""
    head = pred.head
    if pred.dep_ != "advcl" or head.i == pred.i or not is_negated_predicate(head, c):
        return None
    return next((ch for ch in head.children
                 if ch.dep_ in ("nsubj", "obl", "obj") and ch.lemma_ in c.leak_nouns), None)


_PARENS = compiled.regex(r"[()（）]")


def _paren_spans(text: str) -> list[tuple[int, int]]:
    """The bracketed spans of ``text``, each closing bracket paired with the last open one
    (the regex jumps from bracket to bracket: a sentence can be a whole PDF page)."""
    spans, stack = [], []
    for m in _PARENS.finditer(text):
        i = m.start()
        if text[i] in "(（":
            stack.append(i)
        elif stack:
            spans.append((stack.pop(), i + 1))
    return spans


@lru_cache(maxsize=64)
def _paren_spans_of(text: str) -> tuple[tuple[int, int], ...]:
    """``_paren_spans``, remembered for the last texts asked about: one sentence or parse is
    asked about for each of its words, and a parse again for its predicate."""
    return tuple(_paren_spans(text))


def _innermost(spans: Sequence[tuple[int, int]], pos: int) -> tuple[int, int] | None:
    inside = [s for s in spans if s[0] <= pos < s[1]]
    return min(inside, key=lambda s: s[1] - s[0]) if inside else None


def paren_negated(text: str, char_start: int, char_end: int, c: NegationRules | None = None) -> bool | None:
    """Inside a bracketed remark: True/False when the remark itself holds a predicate after the
    word (「(住所や電話番号はありません。)」), None when the word is not in one or it has none."""
    inner = _innermost(_paren_spans_of(text), char_start)
    if inner is None:
        return None
    rest = text[char_end:inner[1]]
    c = c or _c()
    if c.cue.search(rest):
        return _text_negated(c, rest)
    return None


def negated(doc: Doc, char_start: int, char_end: int, c: NegationRules | None = None) -> bool:
    """Is the word at doc.text[char_start:char_end] under a predicate that denies it?"""
    return judge(doc, char_start, char_end, c) is True


def judge(doc: Doc, char_start: int, char_end: int, c: NegationRules | None = None) -> bool | None:
    """True when the text denies the word's data was involved, False when it names it as
    involved, None when it cannot tell: 「住所以外の情報が流出した」 (an exception that is not
    denied). 「氏名、住所以外は含まれていない」 names them as the involved ones."""
    c = c or _c()
    in_paren = paren_negated(doc.text, char_start, char_end, c)
    if in_paren is not None:
        return in_paren
    span = doc.char_span(char_start, char_end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return False
    tok = span.root
    pred, path = governing_predicate(tok)
    verdict = _negated_token(c, tok, doc, (pred, list(path)))
    if any(t.lemma_ in c.exceptions for t in path):
        return False if verdict else None
    return verdict


def _coordinated(c: NegationRules, tok: Token) -> bool:
    """Does the word end with a coordinating particle (「要配慮個人情報や…」)?"""
    doc, i = tok.doc, tok.i
    dep, lemma = doc.dep, doc.lemma
    return any(dep[j] in ("case", "cc") and lemma[j] in c.coordination and j > i
               for j in doc.children_of(i))


def _out_of_scope(c: NegationRules, pred: Token) -> bool:
    """「(流出の)対象外となっております」: the predicate's complement puts the data outside."""
    return pred.lemma_ in c.becoming and any(
        ch.lemma_ in c.negators and ch.dep_ in ("obl", "advcl", "nmod") and ch.i < pred.i
        for ch in pred.children)


def _negated_token(c: NegationRules, tok: Token, doc: Doc,
                   governing: tuple[Token, list[Token]] | None = None) -> bool:
    # ``governing``: governing_predicate(tok), when the caller has it already
    pred, path = governing_predicate(tok) if governing is None else governing
    verdicts: dict[int, bool] = {}  # is_negated_predicate by token: asked several times

    def negated(p: Token) -> bool:
        got = verdicts.get(p.i)
        if got is None:
            got = verdicts[p.i] = is_negated_predicate(p, c)
        return got

    for _ in range(2):
        # 「カード情報につきましては、…」「…に関しては、…」: a topic phrase, not a clause
        if pred.lemma_ not in c.topic_verbs or pred.head.i == pred.i:
            break
        path = [*path, pred]
        nxt = pred.head
        pred = nxt if _is_predicate(nxt) else governing_predicate(nxt)[0]
    if _coordinated(c, tok):
        # 「要配慮個人情報や財産的被害が発生するおそれがある個人データは含まれておりません」:
        # the parser often hangs the first conjunct inside the relative clause of the second;
        # it is a conjunct of the clause's head noun, whose predicate decides
        for _ in range(6):
            if pred.head.i == pred.i or negated(pred):
                break
            if pred.pos_ not in _PREDICATE_POS:  # a noun read as a clause (財産的)
                nxt = pred.head
                pred, path = (nxt, []) if _is_predicate(nxt) else governing_predicate(nxt)
                continue
            # only through a clause over data (個人データ) or a likelihood (おそれ), never a
            # contrast (「…含まれている一方で、…含まれておりません」)
            if pred.dep_ != "acl" or pred.head.lemma_ not in c.info_nouns | c.fact_nouns:
                break
            head = pred.head
            pred, more = governing_predicate(head)
            path = [head, *more]
    for _ in range(3):
        # 「マイナンバーを含む特定個人情報の漏えいは発生していません」: the word is part of
        # the thing the relative clause describes, and that thing's predicate decides
        if (negated(pred) or pred.dep_ != "acl" or pred.head.i == pred.i
                or (pred.lemma_ not in c.containment and pred.head.lemma_ not in c.info_nouns)):
            break
        path = [*path, pred, pred.head]
        pred, more = governing_predicate(pred.head)
        path += more
    # a negated predicate that says nothing of the data (経由しない) may still be a reason
    # clause whose main predicate denies the leak
    denies = negated(pred) and _says_absent(c, pred, path)
    if not denies and pred.head.i != pred.i:
        if negated(pred):
            if _topic(tok) and _reason_clause(c, pred):
                # 「カード情報については、当社のサーバーを経由しないため、漏えいの可能性は
                # ありません」
                path = [*path, pred]
                pred, more = governing_predicate(pred.head if pred.head.lemma_ in c.reason else pred)
                path += more
        elif pred.dep_ == "acl" and pred.head.lemma_ in c.fact_nouns:
            # 「口座番号が漏れた事実はございません」: the clause names a fact that is denied
            path = [*path, pred, pred.head]
            pred, more = governing_predicate(pred.head)
            path += more
        elif _topic(tok) and (leak := _leak_topic_follows(c, pred)) is not None:
            path = [*path, pred, leak]
            pred = pred.head
        elif _topic(tok) and _reason_clause(c, pred):
            # 「パスワードは暗号化して保存しているため、流出のおそれはございません」: the
            # topic reaches past a reason clause to the main predicate
            path = [*path, pred]
            pred, more = governing_predicate(pred.head if pred.head.lemma_ in c.reason else pred)
            path += more
    out = _out_of_scope(c, pred)
    if not out and not negated(pred):
        return False
    # a negation inside a bracketed remark does not reach words outside it
    if _innermost(_paren_spans_of(doc.text), pred.idx) is not None:
        return False
    return out or _says_absent(c, pred, path)
