#!/usr/bin/env python3
"""Every number in the assistant's replies (raw/*.json), looked up in the official sources.

  python3 check_facts.py            numbers not found in any source (each with the turn and its line)
  python3 check_facts.py --all      every number with where it was found

Digits are compared after turning full-width digits into ASCII and dropping separators inside a
phone number (0120-95-0178 = 0120950178). A number not found is not always wrong (a page number,
a count like 「3つ」): read the line and decide."""
import json
import re
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = Path("/work/shared/sources")
NUMBER = re.compile(r"\d+(?:[-‐－ー―]\d+)*")


def norm(text):
    return unicodedata.normalize("NFKC", text)


def main():
    show_all = "--all" in sys.argv
    sources = {p.name: norm(p.read_text()) for p in sorted(SOURCES.glob("*.txt"))}
    flat = {n: re.sub(r"(?<=\d)[-‐－ー―\s](?=\d)", "", t) for n, t in sources.items()}
    checked = missing = 0
    for path in sorted((HERE / "raw").glob("*.json"), key=lambda p: (p.stem.split("-")[0], int(p.stem.split("-")[1]))):
        record = json.loads(path.read_text())
        for message in record.get("reply", {}).get("messages", []):
            for line in norm(message.get("text", "")).splitlines():
                for match in NUMBER.finditer(line):
                    number = match.group()
                    digits = re.sub(r"\D", "", number)
                    checked += 1
                    where = [n for n, t in sources.items() if number in t] or \
                        [n for n, t in flat.items() if len(digits) >= 6 and digits in t]
                    if not where:
                        missing += 1
                        print(f"NOT FOUND {path.stem}: {number}   | {line.strip()[:120]}")
                    elif show_all:
                        print(f"found {path.stem}: {number} in {', '.join(where)}")
    print(f"{checked} numbers checked, {missing} not found in the sources")


if __name__ == "__main__":
    main()
