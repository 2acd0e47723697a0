"""Cross-check nya's Hub client and offline hub against huggingface_hub (the Hub's Python client).

Run through scripts/xcheck/hub.sh, which provides the pinned venv and the nya binary. In a fresh
temporary directory:

1. `nya hub serve --port 0` starts the offline hub on a fresh data dir and prints its URL and a
   write token; HF_ENDPOINT and HF_TOKEN point the Python client at it. HF_HUB_DISABLE_XET=1:
   the offline hub offers the git-lfs "basic" transfer, not Xet, so the client must use the LFS
   batch API for large files (it would otherwise go straight to Xet).
2. Python: whoami, create_repo (again with exist_ok), upload_folder of a nya dataset (made by
   `nya demo`) plus a file over the hub's LFS threshold; the tree lists that file as LFS with
   its sha256; list_repo_files and snapshot_download at the revision give the same bytes;
   hf_hub_download follows the LFS redirect.
3. nya fetches Python's revision: as a plain repo (the Hub's LFS sha256 and git blob ids), and
   as a nya dataset, which must be refused while the extra file is there and accepted once
   Python deletes it in a second commit; the first revision still fetches unchanged.
4. nya publishes the demo dataset; Python's repo_info shows that revision as the head, and
   snapshot_download at it gives the folder's bytes; a second nya publish moves main, and the
   first revision still downloads unchanged in Python.
5. Writes without a write token are refused to Python too.

Prints one PASS/FAIL line per check and a summary; exits 1 if any check failed.
"""

import argparse
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

LFS_THRESHOLD = 1 << 20
BIG_FILE = "extra/weights.bin"


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = []

    def check(self, name, condition, detail=""):
        if condition:
            self.passed += 1
            print(f"PASS  {name}")
        else:
            self.failed.append(name)
            print(f"FAIL  {name}" + (f": {detail}" if detail else ""))

    def run(self, name, function):
        """Runs a group of checks; an exception fails the group instead of the whole script."""
        try:
            function()
        except Exception as error:  # noqa: BLE001 - report any failure as a FAIL line
            self.failed.append(name)
            print(f"FAIL  {name}: {type(error).__name__}: {error}")


def tree_bytes(root):
    """Every file under root (except .cache/ and .git/), by relative path."""
    out = {}
    for path in sorted(Path(root).rglob("*")):
        relative = path.relative_to(root).as_posix()
        if relative.split("/")[0] in (".cache", ".git") or not path.is_file():
            continue
        out[relative] = path.read_bytes()
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--nya", required=True)
    parser.add_argument("--expect-version", required=True)
    args = parser.parse_args()
    checks = Checks()
    work = Path(tempfile.mkdtemp(prefix="nya-xcheck-hub-"))
    server = None
    try:
        server = subprocess.Popen(
            [args.nya, "hub", "serve", "--port", "0", "--data-dir", str(work / "hub"),
             "--lfs-threshold", str(LFS_THRESHOLD), "--json"],
            stdout=subprocess.PIPE, text=True,
        )
        started = json.loads(server.stdout.readline())
        url, token, user = started["url"], started["token"], started["user"]
        print(f"offline hub at {url} (user {user})")

        # The client reads its settings at import time.
        os.environ.update({
            "HF_ENDPOINT": url,
            "HF_TOKEN": token,
            "HF_HOME": str(work / "hf-home"),
            "HF_HUB_DISABLE_XET": "1",
            "HF_HUB_DISABLE_TELEMETRY": "1",
            "HF_HUB_DISABLE_PROGRESS_BARS": "1",
        })
        os.environ.pop("HF_HUB_OFFLINE", None)
        import huggingface_hub
        from huggingface_hub import CommitOperationDelete, HfApi, hf_hub_download, snapshot_download
        from huggingface_hub.errors import HfHubHTTPError

        checks.check("huggingface_hub version", huggingface_hub.__version__ == args.expect_version,
                     huggingface_hub.__version__)
        api = HfApi(endpoint=url, token=token)
        nya_env = dict(os.environ)

        def nya(*argv, expect_ok=True):
            result = subprocess.run([args.nya, *argv], capture_output=True, text=True, env=nya_env)
            if expect_ok and result.returncode != 0:
                raise RuntimeError(f"nya {' '.join(argv)} failed: {result.stderr.strip()}")
            return result

        demo = work / "demo"
        nya("demo", "--dir", str(demo))
        dataset = demo / "dataset"

        # 2. Python writes and reads.
        upload = work / "py-upload"
        shutil.copytree(dataset, upload)
        big = os.urandom(LFS_THRESHOLD + 123_457)
        (upload / BIG_FILE).parent.mkdir(parents=True)
        (upload / BIG_FILE).write_bytes(big)
        py_repo = f"{user}/from-python"
        state = {}

        def python_writes():
            checks.check("whoami", api.whoami()["name"] == user)
            repo_url = api.create_repo(py_repo, repo_type="dataset")
            checks.check("create_repo", repo_url.repo_id == py_repo, str(repo_url))
            api.create_repo(py_repo, repo_type="dataset", exist_ok=True)
            try:
                api.create_repo(py_repo, repo_type="dataset")
                checks.check("create_repo twice is a conflict", False)
            except HfHubHTTPError as error:
                checks.check("create_repo twice is a conflict", error.response.status_code == 409)
            info = api.upload_folder(folder_path=str(upload), repo_id=py_repo, repo_type="dataset",
                                     commit_message="from python")
            state["rev1"] = info.oid
            checks.check("upload_folder returns a 40-hex commit", len(info.oid) == 40, info.oid)
            files = api.list_repo_files(py_repo, repo_type="dataset", revision=info.oid)
            expected = sorted(set(tree_bytes(upload)) | {".gitattributes"})
            checks.check("list_repo_files", sorted(files) == expected, f"{files} != {expected}")
            entries = {e.path: e for e in api.list_repo_tree(py_repo, repo_type="dataset",
                                                             revision=info.oid, recursive=True)
                       if hasattr(e, "lfs")}
            lfs = entries[BIG_FILE].lfs
            checks.check("the large file went through the LFS batch API, sha256 listed",
                         lfs is not None and lfs.sha256 == hashlib.sha256(big).hexdigest(), repr(lfs))
            got = snapshot_download(py_repo, repo_type="dataset", revision=info.oid,
                                    cache_dir=str(work / "py-cache"))
            checks.check("snapshot_download at the revision has the uploaded bytes",
                         tree_bytes(got) == {**tree_bytes(upload), ".gitattributes": tree_bytes(got).get(".gitattributes")})
            path = hf_hub_download(py_repo, BIG_FILE, repo_type="dataset", revision=info.oid,
                                   cache_dir=str(work / "py-cache-2"))
            checks.check("hf_hub_download follows the LFS redirect", Path(path).read_bytes() == big)

        checks.run("python writes and reads", python_writes)

        # 3. nya reads what Python wrote.
        def nya_reads_python():
            rev1 = state["rev1"]
            out = work / "nya-fetch-plain"
            nya("hub", "fetch", f"{py_repo}@{rev1}", "--out", str(out), "--mode", "hub-lfs")
            fetched = tree_bytes(out)
            fetched.pop(".gitattributes", None)
            checks.check("nya fetches Python's upload (hub-lfs mode), bytes equal",
                         fetched == tree_bytes(upload))
            refused = nya("hub", "fetch", f"{py_repo}@{rev1}", "--out", str(work / "nya-strict"),
                          expect_ok=False)
            checks.check("nya refuses it as a dataset while a file is not in the manifest",
                         refused.returncode != 0 and f"{BIG_FILE}: in the repo but not listed" in refused.stderr,
                         refused.stderr.strip())
            info = api.create_commit(py_repo, repo_type="dataset", commit_message="drop extra",
                                     operations=[CommitOperationDelete(BIG_FILE)])
            out2 = work / "nya-fetch-dataset"
            nya("hub", "fetch", f"{py_repo}@{info.oid}", "--out", str(out2))
            checks.check("nya fetches Python's second revision as a verified dataset",
                         {k: v for k, v in tree_bytes(out2).items() if k != ".gitattributes"} == tree_bytes(dataset))
            again = work / "nya-fetch-rev1-again"
            nya("hub", "fetch", f"{py_repo}@{rev1}", "--out", str(again), "--mode", "hub-lfs")
            checks.check("the first revision still fetches unchanged", (again / BIG_FILE).read_bytes() == big)

        checks.run("nya reads what Python wrote", nya_reads_python)

        # 4. Python reads what nya published.
        def python_reads_nya():
            nya_repo = f"{user}/from-nya"
            published = json.loads(nya("hub", "publish", str(dataset), "--repo", nya_repo,
                                       "--message", "from nya", "--json").stdout)
            rev = published["revision"]
            checks.check("nya publish returns a 40-hex revision", len(rev) == 40, rev)
            checks.check("repo_info shows nya's revision as the head",
                         api.repo_info(nya_repo, repo_type="dataset").sha == rev)
            got = snapshot_download(nya_repo, repo_type="dataset", revision=rev,
                                    cache_dir=str(work / "py-cache-3"))
            downloaded = {k: v for k, v in tree_bytes(got).items() if k != ".gitattributes"}
            checks.check("Python downloads nya's revision, bytes equal", downloaded == tree_bytes(dataset))
            changed = work / "changed"
            shutil.copytree(dataset, changed)
            (changed / "README.md").write_text("# changed card\n")
            second = json.loads(nya("hub", "publish", str(changed), "--repo", nya_repo, "--no-manifest",
                                    "--json").stdout)["revision"]
            checks.check("a second nya publish moves main", second != rev and
                         api.repo_info(nya_repo, repo_type="dataset").sha == second)
            old = hf_hub_download(nya_repo, "README.md", repo_type="dataset", revision=rev,
                                  cache_dir=str(work / "py-cache-4"))
            checks.check("the first revision still downloads unchanged",
                         Path(old).read_bytes() == (dataset / "README.md").read_bytes())

        checks.run("Python reads what nya published", python_reads_nya)

        # 5. Tokens.
        def tokens():
            anonymous = HfApi(endpoint=url, token=False)
            try:
                anonymous.create_repo(f"{user}/anonymous", repo_type="dataset")
                checks.check("a write without a token is refused", False)
            except HfHubHTTPError as error:
                checks.check("a write without a token is refused", error.response.status_code == 401)

        checks.run("tokens", tokens)
    finally:
        if server is not None:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(work, ignore_errors=True)

    total = checks.passed + len(checks.failed)
    print(f"\n{checks.passed}/{total} checks passed")
    if checks.failed:
        print("failed: " + ", ".join(checks.failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
