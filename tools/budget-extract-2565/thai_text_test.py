"""Tests for thai_text.repair, on strings taken from the text layer of the
FY2565 district budget book (rows rebuilt from `pdftotext -bbox-layout`
word boxes, before repair).  The comment on each case names the volume and
page it comes from.

run: /usr/bin/python3 -m unittest thai_text_test   (in this folder)

With BMA_2565_SOURCES set to the folder of 65026.pdf … 65075.pdf, one more
test corrupts the 15 volumes set in a correct font both ways (every ำ as า,
every า as ำ) and checks that repair() gives their text back (about 10 s).
"""

import collections
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from thai_text import repair  # noqa: E402


class PresentationForms(unittest.TestCase):
    """Rule 1: U+F700-U+F71A are the shifted Thai marks."""

    def test_low_mai_ek(self):
        # 65026.pdf p24: ค่าวัสดุ with MAI EK as U+F70A
        self.assertEqual(repair('\u0e04\uf70a\u0e32\u0e27\u0e31\u0e2a\u0e14\u0e38'), 'ค่าวัสดุ')

    def test_maitaikhu_left(self):
        # เป็น: MAITAIKHU as U+F712 (not MAI EK), 65026.pdf p24
        self.assertEqual(repair('\u0e40\u0e1b\uf712\u0e19'), 'เป็น')

    def test_marks_of_one_cluster(self):
        # ฝั่ง (U+F710 U+F713), ฟื้น (U+F704 U+F714), โต๊ะ (U+F70C)
        self.assertEqual(repair('\u0e1d\uf710\uf713\u0e07'), 'ฝั่ง')
        self.assertEqual(repair('\u0e1f\uf704\uf714\u0e19'), 'ฟื้น')
        self.assertEqual(repair('\u0e42\u0e15\uf70c\u0e30'), 'โต๊ะ')

    def test_karan_in_row(self):
        # 65063.pdf p22, "กิจกรรมหลัก" row: ศูนย์ (U+F70E), ก่อน (U+F70A)
        raw = ('\u0e28\u0e39\u0e19\u0e22\uf70e\u0e1e\u0e31\u0e12\u0e19\u0e32'
               '\u0e40\u0e14\u0e47\u0e01\u0e01\uf70a\u0e2d\u0e19\u0e27\u0e31\u0e22'
               '\u0e40\u0e23\u0e35\u0e22\u0e19')
        self.assertEqual(repair(raw), 'ศูนย์พัฒนาเด็กก่อนวัยเรียน')


class SplitSaraAm(unittest.TestCase):
    """Rule 2: NIKHAHIT + SARA AA (either order) is SARA AM."""

    def test_district_name(self):
        # 65026.pdf p2
        self.assertEqual(repair('\u0e2a\u0e4d\u0e32\u0e19\u0e31\u0e01\u0e07\u0e32\u0e19'
                                '\u0e40\u0e02\u0e15\u0e1e\u0e23\u0e30\u0e19\u0e04\u0e23'),
                         'สำนักงานเขตพระนคร')

    def test_aa_before_nikhahit_from_word_boxes(self):
        # 65026.pdf p24: words "คาวัสดุส" "า" "ํ" "นักงาน" read left to right
        raw = ('\u0e04\uf70a\u0e32\u0e27\u0e31\u0e2a\u0e14\u0e38\u0e2a\u0e32\u0e4d'
               '\u0e19\u0e31\u0e01\u0e07\u0e32\u0e19 \u0e2f\u0e25\u0e2f')
        self.assertEqual(repair(raw), 'ค่าวัสดุสำนักงาน ฯลฯ')

    def test_tone_between(self):
        # น้ำ: NIKHAHIT, MAI THO (U+F70B), SARA AA
        self.assertEqual(repair('\u0e19\u0e4d\uf70b\u0e32'), 'น้ำ')


class ToneAfterVowel(unittest.TestCase):
    """Rule 3 (with rule 4): ผำ่น is ผ่าน."""

    def test_header_row(self):
        # 65036.pdf p7, indicator table header
        raw = ('\u0e2b\u0e19\u0e48\u0e27\u0e22\u0e19\u0e31\u0e1a \u0e1b\u0e35\u0e17\u0e35\u0e48'
               '\u0e1c\u0e33\u0e48\u0e19\u0e21\u0e33 \u0e1b\u0e35\u0e1b\u0e31\u0e08\u0e08\u0e38'
               '\u0e1a\u0e31\u0e19')
        self.assertEqual(repair(raw), 'หน่วยนับ ปีที่ผ่านมา ปีปัจจุบัน')


class SaraAaSaraAm(unittest.TestCase):
    """Rule 4: the two broken fonts."""

    def test_font_a_every_aa_reads_am(self):
        # 65040.pdf p3, table ก) heading
        self.assertEqual(repair('ก) งบประมำณจำแนกตำมประเภทงบประมำณ'),
                         'ก) งบประมาณจำแนกตามประเภทงบประมาณ')

    def test_font_a_row_with_amount(self):
        # 65040.pdf p27 (ประจำ keeps its ำ; บำท is บาท)
        self.assertEqual(repair('1.2 ค่ำจ้ำงประจำ 2,414,840 บำท'),
                         '1.2 ค่าจ้างประจำ 2,414,840 บาท')

    def test_font_a_district_name_ending_in_na(self):
        # 65068.pdf p1: คันนายาว must not become คันนำยาว
        self.assertEqual(repair('สำนักงำนเขตคันนำยำว มีพันธกิจหลักในกำรพัฒนำปรับปรุง'),
                         'สำนักงานเขตคันนายาว มีพันธกิจหลักในการพัฒนาปรับปรุง')

    def test_font_b_every_am_reads_aa(self):
        # 65031.pdf p3, table ข)
        self.assertEqual(repair('งานอานวยการและบริหารสานักงานเขต 12,819,524 12,819,524'),
                         'งานอำนวยการและบริหารสำนักงานเขต 12,819,524 12,819,524')

    def test_font_b_title(self):
        # 65075.pdf p4
        self.assertEqual(repair('งบประมาณรายจ่ายประจาปี 2565 ของสานักงานเขตบางบอนโดยสังเขป'),
                         'งบประมาณรายจ่ายประจำปี 2565 ของสำนักงานเขตบางบอนโดยสังเขป')

    def test_font_b_nam_but_not_na(self):
        # 65031.pdf p28: น้า is น้ำ, but หน้า stays
        self.assertEqual(repair('ค่าไฟฟ้า ค่าโทรศัพท์เคลื่อนที่ ค่าน้าประปา'),
                         'ค่าไฟฟ้า ค่าโทรศัพท์เคลื่อนที่ ค่าน้ำประปา')
        self.assertEqual(repair('ได้รับมอบหมาย หน้าที่'), 'ได้รับมอบหมาย หน้าที่')

    def test_correct_text_unchanged(self):
        # 65063.pdf p22 (a correct font): พัฒนาศักยภาพ is not พัฒนำ…
        self.assertEqual(repair('กิจกรรมหลัก : พัฒนาศักยภาพชุมชน,'),
                         'กิจกรรมหลัก : พัฒนาศักยภาพชุมชน,')
        # district names with า and no ำ
        for name in ('สำนักงานเขตบางนา', 'สำนักงานเขตทวีวัฒนา', 'สำนักงานเขตลาดกระบัง',
                     'สำนักงานเขตราษฎร์บูรณะ', 'สำนักงานเขตวังทองหลาง'):
            self.assertEqual(repair(name), name)

    def test_mixed_fonts_in_one_row(self):
        # 65065.pdf p69: font A words beside an already correct word
        raw = ('\u0e1c\u0e39\u0e1b\u0e49\u0e01\u0e04\u0e23\u0e2d\u0e07\u0e40\u0e1e\u0e37\u0e48'
               '\u0e2d\u0e1e\u0e31\u0e12\u0e19\u0e33\u0e42\u0e23\u0e07\u0e40\u0e23\u0e35\u0e22'
               '\u0e19\u0e2a\u0e31\u0e07\u0e01\u0e31\u0e14\u0e01\u0e23\u0e38\u0e07\u0e40\u0e17'
               '\u0e1e\u0e21\u0e2b\u0e33\u0e19\u0e04\u0e23 29,200 \u0e1a\u0e33\u0e17')
        self.assertEqual(repair(raw),
                         'ผู้ปกครองเพื่อพัฒนาโรงเรียนสังกัดกรุงเทพมหานคร 29,200 บาท')


class DisplacedMarks(unittest.TestCase):
    """Rule 5: marks drawn on the following consonant."""

    def test_tone_after_closing_consonant(self):
        # 65053.pdf p3 and p4
        self.assertEqual(repair('งบประมาณภารกิจประจาพืน้ฐาน 312,540,757 บาท'),
                         'งบประมาณภารกิจประจำพื้นฐาน 312,540,757 บาท')
        self.assertEqual(repair('ค) งบประมาณเพือ่สนับสนุนช่วยเหลือ (Grant)'),
                         'ค) งบประมาณเพื่อสนับสนุนช่วยเหลือ (Grant)')

    def test_work_item_name(self):
        # 65065.pdf p43, work item heading in font A with ู displaced
        self.assertEqual(repair('งำน: เก็บขยะมูลฝอยและขนถ่ำยสิ่งปฏิกลู 90,322,182 บำท'),
                         'งาน: เก็บขยะมูลฝอยและขนถ่ายสิ่งปฏิกูล 90,322,182 บาท')

    def test_sara_i_moved(self):
        # 65036.pdf p7: ปฏิบัตงิำน in font A
        self.assertEqual(repair('และปฏิบัตงิำนร่วมกับหรือสนับสนุนกำร'),
                         'และปฏิบัติงานร่วมกับหรือสนับสนุนการ')

    def test_overdrawn_words(self):
        # 65053.pdf p69: "ตาม" and "โครงการ" drawn over each other
        self.assertEqual(repair('07199-4 (4) ค่าใช้จ่ายโตามครงการเรียนฟรี เรียนดีอย่างมีคุณภาพ'),
                         '07199-4 (4) ค่าใช้จ่ายตามโครงการเรียนฟรี เรียนดีอย่างมีคุณภาพ')


@unittest.skipUnless(os.environ.get('BMA_2565_SOURCES'), 'set BMA_2565_SOURCES')
class RoundTrip(unittest.TestCase):
    """Rule 4 against the volumes whose ำ is unambiguous (NIKHAHIT + SARA AA)."""

    def test_corrupt_and_repair(self):
        src = os.environ['BMA_2565_SOURCES']
        tokens = collections.Counter()
        for n in range(65026, 65076):
            raw = subprocess.run(['pdftotext', '-raw', os.path.join(src, '%d.pdf' % n), '-'],
                                 stdout=subprocess.PIPE, check=True).stdout.decode('utf-8')
            if '\u0e33' in raw:        # a volume set in a broken font
                continue
            tokens.update(raw.split())
        self.assertGreater(len(tokens), 1000)
        wrong = []
        for tok in tokens:
            good = repair(tok)
            if '\u0e4d' not in tok.translate({0xF711: 0x0E4D}) and '\u0e33' in good:
                wrong.append((tok, good))        # a correct word was changed
            for bad in (good.replace('\u0e32', '\u0e33'), good.replace('\u0e33', '\u0e32')):
                if repair(bad) != good:
                    wrong.append((bad, repair(bad), good))
        self.assertEqual(wrong, [])


class Purity(unittest.TestCase):
    def test_idempotent_and_empty(self):
        self.assertEqual(repair(''), '')
        once = repair('ก) งบประมำณจำแนกตำมประเภทงบประมำณ')
        self.assertEqual(repair(once), once)


if __name__ == '__main__':
    unittest.main()
