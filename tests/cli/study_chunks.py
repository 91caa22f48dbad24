"""Reads the trials of a study straight from its SQLite file, as a check
independent of btopt's own reader. Trials are stored in chunks (study schemas
2 and 3); the layout's home is src/study/chunk.hpp."""
import json
import math
import sqlite3
import struct

STATUSES = ("ok", "failed", "crashed", "timeout", "cancelled", "infeasible")


def varint(blob, offset):
    value, shift = 0, 0
    while True:
        byte = blob[offset]
        offset += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, offset
        shift += 7


def decode_chunk(blob, params):
    """The trials of one chunk: dicts with number, point (by name), score (None for NaN), seconds,
    metrics (a tuple), error, status, reused."""
    trials, offset = [], 0
    while offset < len(blob):
        number, offset = varint(blob, offset)
        flags = blob[offset]
        n_metrics, offset = varint(blob, offset + 1)
        n_error, offset = varint(blob, offset)
        score, seconds = struct.unpack_from("=dd", blob, offset)
        offset += 16
        point = {}
        for p in params:
            if p["kind"] == "float":
                point[p["name"]] = struct.unpack_from("=d", blob, offset)[0]
            else:
                i = struct.unpack_from("=q", blob, offset)[0]
                point[p["name"]] = p["choices"][i] if p["kind"] == "choice" else i
            offset += 8
        metrics = struct.unpack_from(f"={n_metrics}d", blob, offset)
        offset += 8 * n_metrics
        error = blob[offset:offset + n_error].decode()
        offset += n_error
        trials.append({"number": number, "point": point, "score": None if math.isnan(score) else score,
                       "seconds": seconds, "metrics": metrics, "error": error, "status": STATUSES[flags & 0x7F],
                       "reused": bool(flags & 0x80)})
    return trials


def stored_trials(path, run=None):
    """Every trial of a run of the study at `path` (None: its last run), in trial order, and the run's metric
    names. No run yet: ([], [])."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = db.execute("SELECT id, space, metric_names FROM runs WHERE id = coalesce(?, (SELECT max(id) FROM runs))",
                         (run,)).fetchone()
        if row is None:
            return [], []
        params = json.loads(row[1])["parameters"]
        trials = []
        for (blob,) in db.execute("SELECT trials FROM chunks WHERE run = ? ORDER BY first", (row[0],)):
            trials.extend(decode_chunk(blob, params))
        return trials, json.loads(row[2])
    finally:
        db.close()


def pragma(path, name):
    """The value of PRAGMA `name` on the study file, read over a read-only connection."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return db.execute(f"PRAGMA {name}").fetchone()[0]
    finally:
        db.close()


def integrity(path):
    """SQLite's own check of the study file: "ok" when it is intact."""
    return pragma(path, "integrity_check")
