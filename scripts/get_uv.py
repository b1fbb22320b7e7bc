"""Install uv from PyPI with nothing but the standard library (set-up only).

``make`` runs this when ``uv`` is not on PATH and ``python3 -m venv`` cannot
make a venv with pip in it (Debian without ``python3-venv``)::

    python3 scripts/get_uv.py VERSION DEST      # e.g. 0.13.9 .venv-uv/bin/uv

It looks the release up in PyPI's simple index (the JSON form of PEP 691, as
pip does), downloads the uv wheel for this machine, checks its sha256 against
the index, and copies the ``uv`` binary out of it to DEST. ``PIP_INDEX_URL``,
when set, names a mirror with the same API.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import platform
import sys
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

ARCHES = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64"}


def wheel_tags() -> tuple[str, str]:
    """(libc family, machine) of this Linux machine as wheel platform tags spell them."""
    if not sys.platform.startswith("linux"):
        sys.exit("get_uv.py: only Linux is handled; install uv yourself (pip install uv).")
    machine = ARCHES.get(platform.machine().lower())
    if machine is None:
        sys.exit(f"get_uv.py: no uv wheel known for {platform.machine()}; pip install uv.")
    libc = "manylinux" if platform.libc_ver()[0] == "glibc" else "musllinux"
    return libc, machine


def choose(files: list[dict], version: str, libc: str, machine: str) -> dict:
    """The wheel of uv ``version`` among ``files`` (PEP 691) built for ``libc`` on ``machine``."""
    for f in files:
        name = f["filename"]
        if (name.startswith(f"uv-{version}-") and f"{libc}_" in name
                and name.endswith(f"_{machine}.whl") and not f.get("yanked")):
            return f
    sys.exit(f"get_uv.py: the index lists no {libc} {machine} wheel of uv {version}.")


def main(version: str, dest: str) -> None:
    base = os.environ.get("PIP_INDEX_URL", "https://pypi.org/simple").rstrip("/")
    request = urllib.request.Request(f"{base}/uv/",
                                     headers={"Accept": "application/vnd.pypi.simple.v1+json"})
    with urllib.request.urlopen(request, timeout=60) as r:
        index = json.load(r)
    wheel = choose(index["files"], version, *wheel_tags())
    url = urllib.parse.urljoin(f"{base}/uv/", wheel["url"])
    with urllib.request.urlopen(url, timeout=300) as r:
        data = r.read()
    if hashlib.sha256(data).hexdigest() != wheel["hashes"]["sha256"]:
        sys.exit(f"get_uv.py: {wheel['filename']} does not match PyPI's sha256; not installed.")
    member = f"uv-{version}.data/scripts/uv"
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        binary = zf.read(member)
    target = Path(dest)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.part")
    tmp.write_bytes(binary)
    tmp.chmod(0o755)
    os.replace(tmp, target)
    print(f"installed uv {version} ({wheel['filename']}) as {target}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
