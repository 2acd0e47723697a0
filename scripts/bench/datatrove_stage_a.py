"""Time datatrove 0.2.0's FineWeb stage A on WARC files, fully offline, in one process.

Run by scripts/bench/refine-vs-datatrove.sh inside its pinned venv:

    python datatrove_stage_a.py --fixtures DIR [--extract-timeout S] [--runs N] WARC...

The pipeline is FineWeb's stage A, step for step: WarcReader -> URLFilter -> Trafilatura(
favour_precision=True) -> LanguageFilter(en, 0.65) -> GopherRepetitionFilter ->
GopherQualityFilter -> C4QualityFilter(filter_no_terminal_punct=False) -> FineWebQualityFilter.
Writers (kept and excluded documents) are left out, as `nya bench refine` writes nothing.

Offline: every asset datatrove or NLTK would fetch comes from the shared fixtures instead,
through datatrove's own loading code wherever it has a hook (see `stage_assets`):
- lid.176: placed in a private Hugging Face assets cache at the exact path datatrove's
  `cached_asset_path_or_download` computes for the model URL, marked complete, so datatrove
  opens it itself. The fixture is lid.176.ftz (quantized); FineWeb downloaded lid.176.bin.
- URL lists: datatrove 0.2.0 ships them inside its wheel (datatrove/assets) and URLFilter reads
  them from `ASSETS_PATH`; that name is pointed at a folder of links to the fixture files under
  datatrove's file names. Whether they equal the bundled files byte for byte is reported.
- Punkt: NLTK_DATA is a private folder laid out as tokenizers/punkt_tab/english/.
- tldextract: uses the public-suffix snapshot bundled with it instead of fetching the live list.

Before timing, each step's lazy loading is done once (the blacklist's 4.5 M domains, the
fastText model, Punkt, trafilatura's imports), as nya loads its assets before its clock starts.
The timed region is one pass that drains the whole pipeline, reading and gunzip included, and
covers every thread of the process (trafilatura runs on a worker thread in datatrove).

Prints a human-readable report on stderr and exactly one JSON object on stdout's last line.
"""

import argparse
import hashlib
import importlib.metadata
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# What FineWeb's stage A set (datatrove 0.2.0 defaults unless stated in the FineWeb script).
LANGUAGE_THRESHOLD = 0.65
FINEWEB_EXTRACT_TIMEOUT = 0.1  # Trafilatura's default per-document timeout, which FineWeb kept

# Fixture file -> the name datatrove 0.2.0 gives it under its ASSETS_PATH.
URL_LISTS = {
    "banned_words.txt": "banned_words.txt",
    "banned_subwords.txt": "banned_subwords.txt",
    "soft_banned_words.txt": "soft_banned_words.txt",
    "ut1-adult-blacklist.tar.gz": "url_filterblacklists.tar.gz",
}
PUNKT_FILES = ("abbrev_types.txt", "collocations.tab", "ortho_context.tab", "sent_starters.txt")


class SetupError(Exception):
    """An input or fixture the benchmark needs is missing or unusable."""


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fixtures", required=True, type=Path, help="the shared fixtures root")
    parser.add_argument(
        "--extract-timeout",
        type=float,
        default=FINEWEB_EXTRACT_TIMEOUT,
        help="Trafilatura's per-document timeout in seconds (FineWeb: %(default)s)",
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=1,
        help="fresh processes to time; the run with the median speed is reported (default 1)",
    )
    parser.add_argument("--single", action="store_true", help=argparse.SUPPRESS)  # one child run
    parser.add_argument("warcs", nargs="+", type=Path, metavar="WARC")
    return parser.parse_args(argv)


def require_file(path: Path, what: str) -> Path:
    if not path.is_file():
        raise SetupError(f"{what} not found at {path}")
    return path.resolve()


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def link(target: Path, at: Path) -> None:
    at.parent.mkdir(parents=True, exist_ok=True)
    at.symlink_to(target)


def stage_environment(scratch: Path, refine: Path) -> None:
    """Environment variables that must be set before datatrove, huggingface_hub or nltk load."""
    punkt = refine / "punkt_tab_english"
    for name in PUNKT_FILES:
        link(require_file(punkt / name, "Punkt parameter file"),
             scratch / "nltk_data/tokenizers/punkt_tab/english" / name)
    os.environ["NLTK_DATA"] = str(scratch / "nltk_data")
    # huggingface_hub reads these at import: datatrove's asset cache becomes private and empty.
    os.environ["HF_HOME"] = str(scratch / "hf")
    os.environ["HF_ASSETS_CACHE"] = str(scratch / "hf/assets")
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TLDEXTRACT_CACHE"] = str(scratch / "tldextract")


def stage_assets(scratch: Path, refine: Path) -> dict:
    """Puts the fixtures where datatrove looks for them; returns what was used, for the report."""
    from datatrove.io import strip_protocol
    from datatrove.pipeline.filters import language_filter, url_filter
    from datatrove.utils._import_utils import ASSETS_PATH
    from huggingface_hub import cached_assets_path

    # The language model: the same path computation as datatrove.io.cached_asset_path_or_download,
    # plus its ".completed" marker, so datatrove skips the download and opens the fixture.
    model = require_file(refine / "lid/lid.176.ftz", "fastText language-ID model")
    model_dir = cached_assets_path(library_name="datatrove", namespace="filters",
                                   subfolder="language_filter")
    model_path = Path(model_dir) / strip_protocol(language_filter.LANGUAGE_ID_MODEL_URL).replace("/", "_")
    link(model, model_path)
    Path(f"{model_path}.completed").touch()

    # The URL lists: URLFilter.download_data reads url_filter.ASSETS_PATH at call time.
    lists_dir = scratch / "datatrove_assets"
    matches_bundled = {}
    for fixture_name, datatrove_name in URL_LISTS.items():
        fixture = require_file(refine / "urlfilter" / fixture_name, "URL filter list")
        link(fixture, lists_dir / datatrove_name)
        bundled = Path(ASSETS_PATH) / datatrove_name
        matches_bundled[datatrove_name] = bundled.is_file() and sha256(bundled) == sha256(fixture)
    url_filter.ASSETS_PATH = str(lists_dir)
    return {
        "language_model": str(model),
        "language_model_path_for_datatrove": str(model_path),
        "url_lists": str(lists_dir),
        "url_lists_match_datatrove_bundled": matches_bundled,
        "punkt": str(refine / "punkt_tab_english"),
    }


def build_pipeline(warc_dir: Path, extract_timeout: float):
    from datatrove.pipeline.extractors import Trafilatura
    from datatrove.pipeline.filters import (
        C4QualityFilter,
        FineWebQualityFilter,
        GopherQualityFilter,
        GopherRepetitionFilter,
        LanguageFilter,
        URLFilter,
    )
    from datatrove.pipeline.readers import WarcReader
    from tldextract import TLDExtract

    url_filter = URLFilter()
    # Offline: the public-suffix snapshot inside tldextract, never a fetch of the live list.
    url_filter.tldextractor = TLDExtract(cache_dir=None, suffix_list_urls=())
    reader = WarcReader(str(warc_dir))
    steps = [
        url_filter,
        Trafilatura(favour_precision=True, timeout=extract_timeout),
        LanguageFilter(language_threshold=LANGUAGE_THRESHOLD),
        GopherRepetitionFilter(),
        GopherQualityFilter(),
        C4QualityFilter(filter_no_terminal_punct=False),
        FineWebQualityFilter(exclusion_writer=None),  # 0.2.0 makes the argument required
    ]
    return reader, steps


def warm_up(steps) -> None:
    """Runs each step's one-time loading so the timed pass measures per-document work only."""
    from datatrove.data import Document
    from nltk.tokenize import sent_tokenize, word_tokenize

    url_filter, extractor, language_filter = steps[0], steps[1], steps[2]
    url_filter.download_data()
    url_filter.tldextractor("https://example.com/")
    _ = language_filter.model
    word_tokenize("Warm up the tokenizer.")
    sent_tokenize("Warm up Punkt. It loads once.")
    extractor.extract("<html><body><p>" + "warm up " * 20 + "</p></body></html>")
    # A document through every filter imports whatever each still loads lazily.
    probe = Document(text="The probe is a short sentence.\nIt has two lines.", id="warm-up",
                     metadata={"url": "https://example.com/warm-up"})
    for step in steps[2:]:
        step.filter(probe)
    for step in steps:  # the probe must not show in the counts
        step.stats = type(step.stats)(str(step))


def stat(step, name: str) -> int:
    stats = step.stats.stats  # a defaultdict: look before reading, so nothing is created
    return int(stats[name].total) if name in stats else 0


def step_report(step) -> dict:
    reasons = {}
    stats = step.stats.stats
    for name in sorted(stats):
        if name.startswith("dropped_"):
            reasons[name[len("dropped_"):]] = int(stats[name].total)
    timing = step.stats.time_stats
    return {
        "step": step.name,
        "documents_in": stat(step, "total"),
        "forwarded": stat(step, "forwarded"),
        "dropped": stat(step, "dropped"),
        "dropped_reasons": reasons,
        # datatrove's own timer: wall seconds (perf_counter) around each document's work.
        "seconds": float(timing.total),
    }


def run(args) -> dict:
    refine = args.fixtures / "refine"
    if not refine.is_dir():
        raise SetupError(f"no refine fixtures at {refine}")
    warcs = [require_file(w, "WARC file") for w in args.warcs]
    with tempfile.TemporaryDirectory(prefix="nya-datatrove-") as tmp:
        scratch = Path(tmp)
        stage_environment(scratch, refine)
        assets = stage_assets(scratch, refine)
        # WarcReader reads a folder: links numbered to keep the command line's order.
        warc_dir = scratch / "warc"
        for index, warc in enumerate(warcs):
            link(warc, warc_dir / f"{index:04d}-{warc.name}")

        from loguru import logger

        logger.remove()  # datatrove logs each file and timeout at INFO/WARNING; keep errors only
        logger.add(sys.stderr, level="ERROR")

        reader, steps = build_pipeline(warc_dir, args.extract_timeout)
        load_started = time.process_time()
        warm_up(steps)
        load_cpu_seconds = time.process_time() - load_started

        cpu_started, wall_started = time.process_time(), time.perf_counter()
        pipeline = reader.run()
        for step in steps:
            pipeline = step.run(pipeline)
        kept = sum(1 for _ in pipeline)
        cpu_seconds = time.process_time() - cpu_started
        wall_seconds = time.perf_counter() - wall_started

    extractor = steps[1]
    documents = stat(steps[0], "total")  # every document the WarcReader yielded enters URLFilter
    extracted = stat(extractor, "total")
    timeouts_or_errors = extracted - stat(extractor, "forwarded") - stat(extractor, "dropped")
    reader_step = {"step": reader.name, "documents_in": documents, "forwarded": documents,
                   "dropped": 0, "dropped_reasons": {},
                   "seconds": float(reader.stats.time_stats.total)}
    return {
        "datatrove_version": importlib.metadata.version("datatrove"),
        "files": len(warcs),
        "bytes": sum(w.stat().st_size for w in warcs),
        "documents": documents,
        "kept": kept,
        "cpu_seconds": cpu_seconds,
        "wall_seconds": wall_seconds,
        "docs_per_cpu_second": documents / cpu_seconds if cpu_seconds > 0 else None,
        # One-time loading, outside the timed pass (nya also loads its assets before timing).
        "load_cpu_seconds": load_cpu_seconds,
        "docs_per_cpu_second_with_loading": documents / (cpu_seconds + load_cpu_seconds),
        "extract_timeout": args.extract_timeout,
        "extraction_timeouts_or_errors": timeouts_or_errors,
        "steps": [reader_step] + [step_report(s) for s in steps],
        "assets": assets,
    }


def print_report(result: dict) -> None:
    out = sys.stderr
    print(f"datatrove 0.2.0 stage A, one process: {result['files']} files, "
          f"{result['bytes'] / 1e6:.1f} MB, {result['documents']} documents, kept {result['kept']}",
          file=out)
    rate = result["docs_per_cpu_second"]
    print(f"  {result['cpu_seconds']:.2f} CPU s, {result['wall_seconds']:.2f} wall s "
          f"(assets loaded beforehand: {result['load_cpu_seconds']:.1f} CPU s): "
          f"{rate:.1f} docs per CPU-second" if rate else "  no CPU time measured", file=out)
    if result.get("runs", 1) > 1:
        rates = ", ".join(f"{r:.1f}" for r in result["docs_per_cpu_second_all_runs"])
        print(f"  the median of {result['runs']} fresh processes (docs per CPU-second: {rates})",
              file=out)
    print(f"  counting the one-time loading too: "
          f"{result['docs_per_cpu_second_with_loading']:.1f} docs per CPU-second", file=out)
    if result["extraction_timeouts_or_errors"]:
        print(f"  trafilatura: {result['extraction_timeouts_or_errors']} documents skipped on the "
              f"{result['extract_timeout']} s timeout or an error (as in FineWeb)", file=out)
    total = sum(s["seconds"] for s in result["steps"]) or 1.0
    print(f"  {'step':<28} {'in':>6} {'out':>6} {'seconds':>9} {'share':>7}", file=out)
    for s in result["steps"]:
        name = s["step"].encode("ascii", "ignore").decode().strip()
        print(f"  {name:<28} {s['documents_in']:>6} {s['forwarded']:>6} {s['seconds']:>9.3f} "
              f"{100 * s['seconds'] / total:>6.1f}%", file=out)
    print("  (per-step seconds are datatrove's own wall-clock timers around each document)",
          file=out)


def run_in_children(args, argv) -> dict:
    """Times `args.runs` fresh processes (trafilatura's dedup cache and every lazy load start
    empty each time, as in one datatrove task) and returns the run with the median speed."""
    results = []
    for index in range(args.runs):
        child = subprocess.run([sys.executable, __file__, "--single", *argv],
                               stdout=subprocess.PIPE, text=True, check=False)
        if child.returncode != 0:
            raise SetupError(f"run {index + 1} of {args.runs} failed (exit {child.returncode})")
        lines = child.stdout.strip().splitlines()
        if not lines:
            raise SetupError(f"run {index + 1} of {args.runs} printed no result")
        results.append(json.loads(lines[-1]))
    results.sort(key=lambda r: r["docs_per_cpu_second"])
    median = results[len(results) // 2]
    median["runs"] = args.runs
    median["docs_per_cpu_second_all_runs"] = [r["docs_per_cpu_second"] for r in results]
    return median


def main(argv) -> int:
    args = parse_args(argv)
    if args.runs < 1:
        print("datatrove_stage_a.py: --runs must be at least 1", file=sys.stderr)
        return 2
    try:
        result = run(args) if args.single else run_in_children(args, argv)
    except SetupError as e:
        print(f"datatrove_stage_a.py: {e}", file=sys.stderr)
        return 2
    if not result["documents"]:
        print("datatrove_stage_a.py: the WarcReader yielded no HTML documents", file=sys.stderr)
        return 1
    if not args.single:
        print_report(result)
    print(json.dumps(result, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
