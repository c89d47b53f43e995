"""Keel as an installed package: a built wheel works from any directory; every import declared.

The wheel test installs Keel's wheel (not the checkout) into a fresh virtual environment outside
the repository. Its dependencies come from the project's own .venv through a `.pth` line (that
directory's own `.pth` files, among them the editable install's, are not processed), so the test
needs no download, and `import assistant` can only come from the wheel.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import venv
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    return {re.split(r"[\[<>=!~ ;]", n, maxsplit=1)[0].lower().replace("_", "-") for n in names}


def _imports(folder: Path) -> set[str]:
    found: set[str] = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                found |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found


def test_every_third_party_import_is_a_declared_dependency() -> None:
    dists = packages_distributions()
    own = {"assistant", "evals"}
    missing = {}
    for module in sorted(_imports(ROOT / "assistant") | _imports(ROOT / "evals")):
        if module in sys.stdlib_module_names or module in own or module == "__future__":
            continue
        names = {d.lower().replace("_", "-") for d in dists.get(module, [])}
        if not names & _declared():
            missing[module] = sorted(names) or ["(not installed)"]
    assert not missing, f"imported but not declared in pyproject.toml: {missing}"


def test_the_product_never_reads_the_shared_folder() -> None:
    for folder in ("assistant", "evals"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text()
            assert "../shared" not in text and not re.search(r"/ ?[\"']shared[\"']", text), path


@pytest.mark.packaging
def test_wheel_installs_and_runs_from_anywhere(tmp_path: Path) -> None:
    # Built from a copy of the tracked files: an in-tree build would leave build/ behind, whose
    # stale modules a later build would package.
    source = tmp_path / "source"
    listing = ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"]
    tracked = subprocess.run(listing, cwd=ROOT, check=True,
                             capture_output=True).stdout.decode().split("\0")
    for name in filter(None, tracked):
        target = source / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if (ROOT / name).is_symlink():
            target.symlink_to(os.readlink(ROOT / name))
        elif (ROOT / name).is_file():
            shutil.copy2(ROOT / name, target)
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(dist), str(source)], check=True, cwd=tmp_path)
    wheel = next(dist.glob("keel-*.whl"))
    env_dir = tmp_path / "fresh-venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", wheel],
                   check=True, cwd=tmp_path)
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          check=True, capture_output=True, text=True).stdout.strip()
    (Path(site) / "keel-deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    env = {**os.environ, "KEEL_DATA_DIR": str(tmp_path / "data"), "KEEL_LLM_PROVIDER": "fake"}
    work = tmp_path / "elsewhere"
    work.mkdir()

    def keel(*args: str) -> str:
        done = subprocess.run([env_dir / "bin" / "keel", *args], cwd=work, env=env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    where = subprocess.run([python, "-c", "import assistant, evals; print(assistant.__file__);"
                            "print(evals.__file__)"], cwd=work, env=env, check=True,
                           capture_output=True, text=True).stdout.split()
    assert all(w.startswith(str(env_dir)) for w in where), where
    assert "index" in keel("--help") and "ask" in keel("--help")
    report = json.loads(keel("-w", "sample", "index", "--sample", "--json"))
    assert len(report["added"]) == 13 and not report["failed"]
    answer = json.loads(keel("-w", "sample", "ask", "What will we not do?", "--json"))
    assert answer["citations"] and answer["citations"][0]["document"].startswith("knowledge/")
    cases = subprocess.run([python, "-c", "from evals.cases import load_cases; "
                            "print(len(load_cases()))"], cwd=work, env=env, check=True,
                           capture_output=True, text=True).stdout
    assert int(cases) > 50
    check = subprocess.run([python, "-m", "pip", "check"], cwd=work, env=env,
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout
