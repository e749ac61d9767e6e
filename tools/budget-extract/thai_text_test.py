"""Tests for thai_text.repair(), with strings as `pdftotext -raw` returns
them from the FY2566 ordinance PDF (private-use characters written as
escapes, since they do not render).

Run: /usr/bin/python3 tools/budget-extract/thai_text_test.py
"""

import unittest

from thai_text import PUA_TO_THAI, repair


class PrivateUseFormsTest(unittest.TestCase):
    """Rule 1: each presentation form maps back to its standard character."""

    def test_lowered_tone_marks(self):
        # U+F70A lowered MAI EK, U+F70B lowered MAI THO (page 1)
        self.assertEqual(repair("งบประมาณรายจ\uF70Aาย"), "งบประมาณรายจ่าย")
        self.assertEqual(repair("ข\uF70Bอบัญญัติกรุงเทพมหานคร"),
                         "ข้อบัญญัติกรุงเทพมหานคร")

    def test_left_shifted_upper_vowels(self):
        # over a tall consonant (ป ฝ ฟ) the vowel is drawn shifted left:
        # U+F701 SARA I, U+F702 SARA II, U+F703 SARA UE, U+F704 SARA UEE
        self.assertEqual(repair("บางกะป\uF701 33"), "บางกะปิ 33")
        self.assertEqual(repair("ประจำป\uF702งบประมาณ"), "ประจำปีงบประมาณ")
        self.assertEqual(repair("1. โครงการฝ\uF703กอบรม"), "1. โครงการฝึกอบรม")
        self.assertEqual(repair("ปฐมภูมิและฟ\uF704\uF714นฟูสุขภาพ"),
                         "ปฐมภูมิและฟื้นฟูสุขภาพ")

    def test_left_shifted_tone_marks(self):
        # U+F705 / U+F706: MAI EK / MAI THO lowered and left (ป่วย, ป้องกัน)
        self.assertEqual(repair("ผลผลิตดูแลผู\uF70Bป\uF705วยที่บ\uF70Bาน"),
                         "ผลผลิตดูแลผู้ป่วยที่บ้าน")
        self.assertEqual(repair("ป\uF706องกันและบรรเทาสาธารณภัย"),
                         "ป้องกันและบรรเทาสาธารณภัย")
        # U+F713 / U+F714: MAI EK / MAI THO over a left-shifted upper vowel
        self.assertEqual(repair("ถนนฝ\uF710\uF713งธนบุรี"), "ถนนฝั่งธนบุรี")
        self.assertEqual(repair("ฟ\uF704\uF714นฟู"), "ฟื้นฟู")

    def test_thanthakhat_forms(self):
        # U+F70E lowered, U+F709 lowered and left (after ป)
        self.assertEqual(repair("สำนักการแพทย\uF70E 4"), "สำนักการแพทย์ 4")
        self.assertEqual(repair("ผลผลิตหอศิลป\uF709กรุงเทพมหานคร"),
                         "ผลผลิตหอศิลป์กรุงเทพมหานคร")

    def test_mai_han_akat_and_maitaikhu_shifted_left(self):
        # U+F710 MAI HAN-AKAT (ปัญหา), U+F712 MAITAIKHU (เป็น)
        self.assertEqual(repair("ป\uF706องกันแก\uF70Bไขป\uF710ญหาเอดส\uF70E"),
                         "ป้องกันแก้ไขปัญหาเอดส์")
        self.assertEqual(repair("โดยที่เป\uF712นการสมควร"), "โดยที่เป็นการสมควร")

    def test_whole_block_maps_into_thai(self):
        # the full U+F700-U+F71A block is covered and lands in U+0E00-U+0E7F
        self.assertEqual(sorted(PUA_TO_THAI), list(range(0xF700, 0xF71B)))
        for target in PUA_TO_THAI.values():
            self.assertTrue(0x0E01 <= target <= 0x0E4F, hex(target))


class SplitSaraAmTest(unittest.TestCase):
    """Rule 2: NIKHAHIT + SARA AA is SARA AM; a tone goes in front."""

    def test_nikhahit_sara_aa(self):
        self.assertEqual(repair("ส\u0E4D\u0E32นักงานเขตบางกะป\uF701"),
                         "สำนักงานเขตบางกะปิ")

    def test_tone_before_nikhahit(self):
        # this PDF writes the tone first (NO NU, MAI THO, NIKHAHIT, SARA AA);
        # tone then SARA AM is the standard order
        self.assertEqual(repair("ส\u0E4D\u0E32นักการระบายน\u0E49\u0E4D\u0E32 9"),
                         "สำนักการระบายน้ำ 9")

    def test_tone_between_nikhahit_and_sara_aa(self):
        # the order the data README also describes (NIKHAHIT, tone, SARA AA);
        # the same word as above with the tone moved inside
        self.assertEqual(repair("น\u0E4D\u0E49\u0E32"), "น\u0E49\u0E33")

    def test_sara_am_already_standard(self):
        # the cover page has one real SARA AM (U+0E33)
        self.assertEqual(repair("ประจ\u0E33ป\uF702งบประมาณ พ.ศ. 2566"),
                         "ประจำปีงบประมาณ พ.ศ. 2566")


class UnchangedTest(unittest.TestCase):

    def test_text_without_pua_is_unchanged(self):
        samples = [
            "2. โครงการกรุงเทพฯ เมืองอาหารปลอดภัย 17,084,400 บาท",
            "ชุตินฺธโร อุทิศ 69,594,300 บาท",  # PHINTHU (U+0E3A) is standard
            "สำนักงานเขตบางบอน",                 # already repaired text
            "'.i111 6,407,600 'U1'Vl",           # OCR layer of page 88
            "",
        ]
        for text in samples:
            self.assertEqual(repair(text), text)

    def test_repair_is_idempotent(self):
        once = repair("ส\u0E4D\u0E32นักงานเขตป\uF706อมปราบศัตรูพ\uF70Aาย")
        self.assertEqual(once, "สำนักงานเขตป้อมปราบศัตรูพ่าย")
        self.assertEqual(repair(once), once)


if __name__ == "__main__":
    unittest.main()
