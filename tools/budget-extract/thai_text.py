"""Thai text repair for text extracted from Windows-made PDFs.

The FY2566 ordinance PDF was printed from Excel through "Microsoft: Print To
PDF" with a Windows Thai font. Its text layer does not hold standard Thai for
the marks the font draws in a shifted position: it holds the font's
presentation-form glyphs, which Windows places in the private-use area
U+F700-U+F71A, and it writes SARA AM as the two glyphs it is drawn with.
repair() maps that back to standard Unicode Thai so that names compare equal
to the same names typed anywhere else.

Pure function, no I/O: the extractor and the tests import it.
"""

import re

# Rule 1 - private-use presentation forms.  Windows Thai fonts draw a tone
# mark or upper vowel shifted left (over a tall consonant such as ป ฝ ฟ) or
# lowered (when there is no upper vowel), and lower vowels / ฐ ญ without their
# descender, each as a separate glyph at a fixed private-use code point.  The
# shift is only a drawing position: each code point stands for exactly one
# standard character.  The full U+F700-U+F71A block is mapped, not only the
# code points this PDF happens to use, so a re-issued PDF cannot leak PUA.
PUA_TO_THAI = {
    0xF700: 0x0E10,  # THO THAN without descender      -> ฐ
    0xF701: 0x0E34,  # SARA I, shifted left             -> ิ
    0xF702: 0x0E35,  # SARA II, shifted left            -> ี
    0xF703: 0x0E36,  # SARA UE, shifted left            -> ึ
    0xF704: 0x0E37,  # SARA UEE, shifted left           -> ื
    0xF705: 0x0E48,  # MAI EK, lowered and left         -> ่
    0xF706: 0x0E49,  # MAI THO, lowered and left        -> ้
    0xF707: 0x0E4A,  # MAI TRI, lowered and left        -> ๊
    0xF708: 0x0E4B,  # MAI CHATTAWA, lowered and left   -> ๋
    0xF709: 0x0E4C,  # THANTHAKHAT, lowered and left    -> ์
    0xF70A: 0x0E48,  # MAI EK, lowered                  -> ่
    0xF70B: 0x0E49,  # MAI THO, lowered                 -> ้
    0xF70C: 0x0E4A,  # MAI TRI, lowered                 -> ๊
    0xF70D: 0x0E4B,  # MAI CHATTAWA, lowered            -> ๋
    0xF70E: 0x0E4C,  # THANTHAKHAT, lowered             -> ์
    0xF70F: 0x0E0D,  # YO YING without descender        -> ญ
    0xF710: 0x0E31,  # MAI HAN-AKAT, shifted left       -> ั
    0xF711: 0x0E4D,  # NIKHAHIT, shifted left           -> ํ
    0xF712: 0x0E47,  # MAITAIKHU, shifted left          -> ็
    0xF713: 0x0E48,  # MAI EK, shifted left             -> ่
    0xF714: 0x0E49,  # MAI THO, shifted left            -> ้
    0xF715: 0x0E4A,  # MAI TRI, shifted left            -> ๊
    0xF716: 0x0E4B,  # MAI CHATTAWA, shifted left       -> ๋
    0xF717: 0x0E4C,  # THANTHAKHAT, shifted left        -> ์
    0xF718: 0x0E38,  # SARA U, lowered                  -> ุ
    0xF719: 0x0E39,  # SARA UU, lowered                 -> ู
    0xF71A: 0x0E3A,  # PHINTHU, lowered                 -> ฺ
}

# Rule 2 - split SARA AM.  The font draws ำ as a circle (NIKHAHIT, U+0E4D)
# plus SARA AA (U+0E32), and the text layer records those two glyphs.  A
# tone mark on the same syllable comes before the circle in this PDF (น้ํา:
# NO NU, MAI THO, NIKHAHIT, SARA AA), which is already the standard order
# (tone, then SARA AM); it may also sit between the two glyphs, and then it
# is moved in front.  NIKHAHIT is never used on its own in this document
# (Pali/Sanskrit only), so every NIKHAHIT + SARA AA pair is a SARA AM.
_SPLIT_SARA_AM = re.compile("\u0E4D([\u0E48-\u0E4B]?)\u0E32")


def _join_sara_am(match: "re.Match[str]") -> str:
    return match.group(1) + "\u0E33"


def repair(text: str) -> str:
    """Return text with PUA presentation forms and split SARA AM repaired.

    Text that holds neither is returned unchanged.
    """
    text = text.translate(PUA_TO_THAI)
    return _SPLIT_SARA_AM.sub(_join_sara_am, text)
