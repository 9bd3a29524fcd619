#!/usr/bin/python3
"""Print the characters of the kiosk's CJK web font subset, one string.

The subset is: printable ASCII; the non-ASCII characters of the kiosk's
pages (kiosk/pages/*.go but tests: the Chinese UI strings of i18n.go, the
weekday names); the 3,755 common characters of GB2312 level 1 (rows 16 to
55, read through Python's gb2312 codec, so the list is reproducible without
a download); and the CJK and full-width punctuation names and messages use.
"""
import glob
import sys

chars = {chr(c) for c in range(0x20, 0x7F)}
for path in sorted(glob.glob("kiosk/pages/*.go")):
    if not path.endswith("_test.go"):
        with open(path, encoding="utf-8") as f:
            chars.update(c for c in f.read() if ord(c) > 0x7F)
level1 = 0
for row in range(16, 56):
    for col in range(1, 95):
        try:
            chars.add(bytes([0xA0 + row, 0xA0 + col]).decode("gb2312"))
            level1 += 1
        except UnicodeDecodeError:
            pass  # row 55 ends at column 89
chars.update("。，、：；？！“”‘’（）《》【】〔〕「」『』…—～·　")
if level1 != 3755:
    sys.exit(f"cjk-chars: GB2312 level 1 has {level1} characters here, want 3755")
sys.stdout.write("".join(sorted(chars)))
