"""Thai text repair for the FY2565 district budget book (bma-budget-book-2565-districts).

The 50 volumes were typeset in Thai fonts whose text layer is wrong in a few
systematic ways.  `repair(text)` undoes them; it is a pure function (no I/O,
no state) so the extractor can apply it to every row it reads.

What the text layer gets wrong, found by reading `pdftotext -bbox-layout` and
`pdftotext -raw` output of all 50 volumes:

1. Windows "presentation form" code points U+F700-U+F71A (private use area)
   instead of Thai tone marks and upper/lower vowels (13 volumes).
2. SARA AM written as NIKHAHIT (+ tone) + SARA AA, and in the bbox word order
   sometimes SARA AA + NIKHAHIT (the two glyphs sit at the same x).
3. A tone mark placed after SARA AA / SARA AM instead of before it.
4. The SARA AA / SARA AM confusion ("the font confuses า and ำ"): two broken
   fonts lose the difference between the two vowels.
     - font A maps the glyph of SARA AA to SARA AM, so *every* า reads ำ:
       "งบประมำณจำแนกตำมประเภท" for "งบประมาณจำแนกตามประเภท" (25 volumes,
       the first pages of 5 more, and parts of 5 more);
     - font B maps the glyph of SARA AM to SARA AA, so every ำ reads า:
       "งบประมาณจาแนก", "สานักงานเขต" for "จำแนก", "สำนักงานเขต" (most pages
       of 5 volumes, and parts of 5 more).
   Neither font ever emits the other vowel, so a word that contains ำ (and no
   า) was set in font A and a word that contains า (and no ำ) was set in font B
   or in a correct font.  The vowel that was lost is put back from a list of
   the words of these books that really contain ำ (`_AM_WORDS`).
5. A vowel or tone mark displaced past the following consonant
   ("ปฏิบัตหิน้าที่", "พืน้ฐาน", "เพือ่") - see `_DISPLACED`.  This one is
   not in the text layer but in how `pdftotext -bbox-layout` reads it: it
   orders the glyphs of a word by x, and in the broken fonts some marks stand
   at an x past the start of the next consonant.  (`pdftotext -raw` keeps
   content-stream order and has none of these forms; the extractor reads the
   word boxes only, one pdftotext run per volume.)
"""

import importlib.util
import re
from pathlib import Path

# The ordinance extractor's module has the same name; load it under another.
_spec = importlib.util.spec_from_file_location(
    'ordinance_thai_text', Path(__file__).resolve().parent.parent / 'budget-extract' / 'thai_text.py')
_ordinance = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_ordinance)
PUA_TO_THAI = _ordinance.PUA_TO_THAI

# --- rule 1: private-use presentation forms -> standard code points ---------
# Why: the fonts are the Windows Thai fonts whose glyphs for shifted marks are
# encoded at U+F700-U+F71A; pdftotext passes the code points through.  The
# table is the one the FY2566 ordinance extractor uses (one table for both
# books), and was checked on these books too: "เป\uf712น" is เป็น,
# "ฝ\uf710\uf713ง" is ฝั่ง, "ฟ\uf704\uf714น" is ฟื้น, "โต\uf70cะ" is โต๊ะ,
# "ค\uf70aา" is ค่า.
_PUA = PUA_TO_THAI

AA = '\u0e32'        # า SARA AA
AM = '\u0e33'        # ำ SARA AM
NIKHAHIT = '\u0e4d'  # ํ
TONES = '\u0e48-\u0e4b'
_THAI_CONS = '\u0e01-\u0e2e'

# --- rule 2: split SARA AM ---------------------------------------------------
# Why: the correct fonts draw ำ as two glyphs, NIKHAHIT and SARA AA, and the
# text layer keeps them as two characters (with the tone mark, if any, between
# them: "น\u0e4d\u0e49\u0e32" is น้ำ).  In the bbox word list the SARA AA glyph
# can come first ("คาวัสดุส", "า", "ํ", "นักงาน" for ค่าวัสดุสำนักงาน), because
# both glyphs have the same x.  Both orders are one SARA AM.
_SPLIT_AM = re.compile('%s([%s]?)%s' % (NIKHAHIT, TONES, AA))
_SPLIT_AM_REV = re.compile('%s([%s]?)%s' % (AA, TONES, NIKHAHIT))

# --- rule 3: tone mark after the vowel ----------------------------------------
# Why: a tone mark belongs to the consonant before the vowel; Thai never
# writes a tone after า or ำ, but these books have "ผำ่น" (ผ่าน) and
# "ปีที่ผา่นมา" in the text layer.  Move the tone before the vowel.
_TONE_AFTER_VOWEL = re.compile('([%s%s])([%s])' % (AA, AM, TONES))

# --- rule 4: words that really contain SARA AM --------------------------------
# Every word of these books that contains ำ and that occurs in a name the
# extractor emits or in the recurring text of the volumes, found by collecting
# every ำ of the 15 volumes whose ำ is unambiguous (rule 2 form) and checked by
# corrupting those volumes both ways and repairing them (see README).
# Each entry is the correct spelling; the rule looks for it spelled with า in
# place of every ำ.  An entry may carry a lookbehind and/or a lookahead for the
# few whose า spelling is also (part of) a real word:  (word, before, after).
_AM_WORDS = [
    # สำ-: "สาเหตุ", "สาร", "สาขา" are real words, so only whole stems.
    ('สำนัก', '', ''), ('สำหรับ', '', ''), ('สำคัญ', '', ''),
    ('สำรวจ', '', ''), ('สำเร็จ', '', ''), ('สำเนา', '', ''),
    ('สำนึก', '', ''), ('สำรอง', '', ''),
    # ดำ-
    ('ดำเนิน', '', ''), ('ดำริ', '', ''), ('ดำรง', '', ''),
    ('ขาว-ดำ', '', ''), ('ขาวดำ', '', ''), ('ดำน้ำ', '', ''),
    ('ดำ', '^', r'(?=\))'),          # "(ขาว - ดำ)" split into tokens
    # จำ-: "จาก", "จาน" are real words; these stems are not.
    # "ประจาน" (to shame) is a word, hence the lookahead.
    ('ประจำ', '', '(?!น)'), ('จำนวน', '', ''), ('จำแนก', '', ''),
    ('จำหน่าย', '', ''), ('จำเป็น', '', ''), ('จำพวก', '', ''),
    ('จำกัด', '', ''), ('จำลอง', '', ''), ('จำนง', '', ''),
    # น้ำ: the only other word spelled น้า in these books is หน้า
    ('น้ำ', '(?<!ห)', ''),
    # บำ-, อำ-
    ('บำรุง', '', ''), ('บำบัด', '', ''), ('บำเหน็จ', '', ''),
    ('บำเพ็ญ', '', ''), ('บำนาญ', '', ''),
    ('อำนวย', '', ''), ('อำนาจ', '', ''), ('อำเภอ', '', ''),
    # กำ-
    ('กำหนด', '', ''), ('กำกับ', '', ''), ('กำจัด', '', ''),
    ('กำลัง', '', ''), ('กำเนิด', '', ''), ('กำไร', '', ''),
    ('กำแพง', '', ''), ('กำชับ', '', ''),
    # ตำ-
    ('ตำแหน่ง', '', ''), ('ตำรวจ', '', ''), ('ตำบล', '', ''),
    # ชำ-: ชา (tea) is a word, so only these stems.
    ('ชำระ', '', ''), ('ชำนาญ', '', ''), ('ชำรุด', '', ''),
    ('เพาะชำ', '', ''),
    # คำ-: "คาด", "คาร์", "คาบ" are real words.
    ('คำนวณ', '', ''), ('คำปรึกษา', '', ''), ('คำปฏิญาณ', '', ''),
    ('คำสั่ง', '', ''), ('คำร้อง', '', ''), ('คำขอ', '', ''),
    ('คำรับรอง', '', ''), ('คำชี้แจง', '', ''), ('คำนึง', '', ''),
    ('คำแนะนำ', '', ''),
    # ทำ: "ทาง", "ทาน", "ทาส", "ทาสี" are real words, so ทำ only after จัด/กระ
    # or before the syllables it is followed by in these books.
    ('จัดทำ', '', ''), ('กระทำ', '', ''), ('ทำนุ', '', ''),
    ('ทำเนียบ', '', ''), ('ตู้ทำน้ำ', '', ''),
    # "การทาสี" (painting) is a phrase of these books, so only at token end
    ('การทำ', '', '$'), ('จะทำ', '', '$'), ('ได้ทำ', '', '$'),
    # not after เ: "บรรเทาความเดือดร้อน"
    ('ทำ', '(?<!เ)', '(?=ความ|การ|งาน|ให้|บัญชี|หมัน|ลาย|ผิด|กิจ|ประ|ทะเบียน|แผน|'
               'ราย|สถิติ|ฎีกา|หน้าที่|สัญญา|ป้าย|ทาง|แบบ|ลาน|เป็น|ไว้|ได้|โดย|'
                         'เกษตร)'),
    # นำ: "นา", "นาที", "นาย", "นาน" and district names ending in นา are real.
    ('แนะนำ', '', ''), ('ผู้นำ', '', ''), ('นำร่อง', '', ''),
    # not after ฒ: "พัฒนาศักยภาพ"
    ('นำ', '(?<!ฒ)', '(?=ส่ง|มา|ไป|เข้า|เสนอ|โรค|ศักยภาพ|กลับ)'),
    # ลำ-: "ลาด", "ลาย" are real.
    ('ลำดับ', '', ''), ('ลำคลอง', '', ''), ('ลำราง', '', ''),
    ('ลำโพง', '', ''), ('ลำเลียง', '', ''), ('ลำน้ำ', '', ''),
    ('ลำธาร', '', ''),
    ('ลำ', '^', '$'),                 # counter for boats: "เรือ ... 2 ลำ"
    ('รามคำแหง', '', ''),
    # the rest; "ซ้าย" (left) is a word, hence the lookahead on ซ้ำ
    ('รำคาญ', '', ''), ('รำลึก', '', ''), ('ต่ำกว่า', '', ''), ('สม่ำเสมอ', '', ''),
    ('รุกล้ำ', '', ''), ('ล้ำหรือ', '', ''), ('ซ้ำ', '', '(?!ย)'),
]


def _am_rule(word, before, after):
    """Regex matching `word` spelled with า for ำ, and the replacement."""
    return re.compile(before + re.escape(word.replace(AM, AA)) + after), word


_AM_RULES = [_am_rule(*w) for w in sorted(_AM_WORDS, key=lambda w: -len(w[0]))]


def _restore_am(token):
    """Put ำ back into a token written with า for every ำ (font B form)."""
    for pat, word in _AM_RULES:
        if AA in token:
            token = pat.sub(word, token)
    return token


# --- rule 5: displaced marks ---------------------------------------------------
# Why: in the volumes set in the broken fonts some marks are drawn at an x
# past the start of the next consonant, and -bbox-layout, which orders a
# word's glyphs by x, puts them after it ("ปฏิบัตงิาน" for ปฏิบัติงาน,
# "สิง่แวดล้อม" for สิ่งแวดล้อม, "ค่าครุภณัฑ์" for ค่าครุภัณฑ์; -raw has
# them in place).  Both orders are valid Unicode, so only sequences that
# cannot be correct Thai are moved back:
#  - generic: MAI HAN-AKAT, SARA UE and SARA UEE (ั ึ ื) always close their
#    syllable with a consonant, so "ื" + consonant + tone means the tone
#    belongs before that consonant ("พืน้ฐาน" -> พื้นฐาน, "เพือ่" -> เพื่อ);
#    likewise the tone of เ-ีย stands before ย ("เลีย้ง" -> เลี้ยง,
#    "เสีย่ง" -> เสี่ยง).
#  - the rest are word fragments found misplaced in the word boxes of these
#    books whose misplaced spelling is not Thai (each checked against the
#    text of the 15 volumes set in a correct font, where none of them occurs,
#    and against -raw text, where the correct spelling does).
_DISPLACED = [
    (re.compile('([\u0e31\u0e36\u0e37])([%s])([%s])' % (_THAI_CONS, TONES)), r'\1\3\2'),
    (re.compile('(เ[%s]{1,2}\u0e35)(\u0e22)([%s])' % (_THAI_CONS, TONES)), r'\1\3\2'),
    # ปฏิบัติ-, บัญญัติ-, พิธี- followed by the next syllable's consonant
    (re.compile('(ปฏิบัต|บัญญัต|นิต)([%s])\u0e34' % _THAI_CONS), '\\1\u0e34\\2'),
    (re.compile('พิธ([%s])\u0e35' % _THAI_CONS), 'พิธี\\1'),
    # ผู้ (the only ผู-word with a tone): "ผูบ้ริหาร", "ผูเ้สีย", "ผกู้ระทำ"
    (re.compile('ผู([%sเแโใไ])\u0e49' % _THAI_CONS), 'ผู้\\1'),
    (re.compile('ผ([%s])\u0e39\u0e49' % _THAI_CONS), 'ผู้\\1'),
    (re.compile('อยู([%s])\u0e48' % _THAI_CONS), 'อยู่\\1'),
]
_DISPLACED_WORDS = [
    ('สิง่', 'สิ่ง'), ('รบั', 'รับ'), ('ชีวติ', 'ชีวิต'), ('คณุ', 'คุณ'),
    ('ลกู', 'ลูก'), ('สงู', 'สูง'), ('ภณั', 'ภัณ'), ('ที่ดนิ', 'ที่ดิน'),
    ('สทิธิ', 'สิทธิ'), ('ภยั', 'ภัย'), ('วชิา', 'วิชา'), ('สญั', 'สัญ'),
    ('สขุ', 'สุข'), ('พฒั', 'พัฒ'), ('ทศั', 'ทัศ'), ('ปฏิกลู', 'ปฏิกูล'),
    ('ผอ่น', 'ผ่อน'), ('รอ้ง', 'ร้อง'), ('มคีวาม', 'มีความ'),
    ('ดปีลอด', 'ดีปลอด'), ('รมิทาง', 'ริมทาง'), ('สว่น', 'ส่วน'),
    ('สิน้', 'สิ้น'), ('ชิน้', 'ชิ้น'), ('ทรัพย์สนิ', 'ทรัพย์สิน'),
    ('หนี้สนิ', 'หนี้สิน'), ('อนุรกั', 'อนุรัก'), ('ดอ้ย', 'ด้อย'),
    ('รุน่', 'รุ่น'), ('กลุม่', 'กลุ่ม'), ('รอ้น', 'ร้อน'),
    # the tone of ที่ drawn over the next word ("เจ้าหน้าทีเพื่่อ"), and two
    # words drawn over each other ("ค่าใช้จ่ายโตามครงการ")
    ('ทีเพื่่อ', 'ที่เพื่อ'), ('ทีปฏิ่บัติ', 'ที่ปฏิบัติ'), ('โตามครงการ', 'ตามโครงการ'),
]


def _fix_token(tok):
    if NIKHAHIT in tok:
        # a correct font (rule 2 form): its vowels are right
        return tok
    has_am, has_aa = AM in tok, AA in tok
    if has_am and not has_aa:
        # font A: every ำ may be a า; read them all as า, then restore the
        # words that really have ำ
        return _restore_am(tok.replace(AM, AA))
    if has_aa and not has_am:
        # font B (or a correct font, where no rule matches)
        return _restore_am(tok)
    return tok


def _fix_displaced(text):
    for pat, rep in _DISPLACED:
        text = pat.sub(rep, text)
    for bad, good in _DISPLACED_WORDS:
        if bad in text:
            text = text.replace(bad, good)
    return text


def repair(text):
    """Return `text` with the text-layer faults of these fonts undone."""
    if not text:
        return text
    text = text.translate(_PUA)                       # rule 1
    # rule 5 first, so that rule 4 sees whole words ("ผกู้ระทำ" holds
    # กระทำ only once the mark is back in place) ...
    text = _fix_displaced(text)
    # rule 4 works per whitespace-separated token: a line can mix fonts
    parts = re.split(r'(\s+)', text)
    parts = [p if (i % 2 or not p) else _fix_token(p) for i, p in enumerate(parts)]
    text = ''.join(parts)
    text = _SPLIT_AM.sub(lambda m: m.group(1) + AM, text)      # rule 2
    text = _SPLIT_AM_REV.sub(lambda m: m.group(1) + AM, text)
    text = _TONE_AFTER_VOWEL.sub(r'\2\1', text)                # rule 3
    # ... and again, for words that hold า only once rule 4 has run
    return _fix_displaced(text)
