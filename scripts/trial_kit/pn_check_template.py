#!/usr/bin/env python3
"""Template: copy to pn_check.py and fill PLANTED with the personal numbers you typed.

Looks for each planted number, in every written form (as typed, digits only, full-width, with
spaces/hyphens removed), in:
  - raw/*.json (what the assistant sent back),
  - the trial's databases as bytes: /tmp/trialNN/var/*.db, *.db-wal, *.db-shm,
  - a private copy of each database dumped to SQL text (dbcopy/, via sqlite3 iterdump),
  - the trial's logs: /tmp/trialNN.log and /tmp/trialNN/var/*.log if any.
Positive controls: a harmless phrase you typed (CONTROLS) must be found in the databases, or the search
is not looking at the right place. Self-test: the search finds a number written into a temp file."""
import glob
import json
import re
import shutil
import sqlite3
import tempfile
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
TRIAL = Path("/tmp/trialNN")
PLANTED = {
    # "c03-2 PIN": "1234",   # the number as its digits (ASCII), plus the raw typed form below
}
TYPED = {
    # "c03-2 PIN": "いちにさんよん",  # optional: the exact typed form, searched as well
}
CONTROLS = ["ここに会話で打った無害な言葉"]   # each is searched as typed and JSON-escaped


def forms(digits, typed=None):
    out = {digits, unicodedata.normalize("NFKC", digits)}
    out.add(digits.translate(str.maketrans("0123456789", "０１２３４５６７８９")))
    if typed:
        out.add(typed)
        out.add(re.sub(r"[\s\-‐－ー]", "", typed))
    # Rasa's tracker stores events as ASCII-escaped JSON (「えっと」 as \\u3048\\u3063\\u3068): search that form too
    out |= {json.dumps(f)[1:-1] for f in list(out)}
    return {f for f in out if f}


def blobs():
    for p in sorted((HERE / "raw").glob("*.json")):
        yield f"raw/{p.name}", p.read_bytes()
    for p in sorted(glob.glob(str(TRIAL / "var" / "*.db*"))):
        yield p, Path(p).read_bytes()
    dump_dir = HERE / "dbcopy"
    dump_dir.mkdir(exist_ok=True)
    for p in sorted(glob.glob(str(TRIAL / "var" / "*.db"))):
        copy = dump_dir / Path(p).name
        shutil.copy(p, copy)
        for suffix in ("-wal", "-shm"):
            if Path(p + suffix).exists():
                shutil.copy(p + suffix, str(copy) + suffix)
        con = sqlite3.connect(copy)
        yield f"dump of {Path(p).name}", "\n".join(con.iterdump()).encode()
        con.close()
    for p in ["/tmp/trialNN.log", *glob.glob(str(TRIAL / "var" / "*.log"))]:
        if Path(p).exists():
            yield p, Path(p).read_bytes()


def find(needle, data):
    return needle.encode() in data or needle.encode("utf-8") in data.decode("utf-8", "replace").encode()


def main():
    with tempfile.NamedTemporaryFile("wb", delete=False) as tmp:
        tmp.write("x 9876543210 y".encode())
    assert find("9876543210", Path(tmp.name).read_bytes()), "self-test failed"
    assert not find("9876543211", Path(tmp.name).read_bytes()), "self-test failed"
    print("self-test ok")
    places = list(blobs())
    for control in CONTROLS + [json.dumps(c)[1:-1] for c in CONTROLS]:
        hits = [name for name, data in places if find(control, data)]
        print(f"control {control!r}: found in {hits or 'NOWHERE (the search is not looking at the right place!)'}")
    for label, digits in PLANTED.items():
        for form in sorted(forms(digits, TYPED.get(label))):
            hits = [name for name, data in places if find(form, data)]
            print(f"{label} form {form!r}: {'FOUND in ' + ', '.join(hits) if hits else 'not found anywhere'}")


if __name__ == "__main__":
    main()
