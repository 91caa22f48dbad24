#!/usr/bin/env python3
"""Every copy of the option list agrees with the catalogue.

The catalogue (src/core/options.cpp, read here through btopt_option_info by
option_catalogue.c) is the one home of the options. This check fails when
btopt.h's option list, btopt.hpp's Options, the btopt command's flags or a
binding names an option the catalogue lacks or misses one it has, so a new
option cannot be forgotten in one of them.

usage: check_option_catalogue.py OPTION_CATALOGUE_EXE BTOPT_CLI SOURCE_DIR
"""
import ast
import re
import subprocess
import sys
import textwrap
from pathlib import Path

failures = []


def expect_same(where, found, catalogue):
    missing, extra = sorted(catalogue - found), sorted(found - catalogue)
    if missing or extra:
        failures.append("%s: missing %s, not in the catalogue %s" % (where, missing or "none", extra or "none"))


def read_catalogue(exe):
    rows = subprocess.run([exe], check=True, capture_output=True, text=True).stdout.splitlines()
    return [dict(zip(("name", "type", "default", "applies_to", "cli_flag", "doc"), r.split("\t"))) for r in rows]


def header_list(options):
    """btopt.h's option list as the catalogue writes it."""
    lines = []
    for o in options:
        default = o["default"] if o["default"] != "" else '""'
        text = "%s (%s, default %s; %s): %s" % (o["name"], o["type"], default, o["applies_to"], o["doc"])
        lines += textwrap.wrap(text, 74, initial_indent=" *   ", subsequent_indent=" *       ",
                               break_on_hyphens=False)
    return lines


def check_header(src, options):
    text = (src / "include/btopt/btopt.h").read_text().splitlines()
    start = next(i for i, line in enumerate(text) if "Options, by name" in line) + 1
    end = start
    while end < len(text) and text[end].startswith(" *   "):
        end += 1
    want = header_list(options)
    if text[start:end] != want:
        failures.append("include/btopt/btopt.h: the option list differs from the catalogue; it should read:\n"
                        + "\n".join(want))


def check_cpp(src, names):
    text = (src / "include/btopt/btopt.hpp").read_text()
    body = re.search(r"struct Options \{(.*?)\n\};", text, re.S).group(1)
    members = set(re.findall(r"(\w+)\{\}", body)) - {"callback", "progress"}
    expect_same("btopt.hpp struct Options", members, names)
    setter = re.search(r"void set_options\(.*?\n    \}", text, re.S).group(0)
    expect_same("btopt.hpp set_options", set(re.findall(r'"(\w+)"', setter)), names)


def check_cli(cli, options):
    help_text = subprocess.run([cli, "run", "--help"], capture_output=True, text=True).stdout
    for o in options:
        if o["cli_flag"] and not re.search(re.escape(o["cli_flag"]) + r"\b", help_text):
            failures.append("btopt run --help: no %s flag for option %s" % (o["cli_flag"], o["name"]))


def check_python(src, names):
    tree = ast.parse((src / "bindings/python/src/btopt/optimizer.py").read_text())
    init = next(f for c in ast.walk(tree) if isinstance(c, ast.ClassDef) and c.name == "ParallelOptimizer"
                for f in c.body if isinstance(f, ast.FunctionDef) and f.name == "__init__")
    args = {a.arg for a in init.args.args + init.args.kwonlyargs}
    not_options = {"self", "objective_function", "parameter_space", "algorithm", "plugin", "plugin_config",
                   "objective_metric", "callback", "progress", "deterministic", "client"}
    expect_same("bindings/python ParallelOptimizer.__init__", args - not_options, names)


def check_calls(where, path, pattern, names):
    expect_same(where, set(re.findall(pattern, path.read_text())), names)


def check_julia(src, names):
    text = (src / "bindings/julia/src/optimizer.jl").read_text()
    paragraph = re.search(r"Options, by btopt's names:(.*?)and any option", text, re.S).group(1)
    keywords = re.search(r"function ParallelOptimizer\(;(.*?)\)\n", text, re.S).group(1)
    listed = set(re.findall(r"`(\w+)`", paragraph)) | (set(re.findall(r"(\w+)(?:::\w+)?=", keywords)) & names)
    expect_same("bindings/julia ParallelOptimizer docs and keywords", listed, names)


def main():
    exe, cli, src = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    options = read_catalogue(exe)
    names = {o["name"] for o in options}
    if len(names) != len(options) or len(options) < 10:
        failures.append("the catalogue lists %d options, %d names" % (len(options), len(names)))
    check_header(src, options)
    check_cpp(src, names)
    check_cli(cli, options)
    check_python(src, names)
    check_calls("bindings/go options.go", src / "bindings/go/options.go", r'Set(?:Int|Float|String)\("(\w+)"', names)
    check_calls("bindings/rust optimizer.rs", src / "bindings/rust/src/optimizer.rs",
                r'set_(?:int|double|str|string)\("(\w+)"', names)
    check_julia(src, names)
    for f in failures:
        print("FAIL", f)
    print("%d options; %d copies disagree" % (len(options), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
