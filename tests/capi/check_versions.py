#!/usr/bin/env python3
"""The version has one home, include/btopt/btopt.h; every package file agrees.

usage: check_versions.py SOURCE_DIR
"""
import re
import sys
from pathlib import Path

src = Path(sys.argv[1])
header = (src / "include/btopt/btopt.h").read_text()
parts = {k: int(re.search(r"#define BTOPT_VERSION_%s (\d+)" % k, header).group(1)) for k in ("MAJOR", "MINOR", "PATCH")}
version = "%(MAJOR)d.%(MINOR)d.%(PATCH)d" % parts
string = re.search(r'#define BTOPT_VERSION_STRING "([^"]+)"', header).group(1)

copies = {
    "BTOPT_VERSION_STRING in btopt.h": string,
    "bindings/python/pyproject.toml": re.search(r'^version = "([^"]+)"', (src / "bindings/python/pyproject.toml").read_text(), re.M),
    "bindings/python/src/btopt/__init__.py": re.search(r'^__version__ = "([^"]+)"', (src / "bindings/python/src/btopt/__init__.py").read_text(), re.M),
    "bindings/rust/Cargo.toml": re.search(r'^version = "([^"]+)"', (src / "bindings/rust/Cargo.toml").read_text(), re.M),
    "bindings/rust/btopt-sys/Cargo.toml": re.search(r'^version = "([^"]+)"', (src / "bindings/rust/btopt-sys/Cargo.toml").read_text(), re.M),
    "bindings/julia/Project.toml": re.search(r'^version = "([^"]+)"', (src / "bindings/julia/Project.toml").read_text(), re.M),
}
bad = 0
for where, found in copies.items():
    found = found if isinstance(found, str) else (found.group(1) if found else None)
    if found != version:
        print("FAIL %s says %s; btopt.h says %s" % (where, found, version))
        bad += 1
print("version %s; %d copies disagree" % (version, bad))
sys.exit(1 if bad else 0)
