"""``make bench``: throughput of rouei against bare ja_ginza, measured in one run.

Two corpora (extract.bench_corpus): ``seeds``, at least 1 MB of rewritten seed notices of about
6,000 characters, and ``real``, at least 500 short notices (the dev notices, or the benchmark's
own, with other names and numbers), each document new to the parse cache. On each it times, in
rounds (``--repeat``), bare ``nlp.pipe`` on a sample of its own, then ``rouei extract`` cold
(empty cache), warm (full cache after a change to rules/), ``--jobs 2`` and ``--engine dask``
with 2 workers; each row is the median of the rounds with their spread, each ratio the median
of the rounds' own ratios, with the characters parsed as a share of the characters read and
the peak memory of every process. Before that, start-up: ``rouei --version`` and ``rouei extract`` of one notice,
cold and warm, with the split of its time (``-v``). ``--stream N`` adds a run over N small
documents that checks memory stays flat.

    python -m rouei.extract.bench [--corpus seeds|real|both] [--repeat 2] [--stream 2000]

The defaults take about 14 minutes on an otherwise idle 2-core machine, most of it the real
corpus (500 notices: a cold run about a minute, a Dask run two); the stream run does about 20
small notices a second.
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

from rouei.extract.bench_corpus import _ORGS, build_corpus, build_real_corpus, real_sources

ROOT = Path(__file__).resolve().parent.parent
ROUEI = [sys.executable, "-m", "rouei.extract.cli"]
RUNS = ("cold", "warm", "jobs2", "dask2")
# the -v summary lines of rouei extract (run/command.py)
_PARSED = re.compile(r"([\d,]+) characters read, ([\d,]+) parsed")
_TIMES = re.compile(r"time ([\d.]+) s: start-up and imports ([\d.]+) s, model load ([\d.]+) s, "
                    r"parsing ([\d.]+) s, rules and the rest (-?[\d.]+) s")


class PeakMemory:
    """Polls a process tree and keeps the largest RSS any one process reached."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        import psutil

        self.proc = psutil.Process(pid)
        self.peak = 0
        self.samples: list[int] = []
        self.counts: list[int] = []  # processes in the tree at each sample
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
                self.counts.append(len(rss))
            time.sleep(interval)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def run_extract(args: list[str], env: dict | None = None) -> dict:
    """Wall time, peak per-process RSS and the -v summary of one ``rouei extract`` run."""
    start = time.perf_counter()
    proc = subprocess.Popen(ROUEI + ["extract", *args, "--quiet", "-v"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    mem = PeakMemory(proc.pid)
    _, err = proc.communicate()
    elapsed = time.perf_counter() - start
    peak = mem.stop()
    log = err.decode("utf-8", "replace")
    if proc.returncode not in (0, 1):
        raise SystemExit(f"rouei extract failed ({proc.returncode}): {log[-2000:]}")
    out: dict = {"seconds": elapsed, "peak": peak}
    if m := _PARSED.search(log):
        read, parsed = (int(g.replace(",", "")) for g in m.groups())
        out["share"] = parsed / read if read else 0.0
    if m := _TIMES.search(log):
        out["split"] = dict(zip(("total", "startup", "model", "parse", "rest"), map(float, m.groups())))
    return out


def bare_samples(units: list[str], sample_chars: int, count: int) -> list[list[str]]:
    """``count`` disjoint samples of ``units`` (paragraphs, or whole short notices), each of
    about ``sample_chars`` characters, for bare ja_ginza to parse."""
    units = [u[:4000] for u in units if u.strip()]
    random.Random(1).shuffle(units)
    chunks, cur, n = [], [], 0
    for u in units:
        cur.append(u)
        n += len(u)
        if n >= sample_chars:
            chunks.append(cur)
            cur, n = [], 0
            if len(chunks) == count:
                break
    if cur and len(chunks) < count:
        chunks.append(cur)
    return chunks


def bare_rate(chunks: list[list[str]]) -> dict:
    """Characters per second of bare ja_ginza (every component, default ops) on each of
    ``chunks``, in a fresh process; and the seconds its ``import spacy`` and ``spacy.load``
    took."""
    code = (
        "import sys,time,json\n"
        "t0=time.perf_counter();import spacy;t1=time.perf_counter()\n"
        "nlp=spacy.load('ja_ginza');t2=time.perf_counter()\n"
        "chunks=json.load(sys.stdin)\n"
        "list(nlp.pipe(chunks[0][:5]))\n"
        "out=[]\n"
        "for paras in chunks:\n"
        "    t=time.perf_counter(); list(nlp.pipe(paras)); dt=time.perf_counter()-t\n"
        "    out.append(sum(map(len,paras))/dt)\n"
        "print(json.dumps({'rates':out,'import':t1-t0,'load':t2-t1}))\n"
    )
    res = subprocess.run([sys.executable, "-c", code], input=json.dumps(chunks), capture_output=True,
                         text=True, cwd=ROOT, check=True)
    return json.loads(res.stdout)


def paired(rates: list[float], bases: list[float]) -> list[float]:
    """Each round's rate over the base measured in the same round."""
    return [r / b for r, b in zip(rates, bases, strict=True)]


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
    mem = PeakMemory(proc.pid, interval=0.2)
    proc.wait()
    elapsed = time.perf_counter() - start
    mem.stop()
    # Early and late are taken once the run is up, from the first sample with every process
    # of the run there (the workers; a model server that loads the model during the first
    # second is start-up, not growth), so that a short stream compares like with like.
    up = mem.counts.index(max(mem.counts)) if mem.counts else 0
    s = mem.samples[up:]
    tenth = max(1, len(s) // 10)
    early, late = max(s[tenth:2 * tenth] or s), max(s[-tenth:])
    return {"docs": n_docs, "seconds": elapsed, "rss_early_mb": early / 2**20, "rss_late_mb": late / 2**20,
            "growth": late / early - 1}


def _spread(values: list[float]) -> str:
    return f"{min(values):,.0f}-{max(values):,.0f}" if len(values) > 1 else "-"


def startup(notice: Path, tmp: Path, repeat: int) -> dict:
    """Wall seconds of ``rouei --version`` and of ``rouei extract`` of one notice, cold (empty
    cache) and warm (its parses cached), with the -v split of the extract runs (medians)."""
    rows: dict[str, dict] = {}
    walls = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(ROUEI + ["--version"], cwd=ROOT, check=True, capture_output=True)
        walls.append(time.perf_counter() - start)
    rows["rouei --version"] = {"seconds": walls}
    for name in ("cold", "warm"):
        rows[f"extract 1 notice {name}"] = {"seconds": [], "splits": []}
    for r in range(repeat):
        cache = tmp / f"cache-startup-{r}"
        for name in ("cold", "warm"):
            got = run_extract([str(notice), "-o", str(tmp / "startup.jsonl"), "--cache", str(cache)])
            rows[f"extract 1 notice {name}"]["seconds"].append(got["seconds"])
            rows[f"extract 1 notice {name}"]["splits"].append(got.get("split", {}))
    return rows


def print_startup(rows: dict, bare: dict) -> None:
    print(f"\nstart-up ({len(rows['rouei --version']['seconds'])} runs, medians, seconds)")
    print("{:<26}{:>7}{:>10}{:>10}{:>10}{:>10}".format("run", "wall", "start-up", "model", "parse", "rest"))
    for name, row in rows.items():
        line = f"{name:<26}{statistics.median(row['seconds']):>7.2f}"
        splits = [sp for sp in row.get("splits", []) if sp]
        if splits:
            line += "".join(f"{statistics.median(sp[k] for sp in splits):>10.2f}"
                            for k in ("startup", "model", "parse", "rest"))
        print(line)
    print(f"(bare: import spacy {bare['import']:.2f} s, spacy.load('ja_ginza') {bare['load']:.2f} s; "
          "start-up = interpreter, command line and rouei's imports; model = spaCy's import and the load)")


def bench_corpus(label: str, files: list[Path], chars: int, units: list[str], tmp: Path,
                 args: argparse.Namespace) -> dict:
    """The rows of one corpus, in rounds: each round times bare ja_ginza on a sample of its
    own, then each rouei run asked for once. A ratio (x bare, a run over the cold one) is the
    median of the rounds' own ratios: this host's speed drifts by a third over minutes, and a
    rate compared with one measured a minute earlier would carry that drift."""
    corpus = str(files[0].parent)
    print(f"\n{label}: {len(files)} notices, {chars:,} characters, "
          f"{sum(f.stat().st_size for f in files):,} bytes", flush=True)
    samples = bare_samples(units, args.bare_sample, args.repeat)
    warm_cache = tmp / f"cache-{label}-warm"
    rules_copy = tmp / "rules"
    if not rules_copy.exists():
        shutil.copytree(ROOT / "rules", rules_copy)
    # warm: the parses of the first cold run, then a change to rules/ (its hash changes;
    # parses stay). Each run follows an edit of its own, so none of them finds the rules it
    # runs with already checked (the check's stamp is per rules hash).
    warm_env = dict(os.environ, ROUEI_RULES=str(rules_copy))
    extras = {"cold": [], "warm": [], "jobs2": ["--jobs", "2"], "dask2": ["--engine", "dask", "--jobs", "2"]}
    names = [n for n in RUNS if n in args.runs or (n == "cold" and "warm" in args.runs)]
    results: dict[str, dict] = {n: {"rates": [], "peaks": [], "shares": []}
                                for n in ("bare ja_ginza", *names)}
    for r in range(args.repeat):
        bare = bare_rate([samples[r % len(samples)]])
        results["bare ja_ginza"]["rates"].append(bare["rates"][0])
        done = [f"bare {bare['rates'][0]:,.0f}"]
        for name in names:
            env = None
            if name == "warm":
                env = warm_env
                cdir = warm_cache
                with open(rules_copy / "fragments.toml", "a", encoding="utf-8") as fh:
                    fh.write(f"\n# a researcher's edit ({label}, run {r + 1})\n")
            else:
                cdir = tmp / f"cache-{label}-{name}-{r}"
                shutil.rmtree(cdir, ignore_errors=True)
            got = run_extract([corpus, "-o", str(tmp / f"{name}.jsonl"), "--cache", str(cdir),
                               *extras[name]], env=env)
            row = results[name]
            row["rates"].append(chars / got["seconds"])
            row["peaks"].append(got["peak"])
            row["shares"].append(got.get("share"))
            if name == "cold" and r == 0:
                shutil.copytree(cdir, warm_cache)  # the parses the warm runs start from
            done.append(f"{name} {row['rates'][-1]:,.0f}")
        print(f"round {r + 1}: " + ", ".join(done) + " chars/s", flush=True)
    bases = results["bare ja_ginza"]["rates"]
    print(f"\n{label} ({args.repeat} rounds: medians, spread min-max; x bare: the median of "
          "each round's ratio)")
    print("{:<16}{:>12}{:>18}{:>9}{:>13}{:>9}{:>14}".format(
        "run", "chars/s", "spread", "x bare", "x spread", "parsed", "peak RSS/proc"))
    for name, row in results.items():
        med = statistics.median(row["rates"])
        ratios = paired(row["rates"], bases)
        row["x_bare"] = statistics.median(ratios)
        peak = f"{max(row['peaks']) / 2**20:,.0f} MB" if row["peaks"] else "-"
        shares = [x for x in row["shares"] if x is not None]
        share = f"{statistics.median(shares):.0%}" if shares else "-"
        xs = f"{min(ratios):.1f}-{max(ratios):.1f}" if len(ratios) > 1 else "-"
        print(f"{name:<16}{med:>12,.0f}{_spread(row['rates']):>18}{row['x_bare']:>9.1f}{xs:>13}"
              f"{share:>9}{peak:>14}")
    if "cold" in results:
        for name in ("warm", "jobs2", "dask2"):
            if name in results:
                ratios = paired(results[name]["rates"], results["cold"]["rates"])
                results[name]["x_cold"] = statistics.median(ratios)
                print(f"{name} / cold (jobs 1): {statistics.median(ratios):.2f}x "
                      f"(rounds {', '.join(f'{x:.2f}' for x in ratios)})")
    for row in results.values():
        row["peak"] = max(row.pop("peaks"), default=0)
    results["corpus"] = {"notices": len(files), "chars": chars, "bare_import": bare["import"],
                         "bare_load": bare["load"]}
    return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m rouei.extract.bench", description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=2, help="rounds: runs of each row (median and spread)")
    ap.add_argument("--corpus", choices=("seeds", "real", "both"), default="both")
    ap.add_argument("--runs", default=",".join(RUNS), type=lambda v: [r for r in v.split(",") if r],
                    help=f"which rouei runs, of {','.join(RUNS)} (default all)")
    ap.add_argument("--min-bytes", type=int, default=1_000_000, help="size of the seeds corpus")
    ap.add_argument("--real-count", type=int, default=500, help="notices in the real-notice corpus")
    ap.add_argument("--real-source", type=Path, help="folder of .txt notices for the real corpus "
                    "(default the dev notices when present, else corpus/bench/)")
    ap.add_argument("--bare-sample", type=int, default=15_000, help="characters per bare ja_ginza sample")
    ap.add_argument("--no-startup", action="store_true", help="skip the start-up rows")
    ap.add_argument("--stream", type=int, default=2_000, help="documents in the flat-memory run (0: skip)")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args(argv)
    if unknown := set(args.runs) - set(RUNS):
        ap.error(f"unknown runs: {', '.join(sorted(unknown))}")
    tmp = Path(tempfile.mkdtemp(prefix="rouei-bench-"))
    results: dict[str, dict] = {}
    try:
        corpora = []
        if args.corpus in ("real", "both"):
            files, chars = build_real_corpus(tmp / "real", args.real_count, args.real_source)
            src = real_sources(args.real_source)[0].parent
            corpora.append((f"real-notice corpus (from {src})", files, chars,
                            [f.read_text(encoding="utf-8") for f in files]))
        if args.corpus in ("seeds", "both"):
            files, chars = build_corpus(tmp / "seeds", args.min_bytes)
            paras = [p for f in files for p in f.read_text(encoding="utf-8").split("\n")]
            corpora.insert(0, ("seed corpus", files, chars, paras))
        if not args.no_startup:
            notice = corpora[-1][1][0]
            rows = startup(notice, tmp, args.repeat)
            bare = bare_rate(bare_samples([notice.read_text(encoding="utf-8")], 1, 1))
            print_startup(rows, bare)
            results["startup"] = rows
        for label, files, chars, units in corpora:
            results[label] = bench_corpus(label, files, chars, units, tmp, args)
        if args.stream:
            st = stream_check(args.stream, tmp)
            results["stream"] = st
            print(f"\nstream: {st['docs']:,} notices in {st['seconds']:.0f} s; worker-tree peak RSS early "
                  f"{st['rss_early_mb']:.0f} MB, late {st['rss_late_mb']:.0f} MB ({st['growth']:+.1%})")
        if args.json:
            args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
