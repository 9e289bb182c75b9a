"""Guided checks: step-by-step help that fits the person being helped (plain Python, no Rasa).

A small generic core and one module per check:

- `parsing`  — reading an answer (button or typed text) into a canonical value, the commands;
- `flow`     — `Flow` (a check: questions, which matter, hooks), the registry, `next_slot`,
               `extract`, `describe`;
- `result`   — `Part`/`Line`/`Section`/`Result` and `render_messages` (［n］ marks, 出典 list);
- `proxy`, `photo`, `lost`, `pin`, `face_auth`, `outreach` — one check each: its questions, its
  own parsing hooks, its result, and its `FLOW`.

A new check: a module with its `FLOW`, added to `CHECKS` below; then its form, slots and
`utter_ask_<slot>` responses in domain.yml and its four rules in data/rules/guides.yml
(tests/test_guides.py says what is missing). Its Rasa validation action is made from the registry
(actions/guides.py).

Every fact in a result is a verbatim piece of a knowledge entry's answer, cited with that entry.
Slots hold only canonical values ("facility", "75plus", "2026-12-15"), never the typed text.
"""
from __future__ import annotations

from bot.shared.guides import face_auth, lost, outreach, photo, pin, proxy
from bot.shared.guides.flow import (
    CHECK_TITLE, FLOW_BY_FORM, FLOWS, GUIDE_FOR_INTENT, Flow, check_button, corrected, describe, extract,
    is_button_text, menu_buttons, next_slot, register, render, start_payload,
)
from bot.shared.guides.lost import FAX_LINK
from bot.shared.guides.outreach import planned_date, timeline
from bot.shared.guides.parsing import (
    UNKNOWN, Option, Question, beside_command, command_in, correcting_parts, instead_part, is_past, kanji_number, normalize, parse_age, parse_answer,
    parse_choice, parse_date, parse_multi, parse_yesno, past_date_in, sentences, yesno,
)
from bot.shared.guides.proxy import parse_cards
from bot.shared.guides.result import (
    END_BUTTONS, Line, Part, Result, Section, fact, fact_problems, format_date, line, render_messages, say,
)

CHECKS = (proxy, photo, lost, pin, face_auth, outreach)   # the menu's order
register(*(check.FLOW for check in CHECKS))

PROXY, PHOTO, LOST, PIN, FACE_AUTH, OUTREACH = (check.FLOW for check in CHECKS)

__all__ = [
    "CHECKS", "CHECK_TITLE", "END_BUTTONS", "FACE_AUTH", "FAX_LINK", "FLOWS", "FLOW_BY_FORM", "Flow",
    "GUIDE_FOR_INTENT", "LOST", "Line", "OUTREACH", "Option", "PHOTO", "PIN", "PROXY", "Part", "Question",
    "Result", "Section", "UNKNOWN", "beside_command", "check_button", "command_in", "correcting_parts", "corrected", "describe", "extract", "fact",
    "fact_problems", "format_date", "instead_part", "is_button_text", "is_past", "kanji_number", "line", "menu_buttons",
    "next_slot", "normalize", "parse_age", "parse_answer", "parse_cards", "parse_choice", "parse_date",
    "parse_multi", "parse_yesno", "past_date_in", "planned_date", "render", "render_messages", "say", "sentences",
    "start_payload", "timeline", "yesno",
]
