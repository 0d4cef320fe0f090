"""``make bench``: throughput of rouei against bare ja_ginza, measured in one run.

Builds a benchmark corpus of at least 1 MB from corpus/ (each notice rewritten with other
numbers, dates and names, so every document is new to the parse cache), then times, as
medians of several runs: bare ``nlp.pipe``, ``rouei extract`` cold (empty cache), warm (full
cache after a change to rules/), ``--jobs 2`` and ``--engine dask`` with 2 workers, and the
peak memory of every process. ``--stream N`` adds a run over N small documents that checks
memory stays flat.

    python -m extract.bench [--repeat 3] [--min-bytes 1000000] [--stream 20000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROUEI = [sys.executable, "-m", "rouei.extract.cli"]

_ORGS = ["株式会社サンプル商事", "みどり運輸株式会社", "テスト電機株式会社", "青空市", "北川町", "東都大学",
         "ひかり通信株式会社", "さくら生命保険株式会社", "港南病院", "ABCマート株式会社"]


def build_corpus(dest: Path, min_bytes: int, seed: int = 7) -> tuple[list[Path], int]:
    """Variants of the seed notices until ``min_bytes`` of UTF-8 text; returns files, chars."""
    rng = random.Random(seed)
    seeds = sorted((ROOT / "corpus" / "seeds").glob("*.txt"))
    texts = [p.read_text(encoding="utf-8") for p in seeds]
    dest.mkdir(parents=True, exist_ok=True)
    files, size, chars, i = [], 0, 0, 0
    while size < min_bytes:
        base = texts[i % len(texts)]
        text = re.sub(r"\d", lambda m: str(rng.randrange(10)) if rng.random() < 0.5 else m.group(), base)
        text = text.replace("株式会社", rng.choice(_ORGS)[:4] + "株式会社", 1)
        text = f"{rng.choice(_ORGS)} 個人情報の取扱いに関するお知らせ(第{i}報)\n" + text
        path = dest / f"bench_{i:04d}.txt"
        path.write_text(text, encoding="utf-8")
        files.append(path)
        size += len(text.encode("utf-8"))
        chars += len(text)
        i += 1
    return files, chars


class PeakMemory:
    """Polls a process tree and keeps the largest RSS any one process reached."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        import psutil

        self.proc = psutil.Process(pid)
        self.peak = 0
        self.samples: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(interval,), daemon=True)
        self._thread.start()

    def _run(self, interval: float) -> None:
        import psutil

        while not self._stop.is_set():
            try:
                procs = [self.proc, *self.proc.children(recursive=True)]
                rss = [p.memory_info().rss for p in procs if p.is_running()]
            except psutil.Error:
                rss = []
            if rss:
                self.peak = max(self.peak, *rss)
                self.samples.append(max(rss))
            time.sleep(interval)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def run_extract(args: list[str], env: dict | None = None) -> tuple[float, int]:
    """Wall time and peak per-process RSS of one ``rouei extract`` run."""
    start = time.perf_counter()
    proc = subprocess.Popen(ROUEI + ["extract", *args, "--quiet"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    mem = PeakMemory(proc.pid)
    _, err = proc.communicate()
    elapsed = time.perf_counter() - start
    peak = mem.stop()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"rouei extract failed ({proc.returncode}): {err.decode()[-2000:]}")
    return elapsed, peak


def bare_rate(files: list[Path], sample_chars: int, repeat: int) -> list[float]:
    """Characters per second of bare ja_ginza (every component, default ops) on paragraphs
    taken from the benchmark texts, measured on ``repeat`` disjoint samples."""
    code = (
        "import sys,time,json,spacy\n"
        "nlp=spacy.load('ja_ginza')\n"
        "chunks=json.load(sys.stdin)\n"
        "list(nlp.pipe(chunks[0][:5]))\n"
        "out=[]\n"
        "for paras in chunks:\n"
        "    t=time.perf_counter(); list(nlp.pipe(paras)); dt=time.perf_counter()-t\n"
        "    out.append(sum(map(len,paras))/dt)\n"
        "print(json.dumps(out))\n"
    )
    paras = [p for f in files for p in f.read_text(encoding="utf-8").split("\n") if p.strip()]
    random.Random(1).shuffle(paras)
    chunks, cur, n = [], [], 0
    for p in paras:
        cur.append(p[:4000])
        n += len(cur[-1])
        if n >= sample_chars:
            chunks.append(cur)
            cur, n = [], 0
            if len(chunks) == repeat:
                break
    res = subprocess.run([sys.executable, "-c", code], input=json.dumps(chunks), capture_output=True,
                         text=True, cwd=ROOT, check=True)
    return json.loads(res.stdout)


def stream_check(n_docs: int, tmp: Path) -> dict:
    """Run N small notices through --jobs 2 and compare memory early and late in the run."""
    src = tmp / "stream"
    src.mkdir()
    rng = random.Random(3)
    for i in range(n_docs):
        y, m, d = rng.randrange(2015, 2025), rng.randrange(1, 13), rng.randrange(1, 29)
        (src / f"s{i:05d}.txt").write_text(
            f"{rng.choice(_ORGS)}は{y}年{m}月{d}日、顧客情報{rng.randrange(1, 99999):,}件が"
            f"{rng.choice(['不正アクセスにより流出', '誤送信により漏えい', '紛失により所在不明'])}した"
            f"{rng.choice(['', '可能性がある'])}と発表した。氏名、住所、電話番号が含まれていた。\n", encoding="utf-8")
    start = time.perf_counter()
    proc = subprocess.Popen(ROUEI + ["extract", str(src), "-o", str(tmp / "stream.jsonl"), "--quiet",
                                     "--jobs", "2", "--no-cache"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    mem = PeakMemory(proc.pid, interval=0.5)
    proc.wait()
    elapsed = time.perf_counter() - start
    mem.stop()
    s = mem.samples
    tenth = max(1, len(s) // 10)
    early, late = max(s[tenth:2 * tenth] or s), max(s[-tenth:])
    return {"docs": n_docs, "seconds": elapsed, "rss_early_mb": early / 2**20, "rss_late_mb": late / 2**20,
            "growth": late / early - 1}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m extract.bench", description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--min-bytes", type=int, default=1_000_000)
    ap.add_argument("--bare-sample", type=int, default=15_000, help="characters per bare ja_ginza sample")
    ap.add_argument("--stream", type=int, default=20_000, help="documents in the flat-memory run (0: skip)")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="rouei-bench-"))
    try:
        files, chars = build_corpus(tmp / "corpus", args.min_bytes)
        corpus = str(tmp / "corpus")
        print(f"benchmark corpus: {len(files)} notices, {chars:,} characters, "
              f"{sum(f.stat().st_size for f in files):,} bytes", flush=True)
        bare = bare_rate(files, args.bare_sample, args.repeat)
        results: dict[str, dict] = {"bare ja_ginza": {"rates": bare, "peak": 0}}
        print(f"bare ja_ginza: median {statistics.median(bare):,.0f} chars/s", flush=True)

        def timed(name: str, extra: list[str], env=None, fresh_cache: bool = True, cache=None) -> None:
            rates, peaks = [], []
            for r in range(args.repeat):
                cdir = cache or tmp / f"cache-{name}-{r}"
                if fresh_cache:
                    shutil.rmtree(cdir, ignore_errors=True)
                elapsed, peak = run_extract([corpus, "-o", str(tmp / f"{name}.jsonl"), "--cache", str(cdir),
                                             *extra], env=env)
                rates.append(chars / elapsed)
                peaks.append(peak)
            results[name] = {"rates": rates, "peak": max(peaks)}
            print(f"{name}: median {statistics.median(rates):,.0f} chars/s", flush=True)

        timed("cold", [])
        # warm: the parses of a cold run, then a change to rules/ (its hash changes; parses stay)
        warm_cache = tmp / "cache-warm"
        run_extract([corpus, "-o", str(tmp / "prewarm.jsonl"), "--cache", str(warm_cache)])
        rules_copy = tmp / "rules"
        shutil.copytree(ROOT / "rules", rules_copy)
        with open(rules_copy / "fragments.toml", "a", encoding="utf-8") as fh:
            fh.write("\n# a researcher's edit\n")
        env = dict(os.environ, ROUEI_RULES=str(rules_copy))
        timed("warm", [], env=env, fresh_cache=False, cache=warm_cache)
        timed("jobs2", ["--jobs", "2"])
        timed("dask2", ["--engine", "dask", "--jobs", "2"])
        base = statistics.median(bare)
        print("\n{:<16}{:>14}{:>12}{:>16}".format("run", "chars/s", "x bare", "peak RSS/proc"))
        for name, r in results.items():
            med = statistics.median(r["rates"])
            peak = f"{r['peak'] / 2**20:,.0f} MB" if r["peak"] else "-"
            print(f"{name:<16}{med:>14,.0f}{med / base:>12.1f}{peak:>16}")
        cold = statistics.median(results["cold"]["rates"])
        print(f"\njobs2 / cold (jobs 1): {statistics.median(results['jobs2']['rates']) / cold:.2f}x")
        print(f"dask2 / cold (jobs 1): {statistics.median(results['dask2']['rates']) / cold:.2f}x")
        if args.stream:
            st = stream_check(args.stream, tmp)
            results["stream"] = st
            print(f"stream: {st['docs']:,} notices in {st['seconds']:.0f} s; worker-tree peak RSS early "
                  f"{st['rss_early_mb']:.0f} MB, late {st['rss_late_mb']:.0f} MB ({st['growth']:+.1%})")
        if args.json:
            args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
