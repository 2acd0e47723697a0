# shellcheck shell=bash
# Shared helper for the cross-check scripts (scripts/xcheck/*.sh): a Python virtual environment
# with one pinned package, cached OUTSIDE the clone and reused, so a cross-check needs PyPI only
# the first time and runs offline afterwards.
#
# Usage, from a cross-check script run at the repository root:
#
#   source scripts/xcheck/venv.sh
#   PYTHON=$(nya_venv bittensor-wallet 4.1.1)             # the venv's python, on stdout
#   PYTHON=$(nya_venv some-package 1.2.3 other==4.5.6)    # extra requirements, pin them too
#
# The venv lives in ${NYA_CACHE:-$HOME/.cache/nya}/venvs/<package>-<version>. It counts as ready
# only once every install succeeded (a marker file records the exact requirements), so an
# interrupted install is redone, and a lock keeps two concurrent runs from building it at once.
# NYA_PYTHON picks the base interpreter (default python3). pip's output goes to stderr.

nya_venv() {
  local package="$1" version="$2"
  shift 2
  local cache="${NYA_CACHE:-$HOME/.cache/nya}/venvs"
  local dir="$cache/$package-$version"
  local spec="$package==$version${*:+ $*}"
  local marker="$dir/.nya-ready"

  if [[ -f "$marker" && "$(cat "$marker")" == "$spec" ]]; then
    printf '%s\n' "$dir/bin/python"
    return 0
  fi
  mkdir -p "$cache"
  (
    if command -v flock >/dev/null; then
      flock 9
    fi
    # Another run may have finished it while this one waited for the lock.
    if [[ -f "$marker" && "$(cat "$marker")" == "$spec" ]]; then
      exit 0
    fi
    echo "venv.sh: creating $dir ($spec); later runs reuse it offline" >&2
    rm -rf "$dir"
    "${NYA_PYTHON:-python3}" -m venv "$dir" >&2
    "$dir/bin/python" -m pip install --quiet --disable-pip-version-check \
      "$package==$version" "$@" >&2
    printf '%s' "$spec" >"$marker"
  ) 9>"$cache/.$package-$version.lock" || {
    echo "venv.sh: could not install $spec into $dir (is PyPI reachable?)" >&2
    return 1
  }
  printf '%s\n' "$dir/bin/python"
}
