"""``rouei extract INPUT... -o OUT.jsonl``."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from .errors import RoueiError
from .inputs import InputDoc, iter_inputs
from .output import RecordWriter
from .record import error_record

log = logging.getLogger(__name__)


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("extract", help="extract records from notices into JSONL")
    p.add_argument("inputs", nargs="+", metavar="INPUT",
                   help="files (.txt .html .pdf), folders, a fetch corpus directory, or '-' for stdin")
    p.add_argument("-o", "--output", required=True, type=Path, metavar="OUT.jsonl")
    p.add_argument("--incidents", choices=("split", "flat"), default="split",
                   help="one incident per incident (split, default) or one per document (flat)")
    p.add_argument("--resume", action="store_true",
                   help="keep the complete records of an interrupted run and do the rest")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def process_one(pipeline, doc: InputDoc) -> dict:
    """The record of one input, or an error record; never raises for a bad document."""
    try:
        text, encoding = doc.read()
        source = dict(doc.source)
        source["encoding"] = source.get("encoding") or encoding
        return pipeline.process(doc.doc_id, text, source, published=doc.published, title=doc.title)
    except RoueiError as exc:
        return error_record(doc.doc_id, exc.kind, str(exc), doc.source)
    except Exception as exc:  # noqa: BLE001 - one bad notice must not stop the batch
        log.debug("extraction failed for %s", doc.doc_id, exc_info=True)
        return error_record(doc.doc_id, "extract", f"[E004] {type(exc).__name__}: {exc}", doc.source)


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from .pipeline import Pipeline, Settings

    try:
        docs = list(iter_inputs(args.inputs))
    except RoueiError as exc:
        print(f"rouei extract: {exc}", file=sys.stderr)
        return 2
    pipeline = Pipeline(Settings(incidents=args.incidents))
    failures = 0
    with RecordWriter(args.output, resume=args.resume) as writer:
        todo = [d for d in docs if d.doc_id not in writer.done]
        bar = tqdm(total=len(todo), unit="doc", file=sys.stderr, disable=args.quiet, delay=2)
        for doc in todo:
            rec = process_one(pipeline, doc)
            if "error" in rec:
                failures += 1
                print(f"rouei extract: {doc.doc_id}: {rec['error']['message']}", file=sys.stderr)
            writer.write(rec)
            bar.update(1)
        bar.close()
    return 1 if failures else 0
