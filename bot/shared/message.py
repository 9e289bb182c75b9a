"""The bot's message, defined once: what the actions send through Rasa and what every channel renders.

A plain dataclass (no pydantic: it is imported under Rasa's pydantic 1 and the gateway's pydantic 2).

    text       what is said, without its 出典
    citation   「出典：…」 (document, section, page of each source), or ""
    sources    [{document, section, page, …}] — the same sources as data
    buttons    [{title, payload}]
    links      [{title, path}] to the gateway's own pages (e.g. /fax)
    answer_id  the knowledge entry answered, or None
    fallback   the bot could not answer (declined, 「もしかして」, a topic the documents do not cover)
    handoff    the user asked for a person
    extra      the other keys of Rasa's custom payload (candidates, uncovered, guide, entries)

Over Rasa's REST channel (what `rasa shell`, the REST tests and the real-question grader read) a message
is its text *with* the citation appended — a Rasa-only user sees the 出典 as before — and a `custom`
payload that carries the parts (`to_rasa`); the gateway reads both back (`from_rasa`) and each channel
renders the parts its own way: the web widget the text and a list of sources, LINE the text and a
shortened 出典, the helpdesk log the full text.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional

CUSTOM_KEYS = ("answer_id", "sources", "links", "citation", "fallback", "handoff")


@dataclass
class BotMessage:
    text: str
    citation: str = ""
    sources: List[dict] = field(default_factory=list)
    buttons: List[Dict[str, str]] = field(default_factory=list)
    links: List[dict] = field(default_factory=list)
    answer_id: Optional[str] = None
    fallback: bool = False
    handoff: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def full_text(self) -> str:
        """The text with its 出典 line, as Rasa's REST channel shows it and the log keeps it."""
        return f"{self.text}\n{self.citation}" if self.citation else self.text

    def to_rasa(self) -> dict:
        """The message in Rasa's dispatcher form: {"text", "buttons", "custom"}; an answer's custom holds
        answer_id, sources, links and citation; a fallback's {"fallback": true} (+ extra)."""
        custom: dict = {}
        if self.answer_id is not None:
            custom.update(answer_id=self.answer_id, sources=self.sources, links=self.links)
        if self.citation:
            custom["citation"] = self.citation
        if self.fallback:
            custom["fallback"] = True
        if self.handoff:
            custom["handoff"] = True
        custom.update(self.extra)
        return {"text": self.full_text, "buttons": self.buttons, "custom": custom}

    @classmethod
    def from_rasa(cls, text: str, buttons: List[dict], custom: Optional[dict] = None) -> "BotMessage":
        """A message as Rasa's REST channel sent it: a text (with buttons) and the custom payload after it.
        The citation is taken off the text only when the payload names it and the text ends with it."""
        custom = custom if isinstance(custom, dict) else {}
        citation = custom.get("citation") if isinstance(custom.get("citation"), str) else ""
        if citation and text.endswith("\n" + citation):
            text = text[: -len(citation) - 1]
        else:
            citation = ""
        return cls(text=text, citation=citation, buttons=list(buttons),
                   sources=list(custom.get("sources") or []), links=list(custom.get("links") or []),
                   answer_id=custom.get("answer_id") or None, fallback=bool(custom.get("fallback")),
                   handoff=bool(custom.get("handoff")),
                   extra={k: v for k, v in custom.items() if k not in CUSTOM_KEYS})
