"""HTML pages to notice text: drop the site's chrome, keep block structure, find title and date,
and split pages that carry several posts (blog archives, news listings with full text).

Japanese prose has no spaces between words, so a line break in the HTML source between two
Japanese characters is dropped rather than turned into a space (as CSS segment-break rules do
for CJK), or the extractors would see ``個人情報が 漏えい``.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass

from bs4 import (
    BeautifulSoup,
    Comment,
    Declaration,
    Doctype,
    NavigableString,
    ProcessingInstruction,
    Tag,
)

from .dates import date_near, first_date, iso_date

# Never text: code, media, and the site's chrome.
_DROP = {"script", "style", "noscript", "template", "iframe", "svg", "canvas", "object", "embed",
         "select", "button", "input", "textarea", "map", "head"}
_CHROME = {"nav", "aside", "header", "footer", "menu"}
_CHROME_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search"}
_CHROME_NAME = re.compile(
    r"(?:(?:site|global|local|page|g|l|common|main|sub|sp|pc)[-_]?)?"
    r"(?:header|footer|nav|navi|navigation|gnav|gnavi|lnav|lnavi|menu|side|sidebar|sidemenu|"
    r"side[-_]?(?:menu|nav|navi|column|area|contents?)|breadcrumbs?|pankuzu|topicpath|"
    r"topic[-_]path|pagetop|page[-_]top|to[-_]?top|sns|share|social|skip|skiplink|utility|"
    r"banner|banners|related|ranking|recommend)(?:[-_]?(?:area|wrap|wrapper|inner|box|block|list|links?))?"
)
_HEADERISH = re.compile(r"header|footer")
# Blocks start a new line; paragraph-level blocks leave an empty line after them.
_PARAGRAPHS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "dl", "blockquote",
               "pre", "section", "article", "figure", "address", "hr", "main", "details"}
_BLOCKS = _PARAGRAPHS | {"div", "li", "tr", "dt", "dd", "caption", "summary", "figcaption",
                         "legend", "fieldset", "form", "center", "body", "option"}
_CELLS = {"td", "th"}
_HEADINGS = ["h1", "h2", "h3", "h4"]

_LINE, _PARA = "\x1e", "\x1d"  # hard line break and paragraph break while assembling text
_CJK = "\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff01-\uff9f"
_SOFT_CJK_BREAK = re.compile(rf"(?<=[{_CJK}])[ \t\r\f\v]*\n\s*(?=[{_CJK}])")
_SPACES = re.compile(r"[ \t\r\n\f\v]+")
_BREAKS = re.compile(f"[{_LINE}{_PARA}][ {_LINE}{_PARA}]*")

# Meta tags that carry a publication date, in order of trust.
_DATE_META = ("article:published_time", "og:published_time", "datepublished", "date", "dc.date",
              "dc.date.issued", "dcterms.issued", "dcterms.date", "dcterms.created", "pubdate",
              "publishdate", "publish_date", "publication_date", "citation_publication_date",
              "parsely-pub-date", "sailthru.date")

# Post containers in archive pages: these words in a class name, each with a heading and a date.
_POST_CLASS = re.compile(r"(?:^|[-_])(post|entry|article|news|blog|item|hentry|story|topics?)(?:$|[-_\d])", re.I)
# "Read more" links mark an excerpt in a listing, not the full post.
_READ_MORE = re.compile(r"続きを読む|続きを見る|もっと見る|もっと読む|全文を(?:読む|見る)|詳細はこちら|read\s*more|continue\s*reading",
                        re.I)
MIN_POST_CHARS = 80  # body text a post needs beyond its heading to count as a notice of its own


_REFRESH = re.compile(r"""<meta\b[^>]*http-equiv\s*=\s*["']?refresh\b[^>]*>""", re.I)
_REFRESH_URL = re.compile(r"""content\s*=\s*["']?\s*[\d.]*\s*[;,]?\s*url\s*=\s*['"]?([^"'>\s]+)""", re.I)


def meta_refresh(html: str) -> str | None:
    """The target of a ``<meta http-equiv="refresh" content="0; URL=...">`` stub page, which
    older municipal sites still use in place of a redirect."""
    tag = _REFRESH.search(html[:8192])
    if tag is None:
        return None
    m = _REFRESH_URL.search(tag.group(0))
    return m.group(1) if m else None


@dataclass
class Page:
    """One notice cut from an HTML page: the whole page, or one post of several."""

    text: str
    title: str | None = None
    published: str | None = None
    part: int | None = None  # 1-based number of the post when the page was split
    anchor: str | None = None  # the post's permalink or fragment id, when it has one


def _clean(s: str | None) -> str | None:
    if not s:
        return None
    s = _SPACES.sub(" ", s).strip()
    return s[:300] or None


def element_text(root: Tag) -> str:
    """Visible text of ``root``: one block per line, an empty line after paragraph blocks."""
    out: list[str] = []
    stack: list[object] = [root]
    while stack:  # iterative walk: deeply nested pages must not hit the recursion limit
        node = stack.pop()
        if isinstance(node, str) and not isinstance(node, NavigableString):
            out.append(node)  # a marker pushed below
            continue
        if isinstance(node, (Comment, Declaration, Doctype, ProcessingInstruction)):
            continue
        if isinstance(node, NavigableString):
            out.append(str(node))
            continue
        assert isinstance(node, Tag)
        name = node.name
        if name in _DROP:
            continue
        if name == "br":
            out.append(_LINE)
            continue
        if name == "pre":
            out.append(_PARA + node.get_text().replace("\n", _LINE) + _PARA)
            continue
        if name in _PARAGRAPHS:
            before, after = _LINE, _PARA
        elif name in _BLOCKS:
            before, after = _LINE, _LINE
        elif name in _CELLS:
            before, after = " ", " "
        else:
            before = after = ""
        out.append(before)
        stack.append(after)
        stack.extend(reversed(list(node.children)))
    return _assemble("".join(out))


def _assemble(raw: str) -> str:
    raw = _SOFT_CJK_BREAK.sub("", raw)
    raw = _SPACES.sub(" ", raw)
    # A run of break markers is one line break, or one empty line if a paragraph ends in it.
    raw = _BREAKS.sub(lambda m: _LINE + _LINE if _PARA in m.group(0) else _LINE, raw)
    lines: list[str] = []
    for ln in raw.split(_LINE):
        ln = ln.strip(" \u3000")
        if ln or (lines and lines[-1]):
            lines.append(ln)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n" if lines else ""


def _chrome_by_name(tag: Tag) -> bool:
    """Whether an id or class names the site's chrome: Japanese sites mark breadcrumbs as
    ``pankuzu`` or ``topicpath``, global/local menus as ``gnavi``/``lnavi``, and many use
    plain <div>s for what HTML5 would call <header>, <nav> and <aside>."""
    names = [tag.get("id") or "", *(tag.get("class") or ())]
    return any(_CHROME_NAME.fullmatch(n.lower()) for n in names if n)


def _strip_chrome(soup: BeautifulSoup) -> None:
    """Remove navigation, banners and sidebars; a header or footer inside an article or
    <main> belongs to the content (a post's title and date) and stays. Nothing that holds
    most of the page's text is removed, whatever its name."""
    for tag in soup.find_all(list(_DROP)):
        tag.decompose()
    body = soup.body or soup
    total = len(body.get_text())
    for tag in soup.find_all(True):
        # bs4's ``decomposed`` property searches the subtree on live tags (its __getattr__
        # turns a missing attribute into find()); the flag itself is read directly instead
        if tag.__dict__.get("_decomposed"):
            continue
        role = (tag.get("role") or "").lower()
        hidden = tag.has_attr("hidden") or (tag.get("aria-hidden") or "").lower() == "true"
        named = _chrome_by_name(tag)
        if tag.name in _CHROME or role in _CHROME_ROLES or hidden or named:
            in_content = tag.find_parent(["article", "main"]) is not None
            if in_content and (tag.name in ("header", "footer") or (named and _HEADERISH.search(
                    " ".join([tag.get("id") or "", *(tag.get("class") or ())]).lower()))):
                continue
            if named and total and len(tag.get_text()) > total / 2:
                continue
            tag.decompose()


def _metas(soup: BeautifulSoup) -> dict[str, str]:
    """Meta tags by lower-cased property/name/itemprop; the first of each name wins."""
    found: dict[str, str] = {}
    for tag in soup.find_all("meta"):
        key = (tag.get("property") or tag.get("name") or tag.get("itemprop") or "").lower()
        if key and tag.get("content") and key not in found:
            found[key] = tag["content"]
    return found


# Separators between a page's own title and the site's name in <title>: 「お詫び｜〇〇市」.
_TITLE_SEP = "|｜-‐–—:：/／<>＜＞«»"


def _without_site(title: str, part: str | None) -> str | None:
    """What is left of ``title`` when ``part`` (the site's name) is one side of it,
    joined by a separator; None when it is not."""
    if not part or part == title:
        return None
    if title.startswith(part):
        rest = title[len(part):].strip()
        sep = rest[:1]
    elif title.endswith(part):
        rest = title[: -len(part)].strip()
        sep = rest[-1:]
    else:
        return None
    if not sep or sep not in _TITLE_SEP:
        return None
    return rest.strip(_TITLE_SEP + " \u3000") or None


def _title(soup: BeautifulSoup, metas: dict[str, str]) -> str | None:
    """<title> (without the site's name when og:site_name shows which side it is), else
    og:title, else the first <h1>. og:title is no guide to the sides: many sites set it to
    the site's name on every page."""
    full = _clean(soup.title.get_text()) if soup.title else None
    if full:
        return _without_site(full, _clean(metas.get("og:site_name"))) or full
    og = _clean(metas.get("og:title") or metas.get("twitter:title"))
    if og:
        return og
    h1 = soup.find("h1")
    return _clean(h1.get_text(" ")) if h1 else None


def _jsonld_published(soup: BeautifulSoup) -> str | None:
    for tag in soup.find_all("script", type="application/ld+json"):
        try:
            data = json.loads(tag.string or "")
        except (json.JSONDecodeError, TypeError):
            continue
        for obj in data if isinstance(data, list) else [data]:
            if isinstance(obj, dict) and iso_date(str(obj.get("datePublished") or "")):
                return iso_date(str(obj["datePublished"]))
    return None


def _time_published(root: Tag) -> str | None:
    for t in root.find_all("time"):
        found = iso_date(t.get("datetime")) or (first_date(t.get_text()) if t.get_text() else None)
        if found:
            return found
    return None


def _meta_published(soup: BeautifulSoup, metas: dict[str, str]) -> str | None:
    for name in _DATE_META:
        found = iso_date(metas.get(name))
        if found:
            return found
    return _jsonld_published(soup)


def _title_line(lines: list[str], title: str | None) -> int | None:
    """Index of the line that holds the title (or starts it), for the 'date near the title'."""
    if not title:
        return None
    for i, ln in enumerate(lines):
        if ln and (ln in title or title in ln):
            return i
    return None


def _heading(el: Tag) -> Tag | None:
    for name in _HEADINGS:
        h = el.find(name)
        if h is not None and _clean(h.get_text()):
            return h
    return el.find(class_=re.compile(r"(entry|post|article)[-_]?title", re.I))


def _post_of(el: Tag) -> Page | None:
    """A post container as a notice, or None when it is only a teaser."""
    head = _heading(el)
    text = element_text(el)
    title = _clean(head.get_text(" ")) if head is not None else None
    body = len(text) - len(title or "")
    if head is None or body < MIN_POST_CHARS:
        return None
    if any(_READ_MORE.search(a.get_text()) for a in el.find_all("a")):
        return None
    lines = text.splitlines()
    published = _time_published(el) or date_near(lines, _title_line(lines, title), after=4)
    anchor = None
    link = head.find("a", href=True) if head.name != "a" else head
    if link is not None:
        anchor = link["href"]
    elif el.get("id"):
        anchor = "#" + el["id"]
    return Page(text, title, published, anchor=anchor)


def _split_posts(body: Tag) -> list[Page]:
    """Posts of an archive or listing page: top-level <article>s, else sibling containers
    whose class says post/entry/news and that each carry a heading and a date."""
    articles = [a for a in body.find_all("article") if a.find_parent("article") is None
                and len(a.get_text()) >= MIN_POST_CHARS]  # cheap test first: listings are long
    posts = [p for p in map(_post_of, articles) if p is not None]
    if len(posts) >= 2:
        return posts
    best: list[Page] = []
    for parent in [body, *body.find_all(True)]:
        groups: dict[tuple, list[Tag]] = defaultdict(list)
        for child in parent.children:
            if not isinstance(child, Tag) or not child.get("class"):
                continue
            classes = tuple(sorted(child.get("class") or ()))
            if any(_POST_CLASS.search(c) for c in classes):
                groups[(child.name, classes)].append(child)
        for els in groups.values():
            if len(els) < 2:
                continue
            found: list[Page] = []
            for e in els:  # stops at the first that is no post: a list of 20,000 links is quick
                post = _post_of(e) if len(e.get_text()) >= MIN_POST_CHARS else None
                # sections of a single notice have headings too, but not a date each
                if post is None or not post.published:
                    break
                found.append(post)
            else:
                if sum(len(p.text) for p in found) > sum(len(p.text) for p in best):
                    best = found
    return best


def parse_html(html: str, split: bool = True) -> list[Page]:
    """The notices in an HTML page: one Page, or one per post of a multi-post page."""
    soup = BeautifulSoup(html, "lxml")
    metas = _metas(soup)
    title = _title(soup, metas)
    article_meta = iso_date(metas.get("article:published_time"))
    other_meta = _meta_published(soup, metas)
    _strip_chrome(soup)
    body = soup.body or soup
    if split:
        posts = _split_posts(body)
        if len(posts) >= 2:
            for i, post in enumerate(posts, 1):
                post.part = i
            return posts
    main = body.find("main") or body.find(attrs={"role": "main"})
    text = element_text(main) if main is not None else ""
    root = main if main is not None and len(text) >= 100 else body
    if root is body:
        text = element_text(body)
    lines = text.splitlines()
    # a <time> in the content beats generic date metas, which CMSs fill with the edit date
    published = (article_meta or _time_published(root) or other_meta
                 or date_near(lines, _title_line(lines, title)))
    return [Page(text, title or _first_line(text), published)]


def _first_line(text: str) -> str | None:
    for ln in text.splitlines():
        if ln.strip():
            return _clean(ln)
    return None


# Notice titles end like this: 〜に関するお詫び, 〜についてのお知らせ, 〜のご報告, 〜について
_TITLE_END = re.compile(r"(お詫び|おわび|お知らせ|ご報告|ご案内|について|に関して|報告書?|公表|発生)[)）」』]*"
                        r"\s*(?:[(（][^()（）]{1,12}[)）])?$")  # (第2報), （続報）, (更新)
# Lines above a letter's title: the date, the addressee (お客様各位), the sender, reference numbers
_NOT_TITLE = re.compile(r"各位$|^(?:報道関係者|関係者|お客様|株主)|^[(（]?(?:第?\d+報|[\w]*第\d+号)[)）]?$")


def guess_title(text: str, look: int = 12) -> str | None:
    """The title of a text or PDF notice: among its first lines, one that reads like a
    notice title, else the first line that is not a date, an addressee or a number."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()][:look]
    candidates = [ln for ln in lines if not _NOT_TITLE.search(ln)
                  and not (first_date(ln) and len(ln) <= 16)]
    for ln in candidates:
        if _TITLE_END.search(ln) and len(ln) <= 80:
            return _clean(ln)
    first = candidates[0] if candidates else None
    if first is None or (len(first) > 30 and first.endswith("。")):
        return None  # the text starts with a sentence: there is no title line
    return _clean(first)


def plain_page(text: str) -> Page:
    """A text/plain notice: its title line, and the first date near it."""
    title = guess_title(text)
    lines = text.splitlines()
    return Page(text, title, date_near(lines, _title_line(lines, title)))
