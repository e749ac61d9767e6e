#!/usr/bin/python3
"""Extract the FY2566 Bangkok budget ordinance into the project's CSVs.

Usage: extract_ordinance.py PDF ITEMS_CSV STATED_CSV

Reads the ordinance (ข้อบัญญัติกรุงเทพมหานคร เรื่อง งบประมาณรายจ่ายประจำปี
งบประมาณ พ.ศ. 2566, 88 pages) and writes
  ITEMS_CSV   every leaf line: fiscal_year,agency,plan,output_or_project,
              category,amount_baht,source_page
  STATED_CSV  every total the ordinance states, next to the sum of the rows
              it covers: check,stated_baht,computed_from_rows_baht,match
then prints a one-line summary.

Why `pdftotext -raw`: it emits the text in content-stream order, which is
the order the Thai characters were typed (consonant, vowel, tone).  `-layout`
and `-bbox-layout` order glyphs by position, and in this PDF that moves a
lowered vowel or tone mark past the next consonant and splits the word
(-layout: "ภูมิค้มุ" for ภูมิคุ้ม, "ผู้คา้" for ผู้ค้า; -bbox-layout splits
even more words).  The boxes are not needed: -raw keeps each printed line
(name, then amount) on one text line.  The private-use glyphs and the split
SARA AM that -raw still returns are repaired by thai_text.repair().

Document shape (after the front matter: cover, contents, preamble, ข้อ 1-4):
  (1) งบประมาณรายจ่ายงบกลาง เป็นจำนวน X บาท จำแนกดังนี้      a budget section
      1. name X บาท | 1. name รวม X บาท + 1.1 name X บาท ...  items / sub-items
  (N) agency รวม X บาท                                         agencies (2)-(70), (72)
      ก. plan X บาท  (or an unlettered plan line when there is one plan)
         1. item X บาท  (or one unnumbered item)                leaf lines
  (71) งบประมาณรายจ่ายเพื่อชดใช้เงินยืมเงินสะสม ... เป็นจำนวน X บาท
      N. agency X บาท                                           one leaf per agency
  ข้อ 5 (commercial enterprises): (N) enterprise รวม X บาท,
      รายจ่ายประจำ / รายจ่ายพิเศษ X บาท (expense type), then plans and items.
A printed line may wrap: the name continues on the next line(s) and only the
last line ends with the amount, so lines are gathered until one ends in
"<amount> บาท" and joined (see join_wrapped).  Item numbers restart at 1 in
each group; a gap is reported on stderr because it means a line was dropped
or merged.
"""

import csv
import re
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from thai_text import repair  # noqa: E402

FISCAL_YEAR = "2566"

# Page 88 of the PDF is a scanned image; its text layer is OCR of Thai read as
# Latin letters (e.g. "'U1'Vl" for บาท) and holds no Thai at all.  The four
# budget lines at the top of the page are transcribed here from the page
# image (render it with `pdftoppm -f 88 -l 88 -r 200 -png PDF p`).  The
# transcription is checked, not trusted: the page's text layer must still be
# Thai-free OCR, every amount below must occur in that OCR text, and the
# amounts take part in the ข้อ 5 totals, which are printed on page 87 as text.
# The rest of the page (ข้อ 6, ข้อ 7, signature, note) holds no amounts.
SCANNED_PAGE_TRANSCRIPTIONS = {
    88: [
        "(3) สำนักงานพัฒนาที่อยู่อาศัย รวม 6,407,600 บาท",
        "รายจ่ายประจำ 6,407,600 บาท",
        "แผนงานการพาณิชย์ของกรุงเทพมหานคร 6,407,600 บาท",
        "งานบริหารการพัฒนาที่อยู่อาศัย 6,407,600 บาท",
    ],
}

# The two expense types of ข้อ 4 / ข้อ 5 (recurrent and special expenditure).
EXPENSE_TYPES = ("รายจ่ายประจำ", "รายจ่ายพิเศษ")

AMOUNT_AT_END = re.compile(r"\s*([\d,]+)\s+บาท$")
SECTION_HEAD = re.compile(r"^\((\d+)\)\s*(.*)$")
SUB_ITEM = re.compile(r"^(\d+)\.(\d+)\s+(.*)$")
ITEM = re.compile(r"^(\d+)\.\s+(.*)$")
PLAN_LETTER = re.compile(r"^([ก-ฮ])\.\s+(.*)$")
CLAUSE = re.compile(r"^ข้อ\s+(\d+)\s")
PAGE_NUMBER = re.compile(r"^\d+$")


def baht(text: str) -> int:
    return int(text.replace(",", ""))


# --------------------------------------------------------------------------
# Text: PDF -> repaired pages -> (page, line) pairs


def pdf_pages(pdf: Path) -> list[str]:
    """Text of each page (index 0 = page 1), Thai repaired."""
    out = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-"],
        check=True, capture_output=True, text=True, encoding="utf-8",
    ).stdout
    pages = out.split("\f")
    if pages and pages[-1].strip() == "":
        pages.pop()  # pdftotext ends the last page with a form feed
    return [repair(p) for p in pages]


def has_thai(text: str) -> bool:
    return re.search("[\u0E01-\u0E4F]", text) is not None


def substitute_scanned_pages(pages: list[str]) -> list[str]:
    """Replace each scanned page's OCR text with its checked transcription."""
    pages = list(pages)
    for number, lines in SCANNED_PAGE_TRANSCRIPTIONS.items():
        ocr = pages[number - 1]
        if has_thai(ocr):
            raise SystemExit(f"page {number} has a Thai text layer now; "
                             "drop its transcription and parse the text")
        in_ocr = Counter(re.findall(r"\d{1,3}(?:,\d{3})+", ocr))
        transcribed = Counter(AMOUNT_AT_END.search(ln).group(1) for ln in lines)
        if transcribed - in_ocr:
            raise SystemExit(f"page {number}: amounts {transcribed - in_ocr} "
                             "of the transcription are not in its OCR text")
        pages[number - 1] = "\n".join(lines)
    return pages


def body_lines(pages: list[str]) -> list[tuple[int, str]]:
    """(page, line) for every non-empty line from the first section head on.

    What comes before "(1) ..." is front matter (cover, contents, preamble
    with ข้อ 1-4, whose totals clause_totals() reads).  The first line of each
    body page is its printed page number and is dropped (a transcribed page
    has none)."""
    result = []
    for number, text in enumerate(pages, start=1):
        lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
        if lines and PAGE_NUMBER.match(lines[0]):
            lines = lines[1:]
        if not result:
            heads = [i for i, ln in enumerate(lines) if SECTION_HEAD.match(ln)]
            if not heads:
                continue
            lines = lines[heads[0]:]
        result.extend((number, ln) for ln in lines)
    return result


# --------------------------------------------------------------------------
# Entries: wrapped lines gathered into one printed entry


@dataclass
class Entry:
    text: str           # without the trailing amount
    amount: int | None  # None for a line that states no amount
    page: int           # page of the line that ends the entry


def is_thai(ch: str) -> bool:
    return "\u0E00" <= ch <= "\u0E7F"


def join_wrapped(pieces: list[str]) -> str:
    """Join the lines of one wrapped name.

    Thai words run on without spaces, so a wrap between two Thai characters
    is joined directly.  Where a digit, a bracket or a Latin letter meets the
    wrap (e.g. "... 2550" / "กับถนน ...", "... แจ้งวัฒนะ" / "(ถนนหมายเลข 11)")
    the printed page shows words apart, and the wrap stands for a space."""
    pieces = [p for p in pieces if p]  # an amount alone on its line
    text = pieces[0] if pieces else ""
    for piece in pieces[1:]:
        if is_thai(text[-1]) and is_thai(piece[0]):
            text += piece
        else:
            text += " " + piece
    return text


def starts_entry(line: str) -> bool:
    return bool(CLAUSE.match(line) or SECTION_HEAD.match(line)
                or ITEM.match(line) or SUB_ITEM.match(line)
                or PLAN_LETTER.match(line))


def gather_entries(lines: list[tuple[int, str]]) -> list[Entry]:
    """Join wrapped lines: an entry ends at the line that ends in an amount.

    - A clause (ข้อ N ...) runs until the next section head "(N)"; it is one
      amount-less entry (its totals are read by clause_totals()).
    - A section head that ends in "จำแนกดังนี้" ("itemised as follows")
      is an entry without an amount at its end.
    - Lines without an amount that come after a complete entry and before
      the next numbered or lettered line continue that entry's name: the
      amount was printed on the name's first line (page 17, item 2 of
      สำนักการจราจรและขนส่ง's strategic plan).
    - Any other amount-less lines (a heading such as
      งบประมาณรายจ่ายของหน่วยรับงบประมาณ) become an amount-less entry."""
    entries: list[Entry] = []
    pending: list[str] = []
    pending_page = 0
    in_clause = False

    def flush(amount: int | None = None) -> None:
        nonlocal pending
        entries.append(Entry(join_wrapped(pending), amount, pending_page))
        pending = []

    for page, line in lines:
        if in_clause and not SECTION_HEAD.match(line):
            pending.append(line)
            continue
        if starts_entry(line) and pending:
            if in_clause or SECTION_HEAD.match(line) or not entries \
                    or entries[-1].amount is None:
                flush()
            else:
                last = entries[-1]
                last.text = join_wrapped([last.text] + pending)
                pending = []
        in_clause = bool(CLAUSE.match(line))
        pending.append(line)
        pending_page = page
        match = AMOUNT_AT_END.search(line)
        if in_clause:
            continue
        if match:
            pending[-1] = line[: match.start()]
            flush(baht(match.group(1)))
        elif line.endswith("จำแนกดังนี้"):
            flush()
    if pending:
        flush()
    return entries


# --------------------------------------------------------------------------
# Structure: entries -> rows and stated totals

# Amount-less lines that head a part of the document and carry no figure:
# "budget of the budget-receiving units", printed over sections (2)-(72).
KNOWN_HEADINGS = {"งบประมาณรายจ่ายของหน่วยรับงบประมาณ"}


@dataclass
class Row:
    agency: str
    plan: str
    output: str
    amount: int
    page: int
    section: str      # "central", "agency" or "repay" (see Parser.section)
    commercial: bool  # under ข้อ 5, the commercial enterprises


@dataclass
class Stated:
    """A stated total and the rule that picks the rows it covers."""
    check: str
    amount: int
    covers: object  # Row -> bool


@dataclass
class Parse:
    rows: list[Row] = field(default_factory=list)
    sections: list[Stated] = field(default_factory=list)  # (71)
    groups: list[Stated] = field(default_factory=list)    # งบกลาง item groups
    units: list[Stated] = field(default_factory=list)     # agency/plan/xtype
    warnings: list[str] = field(default_factory=list)


class Parser:
    """Walks the entries once, keeping where in the document it is."""

    def __init__(self) -> None:
        self.out = Parse()
        self.commercial = False   # inside the commercial-enterprise clause
        # "central": the central fund (1), whose items are its rows;
        # "agency": an agency (N) ... รวม, with plans and items;
        # "repay": a section whose items are agencies, one row each (71).
        self.section = ""
        self.agency = ""
        self.xtype = ""           # expense type (commercial only), else ""
        self.plan = ""
        self.expect_plan = False  # next entry is a plan line even unlettered
        self.parent = ""          # central-fund item that has sub-items
        self.last_number: int | None = None

    # -- helpers

    def check_number(self, number: int, what: str, page: int) -> None:
        """Numbering restarts at 1 in each group and has no gaps; a gap
        means a line was dropped or two lines were merged."""
        expected = 1 if self.last_number is None else self.last_number + 1
        if number != expected:
            self.out.warnings.append(
                f"page {page}: item {number} after {self.last_number} in "
                f"{self.agency or self.plan} | {self.plan}: {what}")
        self.last_number = number

    def add_row(self, agency: str, output: str, e: Entry) -> None:
        self.out.rows.append(Row(agency, self.plan, output, e.amount, e.page,
                                 self.section, self.commercial))

    def new_group(self) -> None:
        self.last_number = None
        self.parent = ""

    # -- entry kinds

    def clause(self, text: str) -> None:
        # ข้อ 5 "งบประมาณรายจ่ายของการพาณิชย์ของกรุงเทพมหานคร ...": every
        # section after it is a commercial enterprise.
        if "การพาณิชย์" in text.split("ให้ตั้ง")[0]:
            self.commercial = True

    def section_head(self, number: int, text: str, e: Entry) -> None:
        self.new_group()
        self.xtype = ""
        self.plan = ""
        if e.amount is not None:  # (N) agency รวม X บาท
            self.section = "agency"
            self.agency = text.removesuffix(" รวม").strip()
            self.expect_plan = True
            self.out.units.append(Stated(
                f"agency {self.agency}", e.amount,
                lambda r, a=self.agency: r.agency == a
                and r.section != "repay"))
            return
        # (N) <section title> [more words] เป็นจำนวน X บาท จำแนกดังนี้
        title = text.split()[0]
        amount = baht(re.search(r"เป็นจำนวน\s+([\d,]+)\s+บาท", text).group(1))
        self.expect_plan = False
        if title == "งบประมาณรายจ่ายงบกลาง":
            # The central fund: a budget section listed like an agency.
            self.section = "central"
            self.agency = title
            self.out.units.append(Stated(
                f"agency {title}", amount, lambda r, a=title: r.agency == a))
        else:
            # Repayment of reserve-fund loans: its items name the agencies
            # and its title is their plan.  Agency totals leave it out.
            self.section = "repay"
            self.agency = ""
            self.plan = title
            label = title.removeprefix("งบประมาณรายจ่ายเพื่อ")
            self.out.sections.append(Stated(
                f"({number}) {label} section", amount,
                lambda r: r.section == "repay"))

    def xtype_line(self, name: str, e: Entry) -> None:
        self.xtype = name
        self.plan = ""
        self.expect_plan = True
        agency, prefix = self.agency, f"{name} / "
        self.out.units.append(Stated(
            f"xtype {agency} | {name}", e.amount,
            lambda r: r.agency == agency and r.plan.startswith(prefix)))

    def plan_line(self, name: str, e: Entry) -> None:
        # In a commercial enterprise the same plan can appear under both
        # expense types, so the plan is qualified by its type.
        self.plan = f"{self.xtype} / {name}" if self.xtype else name
        self.new_group()
        self.expect_plan = False
        agency, plan = self.agency, self.plan
        self.out.units.append(Stated(
            f"plan {agency} | {plan}", e.amount,
            lambda r: r.agency == agency and r.plan == plan))

    def item(self, number: int | None, name: str, e: Entry) -> None:
        if number is not None:
            self.check_number(number, name, e.page)
        self.parent = ""
        if self.section == "repay":
            self.add_row(name, "", e)
        elif self.section == "central" and name.endswith(" รวม"):
            # "1. เงินสำรองจ่ายทั่วไป รวม X บาท": stated once; its rows are
            # the sub-items 1.1, 1.2, ... that follow.
            self.parent = name.removesuffix(" รวม").strip()
            prefix = self.parent + " - "
            self.out.groups.append(Stated(
                f"งบกลาง item {number} {self.parent}", e.amount,
                lambda r: r.section == "central"
                and r.output.startswith(prefix)))
        else:
            self.add_row(self.agency, name, e)

    def sub_item(self, name: str, e: Entry) -> None:
        if not self.parent:
            self.out.warnings.append(f"page {e.page}: sub-item without a "
                                     f"parent item: {name}")
        # A sub-item is named "parent - sub-item": "กรณีฉุกเฉินหรือจำเป็น"
        # alone does not say it is general reserve money.
        self.add_row(self.agency, f"{self.parent} - {name}", e)

    # -- dispatch

    def feed(self, e: Entry) -> None:
        text = e.text.strip()
        if CLAUSE.match(text):
            self.clause(text)
        elif m := SECTION_HEAD.match(text):
            # "(N) agency รวม X บาท" ends in its amount; a budget section
            # "(N) title ... เป็นจำนวน X บาท จำแนกดังนี้" does not.
            self.section_head(int(m.group(1)), m.group(2), e)
        elif e.amount is None:
            if text not in KNOWN_HEADINGS:
                self.out.warnings.append(f"page {e.page}: line without an "
                                         f"amount ignored: {text}")
        elif self.commercial and text in EXPENSE_TYPES:
            self.xtype_line(text, e)
        elif m := PLAN_LETTER.match(text):
            self.plan_line(m.group(2).strip(), e)
        elif self.expect_plan:
            # The only plan of an agency (or of an expense type) is printed
            # without a letter, right after the agency line.
            self.plan_line(text, e)
        elif m := SUB_ITEM.match(text):
            self.sub_item(m.group(3).strip(), e)
        elif m := ITEM.match(text):
            self.item(int(m.group(1)), m.group(2).strip(), e)
        else:
            # The only item of a plan is printed without a number.
            self.item(None, text, e)


def clause_totals(pages: list[str]) -> list[Stated]:
    """ข้อ 3-5: the ordinance-level totals printed in running text."""
    text = " ".join(" ".join(p.split()) for p in pages)

    def amount_after(pattern: str) -> int:
        m = re.search(pattern + r"\s*([\d,]+)\s+บาท", text)
        if not m:
            raise SystemExit(f"not found in the PDF text: {pattern}")
        return baht(m.group(1))

    def types(clause: str) -> list[tuple[str, int]]:
        # "ประกอบด้วย รายจ่ายประจำ จำนวน X บาท [และรายจ่ายพิเศษ จำนวน Y บาท]"
        start = text.index(f"ข้อ {clause} ")
        end = text.index("จำแนกดังนี้", start)
        found = re.findall(r"(รายจ่าย\S+) จำนวน ([\d,]+) บาท", text[start:end])
        return [(name, baht(n)) for name, n in found]

    stated = [
        Stated("ข้อ 3 ordinance grand total",
               amount_after(r"ข้อ 3 .*?ให้ตั้งเป็นจำนวนรวมทั้งสิ้น"),
               lambda r: True),
        Stated("ข้อ 4 BMA budget (all except commercial)",
               amount_after(r"ข้อ 4 .*?ให้ตั้งเป็นจำนวน"),
               lambda r: not r.commercial),
    ]
    # ข้อ 4's budget is of one expense type only (รายจ่ายประจำ), and its rows
    # carry no type, so all of them count towards it.
    if len(types("4")) != 1:
        raise SystemExit("ข้อ 4 now splits its budget by expense type")
    for name, amount in types("4"):
        stated.append(Stated(f"ข้อ 4 {name}", amount,
                             lambda r: not r.commercial))
    stated.append(Stated("ข้อ 5 commercial total",
                         amount_after(r"ข้อ 5 .*?ให้ตั้งเป็นจำนวน"),
                         lambda r: r.commercial))
    for name, amount in types("5"):
        stated.append(Stated(
            f"ข้อ 5 {name}", amount,
            lambda r, p=name + " / ": r.commercial and r.plan.startswith(p)))
    return stated


# --------------------------------------------------------------------------
# Output


def write_items(path: Path, rows: list[Row]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["fiscal_year", "agency", "plan", "output_or_project",
                    "category", "amount_baht", "source_page"])
        for r in rows:
            # category: the ordinance does not split lines by expense category
            w.writerow([FISCAL_YEAR, r.agency, r.plan, r.output, "",
                        r.amount, r.page])


def write_stated(path: Path, stated: list[Stated], rows: list[Row]) -> int:
    matches = 0
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["check", "stated_baht", "computed_from_rows_baht", "match"])
        for s in stated:
            computed = sum(r.amount for r in rows if s.covers(r))
            matches += computed == s.amount
            w.writerow([s.check, s.amount, computed, computed == s.amount])
    return matches


def main(argv: list[str]) -> int:
    if len(argv) != 4:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    started = time.monotonic()
    pdf, items_csv, stated_csv = (Path(a) for a in argv[1:])
    pages = substitute_scanned_pages(pdf_pages(pdf))
    parser = Parser()
    for entry in gather_entries(body_lines(pages)):
        parser.feed(entry)
    out = parser.out
    for warning in out.warnings:
        print("warning:", warning, file=sys.stderr)
    # Order of the stated-totals file: ordinance-level figures first, then
    # the central fund's item groups, then agencies in document order, each
    # followed by its expense types and plans.
    stated = (clause_totals(pages) + out.sections + out.groups + out.units)
    write_items(items_csv, out.rows)
    matches = write_stated(stated_csv, stated, out.rows)
    print(f"{pdf.name}: {len(out.rows)} rows, {len(stated)} stated totals, "
          f"{matches} equal the sums of their rows "
          f"({time.monotonic() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
