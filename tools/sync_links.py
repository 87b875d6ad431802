"""Keep every Binder, nbgitpuller and GitHub link in step with the ONE repository URL.

    python tools/sync_links.py            # lists links that disagree (exit 1 if any)
    python tools/sync_links.py --write    # rewrites them from pyproject.toml

The repository's address lives in ``pyproject.toml`` (``[project.urls] Repository``).
Publishing the suite under a new address: edit that line, run ``--write``, commit.
``tests/test_links.py`` fails while README.md, notebooks/00_start_here.ipynb or
docs/instructors.md name another repository.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from urllib.parse import quote

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = None

ROOT = Path(__file__).resolve().parents[1]
FILES = ("README.md", "notebooks/00_start_here.ipynb", "docs/instructors.md")
BRANCH = "main"

# owner/repo in each kind of link (group "repo" = owner/repository)
_BINDER = re.compile(r"https://mybinder\.org/v2/gh/(?P<repo>[\w.-]+/[\w.-]+)/")
_GITHUB = re.compile(r"https://github\.com/(?P<repo>[\w.-]+/[\w.-]*[\w-])")
_PULLER = re.compile(r"repo=https%3A%2F%2Fgithub\.com%2F(?P<repo>[\w.-]+%2F[\w.-]+)")


def repository_url(pyproject: Path = ROOT / "pyproject.toml") -> str:
    text = pyproject.read_text(encoding="utf-8")
    if tomllib is not None:
        url = tomllib.loads(text)["project"]["urls"]["Repository"]
    else:
        url = re.search(r'^Repository\s*=\s*"([^"]+)"', text, re.M).group(1)
    if not re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", url):
        raise ValueError(f"[project.urls] Repository = {url!r}: expected "
                         "https://github.com/OWNER/REPOSITORY")
    return url


def owner_repo(url: str | None = None) -> str:
    return (url or repository_url()).removeprefix("https://github.com/")


def binder_link(notebook: str = "00_start_here.ipynb", url: str | None = None) -> str:
    return (f"https://mybinder.org/v2/gh/{owner_repo(url)}/{BRANCH}"
            f"?urlpath=lab/tree/notebooks/{notebook}")


def nbgitpuller_link(hub: str, notebook: str = "00_start_here.ipynb",
                     url: str | None = None) -> str:
    """An nbgitpuller link: clones (or updates) the suite into each user's home on ``hub``."""
    url = url or repository_url()
    folder = url.rsplit("/", 1)[-1]
    return (f"{hub.rstrip('/')}/hub/user-redirect/git-pull?repo={quote(url, safe='')}"
            f"&branch={BRANCH}&urlpath={quote(f'lab/tree/{folder}/notebooks/{notebook}', safe='')}")


def links(text: str):
    """(kind, owner/repo) of every repository link in ``text``."""
    for kind, rx in (("binder", _BINDER), ("github", _GITHUB), ("nbgitpuller", _PULLER)):
        for m in rx.finditer(text):
            yield kind, m.group("repo").replace("%2F", "/")


def disagreements(root: Path = ROOT) -> list[str]:
    want = owner_repo(repository_url(root / "pyproject.toml"))
    bad = []
    for name in FILES:
        path = root / name
        if not path.exists():
            bad.append(f"{name}: missing")
            continue
        found = list(links(path.read_text(encoding="utf-8")))
        if not any(kind == "binder" for kind, _ in found):
            bad.append(f"{name}: no Binder link")
        bad += [f"{name}: {kind} link to {repo}, expected {want}"
                for kind, repo in found if repo != want]
    return bad


def write(root: Path = ROOT) -> list[str]:
    url = repository_url(root / "pyproject.toml")
    want = owner_repo(url)
    folder = want.split("/")[1]
    changed = []
    for name in FILES:
        path = root / name
        text = old = path.read_text(encoding="utf-8")
        text = _BINDER.sub(f"https://mybinder.org/v2/gh/{want}/", text)
        text = _GITHUB.sub(f"https://github.com/{want}", text)
        text = _PULLER.sub(f"repo={quote(url, safe='')}", text)
        text = re.sub(r"(urlpath=lab%2Ftree%2F)[\w.-]+(%2Fnotebooks)", rf"\g<1>{folder}\g<2>",
                      text)
        if text != old:
            path.write_text(text, encoding="utf-8")
            changed.append(name)
    return changed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite the links in place")
    args = parser.parse_args(argv)
    if args.write:
        for name in write():
            print(f"rewrote {name}")
    bad = disagreements()
    for line in bad:
        print(line)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
