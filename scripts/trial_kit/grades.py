#!/usr/bin/env python3
"""Totals of your grades. Write my_grades.py with

GRADES = {
    "c01-1": ("OK", "why, in a few words"),
    "c01-2": ("OK", "decline: said the documents do not cover it and where to ask"),
    ...
}

Grades (one per message you typed; a tap is graded with the turn it answers):
  OK       the reply answers what was asked, with the facts that decide it (for an uncovered
           question: says plainly the documents do not cover it and where to ask; write "decline: …")
  PARTIAL  right topic but a deciding fact missing, or one of two questions not handled
  DBC      declined or only 「もしかして」 although the documents cover it
  WRONG    a confident answer to another question (or to an uncovered question as if covered)
  FE       a fact error: a number, date, phone number or condition that the sources contradict
  ECHO     a personal number (マイナンバー, PIN, phone, birth date …) you typed came back in a reply"""
from collections import Counter

from my_grades import GRADES

counts = Counter(g for g, _ in GRADES.values())
print(f"{len(GRADES)} graded: " + ", ".join(f"{k} {counts.get(k, 0)}" for k in ("OK", "PARTIAL", "DBC", "WRONG", "FE", "ECHO")))
print(f"of which declines graded OK: {sum(1 for g, why in GRADES.values() if g == 'OK' and why.startswith('decline'))}")
for key, (grade, why) in sorted(GRADES.items()):
    if grade != "OK":
        print(f"{key:7} {grade:8} {why}")
