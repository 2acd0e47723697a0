#!/usr/bin/env bash
# nya's refine recipe against datatrove 0.2.0's FineWeb stage A on the same WARC files, on this
# machine: datatrove's speed per CPU-second and per-step times (datatrove_stage_a.py, in a pinned
# venv, offline), then `nya bench refine --threads 1 --datatrove-rate …` prints nya's table, its
# per-step profile and the side-by-side ratio. Unit on both sides: documents (the HTML records
# the WARC reader yields) per second on one core, reading included, one-time asset loading not.
#
#   bash scripts/bench/refine-vs-datatrove.sh [WARC...]     from anywhere in the clone
#
# Default WARCs: <fixtures>/refine/warc/*.warc.gz (not the .wat/.wet ones).
# NYA_BIN: the nya binary; unset, `cargo build --release -p nya-neurons --bin nya` builds
#   ${CARGO_TARGET_DIR:-target}/release/nya (a debug binary gives meaningless timings).
# NYA_FIXTURES: the shared fixtures (default ../shared/fixtures beside the clone); nya reads its
#   assets from <fixtures>/refine (NYA_ASSET_DIR) and both sides run offline.
# NYA_CACHE: where the venv is cached (PyPI is needed only the first time).
# DATATROVE_EXTRACT_TIMEOUT: trafilatura's per-document timeout in datatrove (FineWeb: 0.1 s).
# DATATROVE_RUNS: fresh datatrove processes timed, the median reported (default 3).
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD

die() {
  echo "refine-vs-datatrove.sh: $*" >&2
  exit 2
}

DATATROVE_VERSION=0.2.0
# Every package of the venv, pinned exactly (a `pip freeze` of a working install on Python
# 3.11). The ones that matter: trafilatura 1.8.1 (FineWeb's), fasttext-wheel 0.9.2 with numpy 1.x
# (its predict() breaks on numpy 2), nltk 3.9.1 (reads Punkt from punkt_tab, as the fixtures
# hold it), aiohttp (datatrove resolves its model cache path through fsspec's HTTP filesystem).
DATATROVE_REQUIREMENTS=(
  trafilatura==1.8.1 fasttext-wheel==0.9.2 numpy==1.26.4 nltk==3.9.1 tldextract==5.1.2
  warcio==1.7.4 faust-cchardet==2.1.19 python-magic==0.4.27 fasteners==0.19 xxhash==3.4.1
  aiohttp==3.14.5 lxml==5.1.1 courlan==1.4.0 htmldate==1.8.1 jusText==3.0.2 dateparser==1.5.0
  charset-normalizer==3.5.2 regex==2026.11.15 huggingface_hub==2.4.0 fsspec==2026.9.0
  loguru==0.7.3 dill==0.4.1 multiprocess==0.70.19 humanize==4.17.0 tqdm==4.70.1
  aiohappyeyeballs==2.7.1 aiosignal==1.4.0 anyio==4.16.0 attrs==26.1.0 babel==2.18.0
  certifi==2026.10.18 click==8.5.1 cloudpickle==3.1.2 filelock==4.2.11 frozenlist==1.8.0
  h11==0.16.0 hf-xet==1.8.0 httpcore2==2.16.2 httpx2==2.16.2 idna==3.20 joblib==1.6.0
  multidict==7.2.1 packaging==26.3 propcache==0.5.4 pybind11==3.1.0 python-dateutil==4.0.0
  pytz==2026.6 PyYAML==6.0.3 requests==2.34.2 requests-file==3.0.1 six==1.17.0 tld==0.13.2
  truststore==0.10.5 typing_extensions==4.16.0 tzdata==2026.6 tzlocal==5.4.5 urllib3==2.8.0
  yarl==1.25.1
)

# --- inputs -------------------------------------------------------------------------------
fixtures="${NYA_FIXTURES:-$repo/../shared/fixtures}"
[[ -d "$fixtures/refine" ]] ||
  die "no refine fixtures at $fixtures/refine (set NYA_FIXTURES to the shared fixtures folder)"
fixtures=$(cd "$fixtures" && pwd)
for asset in lid/lid.176.ftz punkt_tab_english/collocations.tab urlfilter/banned_words.txt \
  urlfilter/ut1-adult-blacklist.tar.gz; do
  [[ -f "$fixtures/refine/$asset" ]] || die "missing fixture $fixtures/refine/$asset"
done

warcs=()
if (($# == 0)); then
  for warc in "$fixtures"/refine/warc/*.warc.gz; do
    [[ -f "$warc" ]] && warcs+=("$warc")
  done
  ((${#warcs[@]} > 0)) || die "no WARC files in $fixtures/refine/warc; pass some as arguments"
else
  for warc in "$@"; do
    [[ -f "$warc" ]] || die "WARC file $warc not found"
    warcs+=("$(cd "$(dirname "$warc")" && pwd)/$(basename "$warc")")
  done
fi

# --- the nya binary -----------------------------------------------------------------------
if [[ -n "${NYA_BIN:-}" ]]; then
  [[ -x "$NYA_BIN" ]] || die "NYA_BIN=$NYA_BIN is not an executable"
  [[ "$NYA_BIN" != */debug/* ]] || echo "warning: $NYA_BIN looks like a debug build; its timings mean little" >&2
else
  target_dir="${CARGO_TARGET_DIR:-target}"
  [[ "$target_dir" == /* ]] || target_dir="$repo/$target_dir"
  echo "building nya (release)…" >&2
  cargo build --release -p nya-neurons --bin nya >&2
  NYA_BIN="$target_dir/release/nya"
  [[ -x "$NYA_BIN" ]] || die "cargo built no binary at $NYA_BIN"
fi

# --- datatrove ----------------------------------------------------------------------------
# shellcheck source=scripts/xcheck/venv.sh
source scripts/xcheck/venv.sh
PYTHON=$(nya_venv datatrove "$DATATROVE_VERSION" "${DATATROVE_REQUIREMENTS[@]}")

echo "== datatrove $DATATROVE_VERSION stage A, one process, ${#warcs[@]} WARC files ==" >&2
datatrove_out=$(mktemp)
trap 'rm -f "$datatrove_out"' EXIT
# Its report goes to stderr, its result is the last line on stdout.
"$PYTHON" scripts/bench/datatrove_stage_a.py --fixtures "$fixtures" \
  --extract-timeout "${DATATROVE_EXTRACT_TIMEOUT:-0.1}" --runs "${DATATROVE_RUNS:-3}" "${warcs[@]}" >"$datatrove_out" ||
  die "the datatrove run failed (see above)"
result=$(tail -n 1 "$datatrove_out")
read -r dt_rate dt_docs < <(
  "$PYTHON" -c 'import json, sys; r = json.loads(sys.argv[1]); print(r["docs_per_cpu_second"], r["documents"])' \
    "$result"
) || die "could not read datatrove's result line: $result"

# --- nya ----------------------------------------------------------------------------------
echo >&2
echo "== nya bench refine --threads 1 ($NYA_BIN) ==" >&2
nya_out=$(mktemp)
trap 'rm -f "$datatrove_out" "$nya_out"' EXIT
NYA_ASSET_DIR="$fixtures/refine" NYA_ASSET_OFFLINE=1 \
  "$NYA_BIN" bench refine --threads 1 --datatrove-rate "$dt_rate" "${warcs[@]}" | tee "$nya_out"

# The ratio is per document, so both sides must have seen the same documents.
nya_docs=$(sed -n 's/.* \([0-9][0-9]*\) documents$/\1/p' "$nya_out" | head -n 1)
if [[ -n "$nya_docs" && "$nya_docs" != "$dt_docs" ]]; then
  echo "note: nya ran on $nya_docs documents, datatrove's WarcReader yielded $dt_docs;" \
    "the ratio compares per-document speeds over different sets" >&2
fi
