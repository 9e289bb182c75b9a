"""The one layout of the FAX inquiry sheet: an A4 page described as data (`LAYOUT`), drawn by `render()`.

Everything about where and how big things are printed lives here. Values come in as a dict of
display strings (choice fields: the chosen code); an empty dict gives the blank sheet to fill by hand.
Large print for FAX: body 13 pt, headings and key values bold, thick section boxes, no grey fills.
"""
from __future__ import annotations

import functools
import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Tuple

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

FONT = "IPAexGothic"
FONT_PATH = Path("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf")  # Debian fonts-ipaexfont-gothic

PAGE_W, PAGE_H = A4
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 34.0, 28.0, 24.0
CONTENT_W = PAGE_W - 2 * MARGIN_X
PAD = 4.0                      # inside a cell, above and below the text
LEADING = 1.38                 # line height / font size
BOX_LINE, CELL_LINE = 2.2, 0.8  # section outline, cell separators
CHECKED, UNCHECKED = "■", "□"
LABEL_SIZES = {False: 12.0, True: 10.5}   # one-line label, two-line label

CENTER_NAME = "個人番号カードコールセンター"
FAX_NUMBER = "0120-601-785"
BLANK_DATE = "　　　年　　月　　日"


@dataclass(frozen=True)
class Field:
    """One labelled cell. `lines=0` fills the space left on the page (the question box)."""

    key: str
    label: str = ""
    share: float = 1.0                 # fraction of the row's width
    label_w: float = 116.0
    size: float = 13.0
    lines: int = 1
    strong: bool = False               # bold value
    blank: str = ""                    # guide printed on the blank sheet
    choices: Tuple[Tuple[str, str], ...] = ()
    stacked: bool = False              # choices one per line
    ruled: bool = False                # dotted writing lines


@dataclass(frozen=True)
class Section:
    title: str
    rows: Tuple[Tuple[Field, ...], ...]


LAYOUT: Tuple[Section, ...] = (
    Section("1. お問い合わせの種類（どちらかに■）", (
        (Field("inquiry_type", size=14, stacked=True, choices=(
            ("question", "マイナンバー制度・カード等についての質問"),
            ("suspend", "紛失・盗難による一時停止の依頼（24時間365日受付）"))),),
    )),
    Section("2. ご本人（カードの名義人）", (
        (Field("furigana", "ふりがな", size=12),),
        (Field("name", "氏名", size=16, strong=True),),
        (Field("birth_date", "生年月日", blank=BLANK_DATE),),
        (Field("address", "住所", lines=3),),
    )),
    Section("3. 回答の送り先・送信者", (
        (Field("reply_fax", "返信先FAX番号\n（必ず記入）", share=0.6, label_w=104, size=16, strong=True),
         Field("phone", "電話番号", share=0.4, label_w=72)),
        (Field("sender_name", "送信者の氏名\n（本人以外の場合）", share=0.6, label_w=104),
         Field("sender_relation", "続柄・関係", share=0.4, label_w=72)),
    )),
    Section("4. 一時停止の依頼（紛失・盗難の場合）", (
        (Field("device", "対象", choices=(("card", "マイナンバーカード"), ("smartphone", "スマートフォン（電子証明書を搭載）"))),),
        (Field("loss_kind", "状況", share=0.42, label_w=64, choices=(("lost", "紛失"), ("stolen", "盗難"))),
         Field("lost_at", "日時", share=0.58, label_w=56, blank="　　　　年　　月　　日　　時頃")),
        (Field("lost_place", "場所"),),
        (Field("police", "警察への届出", share=0.48, label_w=84, choices=(("reported", "届出済み"), ("not", "未届出"))),
         Field("police_report_number", "受理番号", share=0.52, label_w=72)),
    )),
    Section("5. ご質問・ご依頼の内容", (
        (Field("question", lines=0, ruled=True),),
    )),
)

FOOTER_SIZE = 10.0
FOOTER = (   # one printed line each
    "出典：「福祉施設・支援団体の方向け マイナンバーカード取得・管理マニュアル」Ver.2（2023年12月）第8",
    "公式のお問い合わせ様式（同マニュアル資料編P27）を使うこともできます。この用紙はマイナサポートBotで作成。",
    "回答は個人番号カードコールセンターから返信先FAX番号へFAXで届きます。",
    "紛失・盗難などによる一時停止は24時間365日受け付けます。",
)


# --- text measuring ---------------------------------------------------------------------------

NO_LINE_START = set("、。，．,.)）」』】〉》]ー・:：;；!！?？ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮ")


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        if not FONT_PATH.is_file():
            raise RuntimeError(f"font missing: {FONT_PATH} (apt-get install fonts-ipaexfont-gothic)")
        pdfmetrics.registerFont(TTFont(FONT, str(FONT_PATH)))
    return FONT


def text_width(text: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, _font(), size)


def wrap(text: str, width: float, size: float) -> List[str]:
    """Lines of `text` no wider than `width`; keeps explicit line breaks, no punctuation starts a line."""
    lines: List[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for ch in paragraph:
            if line and text_width(line + ch, size) > width:
                carry = ""
                if ch in NO_LINE_START and len(line) > 1:
                    line, carry = line[:-1], line[-1]
                lines.append(line)
                line = carry
            line += ch
        lines.append(line)
    return lines


def unprintable(text: str) -> str:
    """The characters of `text` that the font cannot print (besides line breaks)."""
    _font()
    glyphs = pdfmetrics.getFont(FONT).face.charToGlyph
    return "".join(dict.fromkeys(ch for ch in text if ch != "\n" and ord(ch) not in glyphs))


# --- placing ----------------------------------------------------------------------------------

HEADER_H = 94.0               # title + addressee box
SECTION_TITLE_H = 19.0
SECTION_GAP = 5.0


@dataclass
class Cell:
    """A field placed on the page; (x, y) is the bottom-left of the whole cell, label included."""

    field: Field
    x: float
    y: float
    w: float
    h: float
    lines: int

    @property
    def value_x(self) -> float:
        return self.x + (self.field.label_w if self.field.label else 0)

    @property
    def value_w(self) -> float:
        return self.x + self.w - self.value_x - 2 * PAD


def _line_h(size: float) -> float:
    return size * LEADING


def _label_size(f: Field) -> float:
    return LABEL_SIZES["\n" in f.label]


def _footer_lines() -> List[str]:
    return [line for part in FOOTER for line in wrap(part, CONTENT_W, FOOTER_SIZE)]


def _footer_top() -> float:
    return MARGIN_BOTTOM + len(_footer_lines()) * _line_h(FOOTER_SIZE)


@functools.lru_cache(maxsize=1)
def place() -> List[Tuple[Section, float, float, List[Cell]]]:
    """Every section with its box (top, bottom) and cells, top to bottom."""
    placed = []
    y = PAGE_H - MARGIN_TOP - HEADER_H
    for section in LAYOUT:
        y -= SECTION_TITLE_H
        top, cells = y, []
        for row in section.rows:
            heights = []
            for f in row:
                n = len(f.choices) if f.stacked else f.lines
                if n == 0:   # fill: all the space down to the footer
                    n = math.floor((y - _footer_top() - SECTION_GAP - 2 * PAD) / _line_h(f.size))
                label_h = len(f.label.split("\n")) * _line_h(_label_size(f)) + 2 * PAD
                heights.append((n, max(n * _line_h(f.size) + 2 * PAD, label_h)))
            h = max(height for _, height in heights)
            x = MARGIN_X
            for f, (n, _) in zip(row, heights):
                w = CONTENT_W * f.share
                cells.append(Cell(f, x, y - h, w, h, n))
                x += w
            y -= h
        placed.append((section, top, y, cells))
        y -= SECTION_GAP
    if y + SECTION_GAP < _footer_top():
        raise RuntimeError("the FAX sheet layout does not fit on one page")
    return placed


def cells() -> Dict[str, Cell]:
    return {c.field.key: c for _, _, _, row_cells in place() for c in row_cells}


def problems(values: Mapping[str, str]) -> Dict[str, str]:
    """Field key → "overflow" (does not fit its box) or "glyph:<chars>" (the font lacks them)."""
    found = {}
    for key, cell in cells().items():
        text = values.get(key) or ""
        if not text or cell.field.choices:
            continue
        missing = unprintable(text)
        if missing:
            found[key] = "glyph:" + missing
        elif len(wrap(text, cell.value_w, cell.field.size)) > cell.lines:
            found[key] = "overflow"
    return found


def capacity(key: str) -> int:
    """How many lines the box of `key` holds."""
    return cells()[key].lines


# --- drawing ----------------------------------------------------------------------------------

def _text(c: Canvas, x: float, y: float, text: str, size: float, bold: bool = False, align: str = "left") -> None:
    """One line at baseline y; bold is simulated by stroking the outline (the font has no bold).

    The PDF text render mode outlives the text object, and reportlab does not write a mode a new
    text object already believes it has, so bold text is drawn inside saveState/restoreState.
    """
    if align == "center":
        x -= text_width(text, size) / 2
    c.saveState()
    t = c.beginText(x, y)
    t.setFont(FONT, size)
    if bold:
        c.setLineWidth(size / 28)
        t.setTextRenderMode(2)
    t.textOut(text)
    c.drawText(t)
    c.restoreState()


def _lines_in(c: Canvas, x: float, top: float, lines: List[str], size: float, bold: bool = False) -> None:
    """Lines from `top` downwards, each on its own line height."""
    for i, line in enumerate(lines):
        _text(c, x, top - (i + 0.5) * _line_h(size) - size * 0.36, line, size, bold)


def _centred_lines(c: Canvas, x: float, cell: Cell, lines: List[str], size: float, bold: bool = False) -> None:
    block = len(lines) * _line_h(size)
    _lines_in(c, x, cell.y + (cell.h + block) / 2, lines, size, bold)


def _header(c: Canvas, values: Mapping[str, str]) -> None:
    top = PAGE_H - MARGIN_TOP
    _text(c, PAGE_W / 2, top - 19, "マイナンバーカード　FAXお問い合わせ票", 19, bold=True, align="center")
    box_top, box_h = top - 30, HEADER_H - 32
    c.setLineWidth(BOX_LINE + 0.6)
    c.rect(MARGIN_X, box_top - box_h, CONTENT_W, box_h)
    split = MARGIN_X + CONTENT_W - 168
    c.setLineWidth(CELL_LINE)
    c.line(split, box_top, split, box_top - box_h)
    _text(c, MARGIN_X + 10, box_top - 20, f"送信先　{CENTER_NAME} 行", 15, bold=True)
    _text(c, MARGIN_X + 10, box_top - 46, f"FAX {FAX_NUMBER}", 24, bold=True)
    note_x = MARGIN_X + 18 + text_width(f"FAX {FAX_NUMBER}", 24)
    _text(c, note_x, box_top - 38, "聴覚に障がいをお持ちの", 10)
    _text(c, note_x, box_top - 51, "方のお問い合わせ用", 10)
    _text(c, split + 10, box_top - 20, "送信日", 13, bold=True)
    _text(c, split + 10, box_top - 46, values.get("date") or BLANK_DATE, 14)


def _choices(c: Canvas, cell: Cell, chosen: str) -> None:
    f = cell.field
    x = cell.value_x + PAD + 2
    if f.stacked:
        top = cell.y + cell.h - PAD
        for i, (code, text) in enumerate(f.choices):
            mark = CHECKED if code == chosen else UNCHECKED
            _lines_in(c, x, top - i * _line_h(f.size), [f"{mark} {text}"], f.size, bold=code == chosen)
        return
    for code, text in f.choices:
        mark = CHECKED if code == chosen else UNCHECKED
        item = f"{mark} {text}"
        _centred_lines(c, x, cell, [item], f.size, bold=code == chosen)
        x += text_width(item, f.size) + f.size * 1.5


def _cell(c: Canvas, cell: Cell, values: Mapping[str, str]) -> None:
    f = cell.field
    c.setLineWidth(CELL_LINE)
    if f.label:
        c.line(cell.value_x, cell.y, cell.value_x, cell.y + cell.h)
        _centred_lines(c, cell.x + PAD + 1, cell, f.label.split("\n"), _label_size(f), bold=True)
    if f.ruled:
        c.saveState()
        c.setDash(1, 2.5)
        c.setLineWidth(0.6)
        top = cell.y + cell.h - PAD
        for i in range(1, cell.lines + 1):
            y = top - i * _line_h(f.size) + f.size * 0.04
            c.line(cell.value_x + PAD, y, cell.x + cell.w - PAD, y)
        c.restoreState()
    value = values.get(f.key) or ""
    if f.choices:
        _choices(c, cell, value)
        return
    text = value or (f.blank if not values else "")
    if not text:
        return
    lines = wrap(text, cell.value_w, f.size)[:cell.lines]
    x = cell.value_x + PAD
    if f.lines == 1:
        _centred_lines(c, x, cell, lines, f.size, f.strong)
    else:
        _lines_in(c, x, cell.y + cell.h - PAD, lines, f.size, f.strong)


def render(values: Optional[Mapping[str, str]] = None) -> bytes:
    """The sheet as a one-page A4 PDF with the font embedded; no values → the blank sheet."""
    values = values or {}
    _font()
    out = io.BytesIO()
    c = Canvas(out, pagesize=A4, pageCompression=1)
    c.setTitle("マイナンバーカード FAXお問い合わせ票")
    c.setAuthor("マイナサポートBot")
    c.setCreator("マイナサポートBot")
    _header(c, values)
    for section, top, bottom, section_cells in place():
        _text(c, MARGIN_X + 2, top + 6, section.title, 13.5, bold=True)
        for cell in section_cells:
            _cell(c, cell, values)
        c.setLineWidth(CELL_LINE)
        for cell in section_cells:   # row separators
            if cell.y > bottom + 0.1:
                c.line(cell.x, cell.y, cell.x + cell.w, cell.y)
            if cell.x > MARGIN_X + 0.1:
                c.line(cell.x, cell.y, cell.x, cell.y + cell.h)
        c.setLineWidth(BOX_LINE)
        c.rect(MARGIN_X, bottom, CONTENT_W, top - bottom)
    _lines_in(c, MARGIN_X, _footer_top(), _footer_lines(), FOOTER_SIZE)
    c.showPage()
    c.save()
    return out.getvalue()
