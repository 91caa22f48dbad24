#!/usr/bin/env python3
"""Checks the Julia binding's ccalls against the C header.

Every ``ccall((:btopt_xxx, lib), RetType, (ArgTypes...), args...)`` in the
Julia sources must name a function the header declares, pass as many argument
types as it has parameters (and as many values as types), and use Julia types
that match the C types:

    Cint / Int32          int32_t, int, and the header's enums (btopt_status ...)
    UInt32 / Cuint        uint32_t
    Int64 / Clonglong     int64_t
    UInt64 / Culonglong   uint64_t
    Csize_t               size_t
    Cdouble / Float64     double
    Cvoid / Nothing       void (return type)
    Cstring, Ptr{UInt8}, Ptr{Cchar}          const char *
    Ptr{Ptr{UInt8}}, Ptr{Cstring}, Ref{...}  const char **, const char *const *
    Ptr{Cvoid}            any opaque handle, void *, or function pointer
    Ptr{Ptr{Cvoid}} / Ref{Ptr{Cvoid}}        T ** out parameters
    Ptr{T} / Ref{T}       T * (Ref only for arguments)

Usage:
    check_julia_ccalls.py --header include/btopt/btopt.h --src bindings/julia/src
    check_julia_ccalls.py --self-test        # proves it catches a wrong type and a wrong arity

Exits 0 when everything matches, 1 listing each mismatch, 2 on a usage or
parse problem. Python 3 standard library only.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile

# ---------------------------------------------------------------- the header

C_SCALARS = {
    "void": "void",
    "int32_t": "i32",
    "int": "i32",
    "uint32_t": "u32",
    "int64_t": "i64",
    "uint64_t": "u64",
    "size_t": "usize",
    "double": "f64",
    "char": "char",
}
C_QUALIFIERS = {"const", "volatile", "struct", "enum", "restrict", "unsigned_never"}


class Header:
    def __init__(self, text: str):
        text = _strip_c_comments(text)
        self.enums = set(re.findall(r"typedef\s+enum\s+\w*\s*\{[^}]*\}\s*(\w+)\s*;", text))
        self.opaque = set(re.findall(r"typedef\s+struct\s+\w+\s+(\w+)\s*;", text))
        # Structs with fields (btopt_option_desc) cross only by pointer: like
        # opaque handles, a Ptr{Cvoid} or a Ref to a Julia struct of that layout.
        self.opaque |= set(re.findall(r"typedef\s+struct\s+\w+\s*\{[^}]*\}\s*(\w+)\s*;", text))
        self.fnptrs = set(re.findall(r"typedef\s+[^;()]*\(\s*\*\s*(\w+)\s*\)\s*\([^;]*\)\s*;", text))
        self.functions = {}  # name -> (return C type, [parameter C types])
        for match in re.finditer(r"\bBTOPT_API\s+([^;{}]*?)\b(btopt_\w+)\s*\(([^;]*?)\)\s*;", text, re.S):
            ret, name, params = match.group(1), match.group(2), match.group(3).strip()
            if params in ("", "void"):
                plist = []
            else:
                plist = [p.strip() for p in _split_top(params)]
            self.functions[name] = (" ".join(ret.split()), [" ".join(p.split()) for p in plist])

    def canon(self, ctype: str, is_param: bool) -> str:
        """'i64', 'char*', 'void*', 'void**', ...: opaque handles and function
        pointers are void pointers, enums are i32."""
        if "(" in ctype:  # an inline function pointer parameter
            return "void*"
        tokens = re.findall(r"[A-Za-z_]\w*|\*", ctype)
        words = [t for t in tokens if t != "*" and t not in C_QUALIFIERS]
        stars = tokens.count("*")
        if is_param and len(words) >= 2:
            words = words[:-1]  # the parameter's name
        if len(words) != 1:
            raise ValueError("cannot read C type %r" % ctype)
        base = words[0]
        if base in C_SCALARS:
            scalar = C_SCALARS[base]
        elif base in self.enums:
            scalar = "i32"
        elif base in self.opaque:
            if stars == 0:
                raise ValueError("opaque type %r by value" % ctype)
            scalar = "void"
        elif base in self.fnptrs:
            scalar, stars = "void", stars + 1
        else:
            raise ValueError("unknown C type %r" % ctype)
        return scalar + "*" * stars


def _strip_c_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", lambda m: re.sub(r"[^\n]", " ", m.group(0)), text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def _split_top(text: str):
    """Splits at commas outside (), {} and []."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "({[":
            depth += 1
        elif ch in ")}]":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


# ---------------------------------------------------------------- Julia side

JULIA_SCALARS = {
    "Cvoid": "void",
    "Nothing": "void",
    "Cint": "i32",
    "Int32": "i32",
    "Cuint": "u32",
    "UInt32": "u32",
    "Int64": "i64",
    "Clonglong": "i64",
    "UInt64": "u64",
    "Culonglong": "u64",
    "Csize_t": "usize",
    "Cdouble": "f64",
    "Float64": "f64",
    "UInt8": "char",
    "Cchar": "char",
    "Cuchar": "char",
    "Int8": "char",
}


def julia_canon(expr: str, is_return: bool) -> str:
    """The canonical form of a Julia type expression, as for C types."""
    expr = expr.strip()
    expr = re.sub(r"^(Base|Core)\.", "", expr)
    m = re.fullmatch(r"(\w+)\s*\{(.*)\}", expr, re.S)
    if m:
        wrapper, inner = m.group(1), m.group(2)
        if len(_split_top(inner)) != 1:
            raise ValueError("cannot map Julia type %s" % expr)
        if wrapper == "Ref":
            if is_return:
                raise ValueError("Ref{...} is not a valid ccall return type: use Ptr{...}")
        elif wrapper != "Ptr":
            raise ValueError("cannot map Julia type %s" % expr)
        return julia_canon(inner, False) + "*"
    if expr == "Cstring":
        return "char*"
    if expr in JULIA_SCALARS:
        return JULIA_SCALARS[expr]
    raise ValueError("cannot map Julia type %s" % expr)


def compatible(julia: str, c: str) -> bool:
    if julia == c:
        return True
    # Ptr{Cvoid} stands for any pointer to something opaque (handled above:
    # opaque handles and function pointers already read as void*).
    return False


def blank_comments_and_strings(src: str) -> str:
    """The source with comments and string/char literal contents blanked
    (newlines kept, so line numbers stay right)."""
    out = list(src)
    i, n = 0, len(src)

    def blank(a, b):
        for k in range(a, b):
            if out[k] != "\n":
                out[k] = " "

    while i < n:
        if src.startswith("#=", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if src.startswith("#=", j):
                    depth, j = depth + 1, j + 2
                elif src.startswith("=#", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            blank(i, j)
            i = j
        elif src[i] == "#":
            j = src.find("\n", i)
            j = n if j < 0 else j
            blank(i, j)
            i = j
        elif src.startswith('"""', i):
            j = src.find('"""', i + 3)
            j = n if j < 0 else j + 3
            blank(i + 3, j - 3)
            i = j
        elif src[i] == '"':
            j = i + 1
            while j < n and src[j] != '"':
                j += 2 if src[j] == "\\" else 1
            blank(i + 1, j)
            i = j + 1
        elif src[i] == "'" and (i == 0 or not (src[i - 1].isalnum() or src[i - 1] in "_)]}'")):
            m = re.match(r"'(\\.[^']*|[^'\\])'", src[i:])
            if m:
                blank(i + 1, i + m.end() - 1)
                i += m.end()
            else:
                i += 1
        else:
            i += 1
    return "".join(out)


class CcallSite:
    def __init__(self, path, line, symbol, ret, argtypes, nvalues):
        self.path, self.line, self.symbol = path, line, symbol
        self.ret, self.argtypes, self.nvalues = ret, argtypes, nvalues

    def where(self):
        return "%s:%d" % (self.path, self.line)


def find_ccalls(path: str, src: str, problems: list):
    clean = blank_comments_and_strings(src)
    sites = []
    for m in re.finditer(r"@ccall\b", clean):
        line = clean.count("\n", 0, m.start()) + 1
        problems.append("%s:%d: @ccall cannot be checked: write ccall((:btopt_xxx, lib), ...)" % (path, line))
    for m in re.finditer(r"(?<![\w.])ccall\s*\(", clean):
        line = clean.count("\n", 0, m.start()) + 1
        open_at = m.end() - 1
        depth, j = 0, open_at
        while j < len(clean):
            if clean[j] in "({[":
                depth += 1
            elif clean[j] in ")}]":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        if depth != 0:
            problems.append("%s:%d: unbalanced parentheses in a ccall" % (path, line))
            continue
        args = [a.strip() for a in _split_top(clean[open_at + 1:j])]
        target = re.fullmatch(r"\(\s*:(\w+)\s*,\s*[^,]+?\s*\)", args[0]) if args else None
        if not target:
            problems.append("%s:%d: ccall target %r is not (:symbol, library)" % (path, line, args[0] if args else ""))
            continue
        symbol = target.group(1)
        if not symbol.startswith("btopt_"):
            continue  # not ours to check
        if len(args) < 3:
            problems.append("%s:%d: %s: ccall needs a return type and an argument type tuple" % (path, line, symbol))
            continue
        types = args[2]
        tm = re.fullmatch(r"\((.*)\)", types, re.S)
        if not tm:
            problems.append("%s:%d: %s: argument types %r are not a tuple" % (path, line, symbol, types))
            continue
        argtypes = [t.strip() for t in _split_top(tm.group(1))]
        if argtypes and argtypes[-1] == "":
            argtypes.pop()  # (T,)
        if len(argtypes) == 1 and argtypes[0] == "":
            argtypes = []
        if any(t == "" for t in argtypes):
            problems.append("%s:%d: %s: an empty argument type" % (path, line, symbol))
            continue
        sites.append(CcallSite(path, line, symbol, args[1], argtypes, len(args) - 3))
    return sites


def check(header: Header, sites, problems: list):
    for site in sites:
        where, sym = site.where(), site.symbol
        if sym not in header.functions:
            problems.append("%s: %s is not declared in the header" % (where, sym))
            continue
        cret, cparams = header.functions[sym]
        if len(site.argtypes) != len(cparams):
            problems.append("%s: %s takes %d arguments in the header, the ccall declares %d"
                            % (where, sym, len(cparams), len(site.argtypes)))
        if site.nvalues != len(site.argtypes):
            problems.append("%s: %s: the ccall declares %d argument types but passes %d values"
                            % (where, sym, len(site.argtypes), site.nvalues))
        pairs = [("return type", site.ret, cret, True)]
        pairs += [("argument %d" % (k + 1), jt, ct, False)
                  for k, (jt, ct) in enumerate(zip(site.argtypes, cparams))]
        for what, jtype, ctype, is_return in pairs:
            try:
                c = header.canon(ctype, is_param=not is_return)
            except ValueError as e:
                problems.append("%s: %s %s: %s" % (where, sym, what, e))
                continue
            try:
                j = julia_canon(jtype, is_return)
            except ValueError as e:
                problems.append("%s: %s %s: %s (C: %s)" % (where, sym, what, e, ctype))
                continue
            if not compatible(j, c):
                problems.append("%s: %s %s: Julia %s does not match C %s" % (where, sym, what, jtype, ctype))


def run(header_text: str, sources: dict):
    """Checks {path: julia source}; returns (problems, sites, header)."""
    header = Header(header_text)
    problems, sites = [], []
    for path in sorted(sources):
        sites += find_ccalls(path, sources[path], problems)
    check(header, sites, problems)
    return problems, sites, header


def read_sources(src_dir: str) -> dict:
    sources = {}
    for root, _, files in os.walk(src_dir):
        for name in files:
            if name.endswith(".jl"):
                path = os.path.join(root, name)
                with open(path, encoding="utf-8") as f:
                    sources[path] = f.read()
    return sources


# ---------------------------------------------------------------- self-test

SELF_HEADER = """
#define BTOPT_API __attribute__((visibility("default")))
typedef struct btopt_thing btopt_thing;
typedef enum btopt_status { BTOPT_OK = 0, BTOPT_ERR = 1 } btopt_status;
typedef btopt_status (*btopt_cb)(void *user, const btopt_thing *t, double *score);
/* a comment that mentions BTOPT_API int btopt_ghost(void); */
BTOPT_API btopt_status btopt_make(btopt_thing **out, const char *name, int64_t n);
BTOPT_API void btopt_free(btopt_thing *t);
BTOPT_API const char *btopt_name(const btopt_thing *t, size_t i);
BTOPT_API btopt_status btopt_choices(btopt_thing *t, const char *const *choices, size_t n);
BTOPT_API btopt_status btopt_get(const btopt_thing *t, uint64_t i, const char **text, double *x, int32_t *k);
BTOPT_API btopt_status btopt_hook(btopt_thing *t, btopt_cb fn, void *user);
BTOPT_API uint32_t btopt_version_number(void);
"""

SELF_GOOD = '''
# a comment: ccall((:btopt_make, lib), Cint, (Int32,), 1) is not checked
make(out, name, n) = ccall((:btopt_make, lib), Cint, (Ref{Ptr{Cvoid}}, Cstring, Int64), out, name, n)
free(t) = ccall((:btopt_free, lib), Cvoid, (Ptr{Cvoid},), t)
name(t, i) = ccall((:btopt_name, lib), Ptr{UInt8}, (Ptr{Cvoid}, Csize_t), t, i)
choices(t, c, n) = ccall((:btopt_choices, lib), Int32, (Ptr{Cvoid}, Ptr{Ptr{UInt8}}, Csize_t), t, c, n)
get(t, i, s, x, k) = ccall((:btopt_get, lib), Cint,
                           (Ptr{Cvoid}, UInt64, Ref{Ptr{UInt8}}, Ref{Cdouble}, Ptr{Int32}), t, i, s, x, k)
hook(t, f, u) = ccall((:btopt_hook, lib), Cint, (Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Cvoid}), t, f, u)
v() = ccall((:btopt_version_number, lib), UInt32, ())
s = "ccall((:btopt_nothing, lib), Cint, ())"
pid() = ccall((:getpid, "libc.so.6"), Cint, ())
'''

SELF_CASES = [
    # (name, julia source, words every expected problem has, number of problems)
    ("wrong type", "f(t, i) = ccall((:btopt_name, lib), Ptr{UInt8}, (Ptr{Cvoid}, Int32), t, i)\n",
     ["btopt_name", "argument 2", "Int32", "size_t"], 1),
    ("wrong arity", "f(o, n) = ccall((:btopt_make, lib), Cint, (Ref{Ptr{Cvoid}}, Cstring), o, n)\n",
     ["btopt_make", "3 arguments", "declares 2"], 1),
    ("wrong return type", "v() = ccall((:btopt_version_number, lib), Int64, ())\n",
     ["btopt_version_number", "return type"], 1),
    ("values vs types", "f(t) = ccall((:btopt_free, lib), Cvoid, (Ptr{Cvoid},), t, t)\n",
     ["btopt_free", "passes 2 values"], 1),
    ("undeclared", "f() = ccall((:btopt_ghost, lib), Cint, ())\n", ["btopt_ghost", "not declared"], 1),
    ("double for int64", "f(o, s) = ccall((:btopt_make, lib), Cint, (Ref{Ptr{Cvoid}}, Cstring, Cdouble), o, s, 1.0)\n",
     ["argument 3", "int64_t"], 1),
    ("string for a handle", "f(t) = ccall((:btopt_free, lib), Cvoid, (Cstring,), t)\n", ["argument 1"], 1),
    ("Ref as return", "f(t, i) = ccall((:btopt_name, lib), Ref{UInt8}, (Ptr{Cvoid}, Csize_t), t, i)\n",
     ["return type", "Ref"], 1),
    ("@ccall", "f() = @ccall lib.btopt_version_number()::UInt32\n", ["@ccall"], 1),
]


def self_test(real_header: str | None) -> int:
    failures = []
    problems, sites, header = run(SELF_HEADER, {"good.jl": SELF_GOOD})
    if problems:
        failures.append("a correct file was refused: %s" % problems)
    if len(sites) != 7:
        failures.append("expected 7 btopt ccalls in the correct file, found %d" % len(sites))
    if "btopt_ghost" in header.functions:
        failures.append("a declaration inside a comment was read")
    for name, source, words, count in SELF_CASES:
        problems, _, _ = run(SELF_HEADER, {name + ".jl": source})
        if len(problems) != count or not all(all(w in p for w in words) for p in problems):
            failures.append("%s: expected %d problem(s) with %s, got %s" % (name, count, words, problems))
    # The command line's exit status, on files.
    with tempfile.TemporaryDirectory() as tmp:
        header_path = os.path.join(tmp, "h.h")
        with open(header_path, "w") as f:
            f.write(SELF_HEADER)
        for name, source, expected in (("good", SELF_GOOD, 0), ("bad", SELF_CASES[0][1] + SELF_CASES[1][1], 1)):
            src = os.path.join(tmp, name)
            os.mkdir(src)
            with open(os.path.join(src, "x.jl"), "w") as f:
                f.write(source)
            status = main(["--header", header_path, "--src", src, "--quiet"])
            if status != expected:
                failures.append("exit status %d for the %s sources, expected %d" % (status, name, expected))
    if real_header:
        with open(real_header, encoding="utf-8") as f:
            real = Header(f.read())
        if len(real.functions) < 50:
            failures.append("read only %d functions from %s" % (len(real.functions), real_header))
        for fname, (ret, params) in real.functions.items():
            for k, p in enumerate([ret] + params):
                try:
                    real.canon(p, is_param=k > 0)
                except ValueError as e:
                    failures.append("%s in %s: %s" % (fname, real_header, e))
    for f in failures:
        print("self-test FAILED: " + f)
    checks = 2 + 1 + len(SELF_CASES) + 2 + (1 if real_header else 0)
    print("%d passed, %d failed" % (checks - len(failures), len(failures)))
    return 1 if failures else 0


# ---------------------------------------------------------------- command line

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--header", help="include/btopt/btopt.h")
    parser.add_argument("--src", help="the Julia package's src folder")
    parser.add_argument("--self-test", action="store_true", help="prove the checker catches mismatches")
    parser.add_argument("--require-all", action="store_true",
                        help="also fail when a header function has no ccall")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    if args.self_test:
        return self_test(args.header)
    if not args.header or not args.src:
        parser.error("--header and --src are required (or --self-test)")
    try:
        with open(args.header, encoding="utf-8") as f:
            header_text = f.read()
        sources = read_sources(args.src)
    except OSError as e:
        print("check_julia_ccalls: %s" % e, file=sys.stderr)
        return 2
    if not sources:
        print("check_julia_ccalls: no .jl files under %s" % args.src, file=sys.stderr)
        return 2
    problems, sites, header = run(header_text, sources)
    called = {s.symbol for s in sites}
    missing = sorted(set(header.functions) - called)
    if args.require_all:
        problems += ["%s has no ccall in %s" % (name, args.src) for name in missing]
    if not args.quiet:
        for p in problems:
            print(p)
        if missing and not args.require_all:
            print("note: header functions without a ccall: %s" % ", ".join(missing))
        print("checked %d ccalls against %d declarations: %d mismatch(es)"
              % (len(sites), len(header.functions), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
