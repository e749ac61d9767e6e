#!/usr/bin/python3
"""Extract the FY2565 district budget book into budget lines and reconcile them.

usage: extract_districts.py SOURCES_DIR OUT_DIR

Reads SOURCES_DIR/65026.pdf ... 65075.pdf (one volume per district office),
runs `pdftotext -bbox-layout` once per volume and rebuilds the printed rows
from the word boxes.  Writes to OUT_DIR:
  bma-budget-book-2565-district-lines.csv          work item x expense category
  bma-budget-book-2565-district-expense-lines.csv  expense lines under those
  reconciliation-2565.csv                          per district: stated vs sum
  bma-budget-book-2565-stated-totals.csv           totals the books print
and prints the reconciliation report.  See README.md for the layout rules.
Standard library only.
"""

import csv
import html
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from thai_text import repair  # noqa: E402

FISCAL_YEAR = 2565
LINES_CSV = 'bma-budget-book-2565-district-lines.csv'
EXPENSE_CSV = 'bma-budget-book-2565-district-expense-lines.csv'
RECON_CSV = 'reconciliation-2565.csv'
STATED_CSV = 'bma-budget-book-2565-stated-totals.csv'
STATED_HEADER = ['check', 'stated_baht', 'source_file', 'source_page', 'note']
HEADER = ['fiscal_year', 'district_office', 'work_item', 'expense_category',
          'expense_line', 'amount_baht', 'source_file', 'source_page']

# The five expense categories (งบรายจ่าย), keyed by their folded spelling
# (see fold()); the value is the spelling written to the CSV.
CATEGORIES = {
    'งบบุคลากร': 'งบบุคลากร',
    'งบดาเนินงาน': 'งบดำเนินงาน',
    'งบลงทุน': 'งบลงทุน',
    'งบเงินอุดหนุน': 'งบเงินอุดหนุน',
    'งบรายจายอืน': 'งบรายจ่ายอื่น',
}

_WORD = re.compile(r'<word xMin="([-\d.]+)" yMin="([-\d.]+)" '
                   r'xMax="([-\d.]+)" yMax="([-\d.]+)">(.*?)</word>')
_FOLD_DROP = re.compile('[\\s\u0e48-\u0e4c]')
_NUM = r'\d{1,3}(?:,\d{3})+|\d+'
# an amount row ends with the amount and บาท; a few amounts are printed with
# satang "7,477,800.00 บาท"), always .00 in these books (checked: a non-zero
# satang part raises); one row prints บาท twice ("7,859,760 บาท บาท")
_AMOUNT_ROW = re.compile(r'^(.*?)\s*(%s)(?:\.(\d\d))?(?:\s*บาท)+$' % _NUM)
_NUMBERS = re.compile(r'(?<![\d.,/])(%s)(?![\d.,/])' % _NUM)
_PAGE_NO = re.compile(r'^\d{1,3}$')
_GROUPED = re.compile(r'^\d{1,3}(?:,\d{3})+$')
_CAT_ROW = re.compile(r'^(?:\d+\.)?(งบ\S+)$')
_OUTLINE = re.compile(r'^(\d+(?:\.\d+)+\.?|\d+\.)\s*')
_ITEM_START = re.compile(r'^(\d{5}-\d+|\(\d+\))')
_CODE = re.compile(r'^\d{5}-\d+')
_ORDINAL_ONLY = re.compile(r'^\(\d+\)\s*')
_ITEM_START_FULL = re.compile(r'^(\d{5}-\d+)?\s*(\(\d+\))?\s*')
_THAI = re.compile('[\u0e01-\u0e5b]')
_ORDINAL = re.compile(r'^(\d{5}-\d+\s*)?\(\d+\)\s*')
# a budget-coded line that ends with บาท but has no amount before it
_NO_AMOUNT = re.compile(r'^\d{5}-\d+\s.*\D\s*บาท$')


def fold(s):
    """Comparison key for structural words: no spaces, tone marks or
    THANTHAKHAT, and SARA AM read as SARA AA, so a heading is recognised even
    where the text repair could not restore every mark."""
    return _FOLD_DROP.sub('', s).replace('\u0e33', '\u0e32')


def to_int(s):
    return int(s.replace(',', ''))


# --------------------------------------------------------------------------
# reading a volume: word boxes -> printed rows

class Row:
    """One printed row: page, vertical centre, left edge, repaired text, the
    x of each space-separated piece, and (label, amount) when the row ends
    with an amount in baht."""
    __slots__ = ('page', 'y', 'x', 'text', 'seg_x', 'label', 'amount')

    def __init__(self, page, y, x, text, seg_x):
        self.page, self.y, self.x, self.text, self.seg_x = page, y, x, text, seg_x
        m = _AMOUNT_ROW.match(text)
        if m:
            self.label, self.amount = m.group(1).strip(), to_int(m.group(2))
            if m.group(3) and m.group(3) != '00':
                raise ValueError('amount with satang on page %d: %r' % (page, text))
        else:
            self.label, self.amount = text, None

    def __repr__(self):
        return 'Row(p%d y%.0f x%.0f %r)' % (self.page, self.y, self.x, self.text)


def page_words(pdf):
    """Yield (page_number, [(x0, y0, x1, y1, text)]) for each page, reading
    pdftotext's output as a stream (one volume's text is a few MB)."""
    proc = subprocess.Popen(['pdftotext', '-bbox-layout', pdf, '-'],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    page, words = 0, []
    for raw in proc.stdout:
        line = raw.decode('utf-8', 'replace')
        if '<page ' in line:
            page += 1
            words = []
        elif '<word ' in line:
            m = _WORD.search(line)
            if m:
                words.append((float(m.group(1)), float(m.group(2)),
                              float(m.group(3)), float(m.group(4)),
                              html.unescape(m.group(5))))
        elif '</page>' in line:
            yield page, words
    if proc.wait() != 0:
        raise RuntimeError('pdftotext failed on %s' % pdf)


def _overlapping(subs):
    """Do words of different sub-lines overlap horizontally by more than
    1 pt?"""
    for a in range(len(subs)):
        for b in range(a + 1, len(subs)):
            for w in subs[a][1]:
                for v in subs[b][1]:
                    if min(w[2], v[2]) - max(w[0], v[0]) > 1:
                        return True
    return False


def page_rows(page, words):
    """Group a page's words into printed rows.  pdftotext puts the amount
    column and the label column in different flows, so rows are rebuilt from
    the word boxes: words whose vertical centres are within 5 pt (rows are
    15-23 pt apart) form one row, read left to right; words less than 1 pt
    apart are one word (pieces of a glyph cluster, e.g. a split SARA AM)."""
    ws = sorted(words, key=lambda w: (w[1] + w[3]) / 2)
    groups = []
    for w in ws:
        yc = (w[1] + w[3]) / 2
        if groups and abs(yc - groups[-1][0]) < 5:
            groups[-1][1].append(w)
        else:
            groups.append([yc, [w]])
    # Two printed lines can be closer than 5 pt; give each word to the row
    # whose median centre is nearest (an amount printed 0.5 pt off the line
    # of its label and 4.6 pt off the line above, 65054.pdf p42).
    centres = []
    for _, g in groups:
        cs = sorted((w[1] + w[3]) / 2 for w in g)
        centres.append(cs[len(cs) // 2])
    regrouped = [[c, []] for c in centres]
    k = 0
    for w in ws:
        yc = (w[1] + w[3]) / 2
        while k + 1 < len(centres) and abs(centres[k + 1] - yc) < abs(centres[k] - yc):
            k += 1
        regrouped[k][1].append(w)
    groups = [g for g in regrouped if g[1]]
    # Some volumes carry a second, hidden copy of a few labels a few points
    # above or below the visible one (65054.pdf p46: "รักการอ่าน" under
    # "(4) ค่าใช้จ่ายในการส่งเสริมกิจการสภาเด็ก", 3.5 pt apart).  Words of one
    # printed line never overlap, so a row whose words overlap is split into
    # its sub-lines (centres within 2 pt).
    split = []
    for yc, g in groups:
        subs = []
        for w in sorted(g, key=lambda w: (w[1] + w[3]) / 2):
            c = (w[1] + w[3]) / 2
            if subs and c - subs[-1][0] < 2:
                subs[-1][1].append(w)
            else:
                subs.append([c, [w]])
        if len(subs) > 1 and _overlapping(subs):
            split.extend(subs)
        else:
            split.append([yc, g])
    groups = split
    rows = []
    for yc, g in groups:
        g.sort(key=lambda w: w[0])
        pieces = []                      # [x0, text] separated by spaces
        right = None
        for w in g:
            if right is not None and w[0] - right <= 1.0:
                pieces[-1][1] += w[4]
            else:
                pieces.append([w[0], w[4]])
            right = w[2] if right is None else max(right, w[2])
        pieces = [(x, repair(t).strip()) for x, t in pieces]
        pieces = [(x, t) for x, t in pieces if t]
        if pieces:
            rows.append(Row(page, yc, pieces[0][0], ' '.join(t for _, t in pieces),
                            [x for x, _ in pieces]))
    return rows


# --------------------------------------------------------------------------
# the summary pages (โดยสังเขป)

def numbers_in(text):
    return [to_int(n) for n in _NUMBERS.findall(text)]


def parse_summary(rows):
    """From the rows before the detail section: the district office's name,
    the total of งบประมาณตามโครงสร้างงาน as stated in table ก) and in table
    ข), and the work items (and strategic projects) listed in table ข) with
    their stated totals."""
    info = {'district': None, 'total_a': None, 'total_a_where': None,
            'total_a_page': None, 'total_b': None, 'total_b_where': None,
            'total_b_page': None, 'work_items': []}
    in_b = False
    pending = None          # a listed item whose amounts are on the next row
    for r in rows:
        f = fold(r.text)
        if info['district'] is None:
            m = re.search('ของ(สำนักงานเขต.+?)โดยสังเขป', r.text.replace(' ', ''))
            if m:
                info['district'] = m.group(1)
        if f.startswith('ข)งบประมาณตามโครงสรางงาน'):
            in_b = True
            continue
        if f.startswith('งบประมาณตามโครงสรางงาน') and info['total_a'] is None:
            n = numbers_in(r.text)
            if n:   # table ก), last column (รวม)
                info['total_a'] = n[-1]
                info['total_a_page'] = r.page
                info['total_a_where'] = 'p%d table ก) งบประมาณตามโครงสร้างงาน' % r.page
        if not in_b:
            continue
        if f.startswith('รวมงบประมาณตามโครงสรางงาน'):
            n = numbers_in(r.text)
            if n:
                info['total_b'] = n[-1]
                info['total_b_page'] = r.page
                info['total_b_where'] = 'p%d table ข) รวมงบประมาณตามโครงสร้างงาน' % r.page
            in_b = False
            continue
        n = numbers_in(r.text)
        name = re.sub(r'(\s+(-|[\d,]+))+\s*$', '', r.text).strip()
        if f.startswith('งาน') or f.startswith('โครงการ'):
            pending = None
            info['work_items'].append([work_item_name(name), n[-1] if n else None, r.page])
            if not n:
                pending = info['work_items'][-1]
        elif pending is not None and n and not f.startswith('ฝาย'):
            # "โครงการ…" on one row, "- ค่าใช้จ่าย… 700,000 700,000" below
            pending[1] = n[-1]
            pending = None
    return info


def work_item_name(label):
    """'งาน: อำนวยการและ…' and 'งานอำนวยการและ…' are the same work item."""
    label = label.strip()
    m = re.match(r'^งาน\s*:\s*', label)
    if m:   # "งาน: งานกวาด…" printed with งาน twice
        rest = label[m.end():]
        label = rest if rest.startswith('งาน') else 'งาน' + rest
    return re.sub(r'\s+', ' ', label)


# --------------------------------------------------------------------------
# the detail section (รายละเอียดงบประมาณจำแนกตามงบรายจ่าย)

def category_of(row):
    """The category key if `row` is a category heading ('1. งบบุคลากร')."""
    if row.amount is None:
        return None
    m = _CAT_ROW.match(fold(row.label))
    if m and m.group(1) in CATEGORIES:
        return m.group(1)
    return None


def next_amount_row(rows, i):
    for j in range(i + 1, len(rows)):
        if rows[j].amount is not None:
            return j
    return None


def head_candidate(rows, i):
    """An amount row, not a category, whose next amount row is a category
    heading: the heading of a work item, or the last line of a category."""
    r = rows[i]
    if r.amount is None or category_of(r):
        return False
    j = next_amount_row(rows, i)
    return j is not None and category_of(rows[j]) is not None


def starts_like_work_item(row):
    f = fold(row.label)
    return f.startswith('งาน') or f.startswith('โครงการ')


def _join(parts):
    """Join the printed lines of one label: Thai has no spaces between
    words, so a line break between two Thai letters joins them directly."""
    out = ''
    for p in parts:
        p = p.strip()
        if not p:
            continue
        if out and not (_THAI.match(out[-1]) and _THAI.match(p[0])):
            out += ' '
        out += p
    return out


def item_label(rows, i, lo, hi):
    """The label of amount row i in a category block rows[lo:hi].

    A line numbered '1.1' or without a budget code is one printed row.  An
    item with a budget code ('07103-1 (1) ค่าใช้จ่าย…') can wrap over several
    rows, its amount printed on the last row, or beside the first or a middle
    row: the label runs from the row with the code over the rows indented to
    its text column, up to the next code, numbered line, '-' line or amount."""
    r = rows[i]
    if _OUTLINE.match(r.label):
        return r.label
    start = None
    if _CODE.match(r.label):
        start = i
    else:
        # look back for the row with the code; the row itself may start
        # with the ordinal only ("(2) กรุงเทพมหานคร 5,397,000 บาท" under
        # "06199-1 (2) ค่าอาหารเช้าของนักเรียนในโรงเรียนสังกัด", 65058.pdf p64)
        j = i - 1
        while j >= lo and rows[j].amount is None:
            if _ITEM_START.match(rows[j].text):
                start = j
                break
            j -= 1
        if start is None and _ITEM_START.match(r.label):
            start = i
    if start is None:
        return r.label
    s = rows[start]
    m = _ITEM_START_FULL.match(s.text)
    ncode = len(m.group(0).split()) if m else 1
    text_x = s.seg_x[ncode] if len(s.seg_x) > ncode else s.x
    own = r.label
    if start < i:
        own = _ORDINAL_ONLY.sub('', own)
    parts = [rows[k].text for k in range(start, i)] + [own]
    k = i + 1
    while k < hi:
        q = rows[k]
        if (q.amount is not None or _ITEM_START.match(q.text) or _OUTLINE.match(q.text)
                or q.text.startswith('-') or q.x < text_x - 3):
            break
        parts.append(q.text)
        k += 1
    # a hidden copy of (part of) a line (see page_rows) is not another line
    kept = []
    for p in parts:
        if not p:
            continue
        if len(p) > 3 and any(p in q for q in kept):
            continue
        kept = [q for q in kept if len(q) <= 3 or q not in p] + [p]
    return _join(kept)


def clean_line_name(label):
    """Drop the outline number ('1.1', '2.1.3') and the ordinal '(n)' of an
    item; keep its budget code ('07103-1')."""
    label = _OUTLINE.sub('', label)
    label = _ORDINAL.sub(lambda m: (m.group(1) or ''), label)
    return re.sub(r'\s+', ' ', label).strip()


def children_partition(amounts, total, kinds=None, strict=True):
    """Split the amount rows under a category into its direct children.

    The rows are printed in pre-order (a line, then the lines it is made of)
    and a line with sub-lines equals their sum.  Find the reading in which the
    top-level lines sum to `total` and every row is used; a row is read as
    having sub-lines when the rows after it can sum to it (the printed order),
    except that a row with a budget code ('01206-1 …') has no sub-lines and a
    row numbered at outline depth d ('1.3' is 2) has no sub-line numbered at
    depth d or less (with strict=False: less; one volume numbers a sub-line
    '2.1' under '2.1', 65063.pdf p30).  `kinds[i]` is 'code', an outline
    depth (int) or None.  Returns the indexes of the top-level lines, or
    None."""
    n = len(amounts)
    kinds = kinds or [None] * n
    memo = {}

    def may_have_kids(i, k):
        if kinds[i] == 'code':
            return False
        if isinstance(kinds[i], int):
            lim = kinds[i] if strict else kinds[i] - 1
            return not any(isinstance(kinds[j], int) and kinds[j] <= lim
                           for j in range(i + 1, k))
        return True

    def forest(i, end, target):
        # rows i..end-1 as siblings (with their sub-lines) summing to target
        key = (i, end, target)
        if key in memo:
            return memo[key]
        res = None
        if i == end:
            res = [] if target == 0 else None
        elif amounts[i] <= target:
            a = amounts[i]
            # the node's sub-lines are rows i+1..k-1; try longest first
            for k in range(end, i, -1):
                if k > i + 1:
                    if not may_have_kids(i, k) or forest(i + 1, k, a) is None:
                        continue
                rest = forest(k, end, target - a)
                if rest is not None:
                    res = [i] + rest
                    break
        memo[key] = res
        return res

    sys.setrecursionlimit(max(1000, 4 * n + 100))
    return forest(0, n, total)


def row_kind(label):
    if re.match(r'^\d{5}-\d+', label):
        return 'code'
    m = _OUTLINE.match(label)
    if m:
        return len([p for p in m.group(1).split('.') if p])
    return None


def parse_detail(rows, notes, fn):
    """Work items with their categories and expense lines.

    A work item heading is a head_candidate() whose label starts with งาน or
    โครงการ; a strategic project heading ('ค่าใช้จ่ายในการล่องเรือกินปู…
    700,000 บาท' under 'รายการตามยุทธศาสตร์') is a head_candidate() met when
    the current work item's categories already sum to its heading and the
    rows of its last category add up (otherwise the row is the last line of
    that category).  The section ends at the end of the volume, or at a page
    without text once the current work item is complete (some volumes end
    with blank pages, one of them with a stray amount, 65068.pdf p151)."""
    items = []
    n = len(rows)
    i = 0
    while i < n and not (head_candidate(rows, i) and starts_like_work_item(rows[i])):
        i += 1
    wi, cat = None, None
    while i < n:
        r = rows[i]
        if (wi is not None and i > 0 and r.page > rows[i - 1].page + 1
                and sum(c['amount'] for c in wi['cats']) == wi['amount']):
            # after blank pages, with the work item complete: skip to the
            # next work item heading, if any
            j = i
            while j < n and not (head_candidate(rows, j) and starts_like_work_item(rows[j])):
                j += 1
            skipped = [q for q in rows[i:j] if q.amount is not None]
            if skipped:
                notes.append('%s: after blank pages, ignored %s'
                             % (fn, ', '.join('p%d %r' % (q.page, q.text) for q in skipped)))
            if j == n:
                break
            i, r = j, rows[j]
        new_head = False
        if head_candidate(rows, i):
            if starts_like_work_item(r) or wi is None:
                new_head = True
            elif (sum(c['amount'] for c in wi['cats']) == wi['amount'] and cat is not None
                  and partition_of(rows, cat) is not None):
                new_head = True
        if new_head:
            wi = {'name': work_item_name(r.label), 'amount': r.amount,
                  'page': r.page, 'cats': []}
            items.append(wi)
            cat = None
        else:
            ck = category_of(r)
            if ck:
                cat = {'key': ck, 'name': CATEGORIES[ck], 'amount': r.amount,
                       'page': r.page, 'lo': i + 1, 'hi': i + 1, 'label': r.label}
                wi['cats'].append(cat)
            elif cat is not None:
                cat['hi'] = i + 1
        i += 1
    for wi in items:
        for cat in wi['cats']:
            # lines printed with บาท but without an amount (65054.pdf p55:
            # '01101-1 อัตราเดิม 5 อัตรา บาท'); named in the stated-totals
            # note of a district that does not reconcile
            cat['no_amount'] = [(rows[j].page, re.sub(r'(?:\s*บาท)+$', '', rows[j].text))
                                for j in range(cat['lo'], cat['hi'])
                                if rows[j].amount is None and _NO_AMOUNT.match(rows[j].text)]
            idx = [j for j in range(cat['lo'], cat['hi']) if rows[j].amount is not None]
            top, how = expense_lines(rows, cat, idx)
            cat['lines'], cat['how'] = None, how
            if top is not None:
                cat['lines'] = [(clean_line_name(item_label(rows, idx[t], cat['lo'], cat['hi'])),
                                 rows[idx[t]].amount, rows[idx[t]].page) for t in top]
    return items


def partition_of(rows, cat):
    idx = [j for j in range(cat['lo'], cat['hi']) if rows[j].amount is not None]
    return expense_lines(rows, cat, idx)[0]


def expense_lines(rows, cat, idx):
    """The direct children of a category, as indexes into idx, and how they
    were found:
      'tree'     every amount row under the category fits the pre-order
                 reading of children_partition();
    otherwise some rows are partial breakdowns that do not add up to the
    line above them ('ส่วนใหญ่เป็นค่าจ้างเหมา… 1,513,600 บาท'), and the
    children are, first that adds up to the category:
      'single'   the first row, when it equals the category (the expense
                 group line 'ค่าตอบแทน ใช้สอยและวัสดุ', 'ค่าครุภัณฑ์ ที่ดินและ
                 สิ่งก่อสร้าง');
      'numbered' the rows numbered N.m under category N.;
      'coded'    the items with a budget code.
    (None, reason) when nothing adds up."""
    amounts = [rows[j].amount for j in idx]
    total = cat['amount']
    kinds = [row_kind(rows[j].label) for j in idx]
    top = children_partition(amounts, total, kinds)
    if top is not None:
        return top, 'tree'
    top = children_partition(amounts, total, kinds, strict=False)
    if top is not None:
        return top, 'tree'
    if amounts and amounts[0] == total:
        return [0], 'single'
    m = re.match(r'^(\d+)\.', cat['label'].replace(' ', ''))
    if m:
        num = re.compile(r'^%s\.\d+\.?(\s|$)' % m.group(1))
        top = [k for k, j in enumerate(idx) if num.match(rows[j].label)]
        if top and sum(amounts[k] for k in top) == total:
            return top, 'numbered'
    top = [k for k, j in enumerate(idx)
           if _ITEM_START.match(item_label(rows, j, cat['lo'], cat['hi']))]
    if top and sum(amounts[k] for k in top) == total:
        return top, 'coded'
    return None, 'no reading of the %d amount rows adds up to %d' % (len(idx), total)


def find_detail_start(rows):
    for k, r in enumerate(rows):
        if 'รายละเอียดงบประมาณจาแนกตามงบรายจาย' in fold(r.text):
            return k
    return None


# --------------------------------------------------------------------------

def amounts_without_baht(rows, notes, fn):
    """A few lines in the detail pages are printed without บาท
    ('03128-1 เงินตอบแทนพิเศษของลูกจ้างประจำ 60,500').  A row that starts with
    an outline number or a budget code and whose last piece is a number with
    thousands separators standing in the page's amount column (no further
    left than 15 pt from the leftmost amount followed by บาท on that page)
    is read as an amount row.  (Rows without a number or code that end with
    a number are partial breakdowns in the descriptions, 65048.pdf, and stay
    text.)"""
    col = {}
    for r in rows:
        if r.amount is not None:
            toks = r.text.split(' ')
            k = len(toks) - 1
            while k > 0 and toks[k] == 'บาท':
                k -= 1
            if k < len(r.seg_x):
                col[r.page] = min(col.get(r.page, 1e9), r.seg_x[k])
    for r in rows:
        if r.amount is not None or r.page not in col:
            continue
        toks = r.text.split(' ')
        if (len(toks) > 1 and len(toks) == len(r.seg_x) and _GROUPED.match(toks[-1])
                and r.seg_x[-1] >= col[r.page] - 15
                and (_OUTLINE.match(r.text) or _ITEM_START.match(r.text))):
            r.amount = to_int(toks[-1])
            r.label = ' '.join(toks[:-1])
            notes.append('%s p%d: amount printed without บาท: %r' % (fn, r.page, r.text))


def process_volume(pdf):
    fn = os.path.basename(pdf)
    rows = []
    for page, words in page_words(pdf):
        rows.extend(r for r in page_rows(page, words) if not _PAGE_NO.match(r.text))
    start = find_detail_start(rows)
    if start is None:
        raise RuntimeError('%s: no detail section' % pdf)
    notes = []
    summary = parse_summary(rows[:start])
    detail = rows[start + 1:]
    amounts_without_baht(detail, notes, fn)
    items = parse_detail(detail, notes, fn)
    return summary, items, notes


def stated_total(summary):
    """The district's stated total: table ก) row งบประมาณตามโครงสร้างงาน
    (the volume's headline figure); else table ข) row รวมงบประมาณตามโครงสร้าง
    งาน; else, when the summary pages state no total, the sum of the work
    items listed in table ข)."""
    if summary['total_a'] is not None:
        return summary['total_a'], summary['total_a_where']
    if summary['total_b'] is not None:
        return summary['total_b'], 'table ก) states no total; ' + summary['total_b_where']
    return (sum(w[1] or 0 for w in summary['work_items']),
            'summary pages state no total; sum of the work items listed in table ข)')


def _baht(n):
    return '{:,}'.format(n)


def stated_rows(fn, district, summary, items, differs, extracted):
    """The rows of the stated-totals file for one volume, and how many work
    item names have more than one detail heading.

    First `agency <district>`: the table ก) total (or the fallback of
    stated_total()).  For a district whose lines do not add up to it (65054
    สาทร), the sum of its work items' printed detail headings instead, with a
    note saying why: the importer checks the lines against the headings; the
    reconciliation report keeps the summary total.  Then one `work item
    <district> | <name>` row per distinct work item name, in book order: the
    amount printed on its detail heading (the sum of them, noted, if one name
    heads more than one block)."""
    stated, where = stated_total(summary)
    if summary['total_a'] is not None:
        page, note = summary['total_a_page'], 'table ก) งบประมาณตามโครงสร้างงาน'
    elif summary['total_b'] is not None:
        page, note = summary['total_b_page'], where
    else:
        page, note = '', where
    if extracted != stated:
        headings = sum(wi['amount'] for wi in items)
        summary_where = ('table ก) p%d' % page if summary['total_a'] is not None
                         else where)
        parts = ['the summary (%s) states %s; the work items\' printed detail headings '
                 'sum to %s' % (summary_where, _baht(stated), _baht(headings))]
        if headings != extracted:
            parts.append('the extracted lines sum to %s' % _baht(extracted))
        for wi, lamt, lpage in differs:
            why = ['%s differs: table ข) p%d states %s, its detail heading p%d states %s'
                   % (wi['name'], lpage, _baht(lamt) if lamt is not None else 'no amount',
                      wi['page'], _baht(wi['amount']))]
            missing = [(pg, t) for c in wi['cats'] for pg, t in c['no_amount']]
            if missing:
                why.append('because %s without an amount, and the detail heading and '
                           'subtotals add up without %s'
                           % (' and '.join('p%d prints the line \'%s\'' % m
                                           for m in missing),
                              'it' if len(missing) == 1 else 'them'))
            parts.append(', '.join(why))
        parts.append('so the importer checks the lines against the headings '
                     '(the reconciliation report keeps the summary total)')
        stated, note = headings, '; '.join(parts)
    out = [['agency %s' % district, stated, fn, page, note]]
    listed = {id(wi): (lamt, lpage) for wi, lamt, lpage in differs}
    by_name, order = {}, []
    for wi in items:
        if wi['name'] not in by_name:
            by_name[wi['name']] = []
            order.append(wi['name'])
        by_name[wi['name']].append(wi)
    ndup = 0
    for name in order:
        wis = by_name[name]
        parts = []
        if len(wis) > 1:
            ndup += 1
            parts.append('%d headings: %s' % (len(wis), ' + '.join(
                'p%d' % wi['page'] for wi in wis)))
        for wi in wis:
            if id(wi) in listed:
                lamt, lpage = listed[id(wi)]
                parts.append('table ข) p%d states %s; the detail heading p%d and its '
                             'categories state %s'
                             % (lpage, _baht(lamt) if lamt is not None else 'no amount',
                                wi['page'], _baht(wi['amount'])))
        out.append(['work item %s | %s' % (district, name),
                    sum(wi['amount'] for wi in wis), fn, wis[0]['page'],
                    '; '.join(parts)])
    return out, ndup


def source_volumes(src):
    """65026.pdf … 65075.pdf: the 50 district offices, ordinance (21)-(70)."""
    out = []
    for f in os.listdir(src):
        m = re.match(r'^(\d{5})\.pdf$', f)
        if m and 65026 <= int(m.group(1)) <= 65075:
            out.append(f)
    return sorted(out)


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    src, out = argv[1], argv[2]
    os.makedirs(out, exist_ok=True)
    t0 = time.time()
    pdfs = source_volumes(src)
    lines_f = open(os.path.join(out, LINES_CSV), 'w', newline='', encoding='utf-8')
    exp_f = open(os.path.join(out, EXPENSE_CSV), 'w', newline='', encoding='utf-8')
    rec_f = open(os.path.join(out, RECON_CSV), 'w', newline='', encoding='utf-8')
    st_f = open(os.path.join(out, STATED_CSV), 'w', newline='', encoding='utf-8')
    # LF line ends, like the other CSVs of the repository
    lw, ew, rw, sw = (csv.writer(f, lineterminator='\n')
                      for f in (lines_f, exp_f, rec_f, st_f))
    sw.writerow(STATED_HEADER)
    n_stated = n_stated_items = n_dup_names = 0
    lw.writerow(HEADER)
    ew.writerow(HEADER)
    rw.writerow(['district_office', 'source_file', 'stated_total_baht', 'stated_where',
                 'extracted_sum_baht', 'difference_baht', 'reconciles'])
    n_ok, bad, notes = 0, [], []
    n_lines = n_exp = 0
    exp_checked = exp_missing = 0
    how_count = {}
    for fn in pdfs:
        summary, items, vnotes = process_volume(os.path.join(src, fn))
        notes.extend(vnotes)
        district = summary['district'] or ''
        if not district:
            notes.append('%s: no district office name found' % fn)
        total = 0
        for wi in items:
            csum = sum(c['amount'] for c in wi['cats'])
            if csum != wi['amount']:
                notes.append('%s %s: categories sum %d, heading states %d'
                             % (fn, wi['name'], csum, wi['amount']))
            for c in wi['cats']:
                lw.writerow([FISCAL_YEAR, district, wi['name'], c['name'], '',
                             c['amount'], fn, c['page']])
                n_lines += 1
                total += c['amount']
                if c['lines'] is None:
                    exp_missing += 1
                    notes.append('%s %s / %s (p%d, %d baht): expense lines not written: %s'
                                 % (fn, wi['name'], c['name'], c['page'], c['amount'],
                                    c['how']))
                    continue
                # the check the expense-lines file promises: its lines under
                # one work item x category sum to the category row
                if sum(amt for _, amt, _ in c['lines']) != c['amount']:
                    raise AssertionError('%s %s %s: expense lines do not sum'
                                         % (fn, wi['name'], c['name']))
                exp_checked += 1
                how_count[c['how']] = how_count.get(c['how'], 0) + 1
                for name, amt, page in c['lines']:
                    ew.writerow([FISCAL_YEAR, district, wi['name'], c['name'], name,
                                 amt, fn, page])
                    n_exp += 1
        # work items: detail headings vs the list in table ข)
        listed = summary['work_items']
        differs = []        # (work item, listed amount, listed page)
        if len(listed) != len(items):
            notes.append('%s: table ข) lists %d work items, the detail pages have %d'
                         % (fn, len(listed), len(items)))
        else:
            for (lname, lamt, lpage), wi in zip(listed, items):
                if lamt != wi['amount']:
                    differs.append((wi, lamt, lpage))
                    notes.append('%s %s: table ข) (p%d) states %s, the detail heading '
                                 '(p%d) %d' % (fn, wi['name'], lpage, lamt, wi['page'],
                                                wi['amount']))
        stated, where = stated_total(summary)
        rows, ndup = stated_rows(fn, district, summary, items, differs, total)
        for row in rows:
            sw.writerow(row)
        n_stated += len(rows)
        n_stated_items += len(rows) - 1
        n_dup_names += ndup
        if summary['total_a'] is not None and summary['total_b'] is not None \
                and summary['total_a'] != summary['total_b']:
            notes.append('%s: table ก) states %d, table ข) states %d'
                         % (fn, summary['total_a'], summary['total_b']))
        if summary['total_a'] is None:
            notes.append('%s: %s' % (fn, where))
        diff = total - stated
        ok = diff == 0
        n_ok += ok
        if not ok:
            bad.append((district, fn, stated, total, diff))
        rw.writerow([district, fn, stated, where, total, diff, 'yes' if ok else 'no'])
    for f in (lines_f, exp_f, rec_f, st_f):
        f.close()
    print('Notes (faults of the source and how they were read):')
    for note in notes:
        print('  ' + note)
    print('Expense lines: %d lines under %d of %d work item x category rows, each '
          'group summing to its row (%s); %d rows without expense lines'
          % (n_exp, exp_checked, n_lines,
             ', '.join('%s %d' % kv for kv in sorted(how_count.items())), exp_missing))
    print('Wrote %d work item x category lines, %d expense lines, %d districts '
          'to %s in %.1f s' % (n_lines, n_exp, len(pdfs), out, time.time() - t0))
    print('Stated totals: %d rows (%d agency, %d work item); %d work item names '
          'with more than one detail heading within a district'
          % (n_stated, n_stated - n_stated_items, n_stated_items, n_dup_names))
    if bad:
        print('Districts that do not reconcile (extracted - stated):')
    for district, fn, stated, total, diff in bad:
        print('  %s (%s): stated %d, extracted %d, difference %+d'
              % (district, fn, stated, total, diff))
    print('%d of %d districts reconcile' % (n_ok, len(pdfs)))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
