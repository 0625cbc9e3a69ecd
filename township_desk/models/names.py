"""Names, phone numbers and pinyin initials as clerks type them (domain.md, "Input rules")."""

from __future__ import annotations

import functools
import re
import unicodedata
from itertools import product

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_INNER_SPACE = re.compile(r"[\s\u3000]+")

# Surnames whose usual pinyin is not their surname reading (pitfalls.md #13): the surname reading, one
# syllable per character. Both readings are indexed, as initials and as full pinyin.
_SURNAME_READINGS = {
    "单": "shan", "曾": "zeng", "解": "xie", "仇": "qiu", "朴": "piao", "区": "ou", "查": "zha", "盖": "ge",
    "乐": "yue", "缪": "miao", "覃": "qin", "翟": "zhai", "尉": "yu", "种": "chong", "繁": "po", "召": "shao",
    "黑": "he", "万俟": "mo qi", "尉迟": "yu chi", "长孙": "zhang sun", "澹台": "tan tai",
}
_SURNAME_INITIALS = {k: "".join(s[0] for s in v.split()) for k, v in _SURNAME_READINGS.items()}
_SURNAME_PINYIN = {k: v.replace(" ", "") for k, v in _SURNAME_READINGS.items()}
# At most this many readings of one name are stored (a name of heteronyms would otherwise multiply).
_MAX_READINGS = 16


def normalise_name(raw: object) -> str:
    """Trim a name; remove inner spaces (also the full-width U+3000 used to align) from Han-character names."""
    if raw is None:
        return ""
    text = unicodedata.normalize("NFKC", str(raw)).strip() if not _HAN.search(str(raw)) else str(raw).strip()
    text = text.strip("\u3000 \t\r\n")
    if _HAN.search(text):
        text = _INNER_SPACE.sub("", text)
    return text


def check_name(name: str) -> str | None:
    """A Chinese message when a name cannot be right, else None."""
    if not name:
        return "姓名为空"
    if len(name) > 30:
        return f"姓名“{name[:30]}…”过长"
    if re.search(r"\d", name):
        return f"姓名“{name}”含有数字"
    return None


_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}\d{7,8}$")


def normalise_phone(raw: object) -> tuple[str, str | None]:
    """Keep the digits of a phone number; return (phone, warning or None).

    An 11-digit mobile or an area code with a 7–8 digit number is fine; anything else is kept as typed
    and gets a warning naming the value. Several numbers separated by "/" or "、" are each checked.
    """
    if raw is None:
        return "", None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    if not text:
        return "", None
    parts = [p for p in re.split(r"[/、;；,，]+", text) if p.strip()]
    cleaned, bad = [], []
    for part in parts:
        digits = re.sub(r"[\s\-()（）]", "", part)
        if digits.startswith("+86"):
            digits = digits[3:]
        if _MOBILE.match(digits) or _LANDLINE.match(digits):
            if _LANDLINE.match(digits):
                area = 3 if digits[1] in "12" else 4  # 010, 02x are 3-digit area codes
                digits = f"{digits[:area]}-{digits[area:]}"
            cleaned.append(digits)
        else:
            cleaned.append(part.strip())
            bad.append(part.strip())
    phone = "/".join(cleaned)
    if bad:
        return phone, f"电话号码“{'、'.join(bad)}”不是11位手机号，也不是区号加号码的固定电话，请核对"
    return phone, None


@functools.lru_cache(maxsize=65536)
def initials(name: str) -> str:
    """Every plausible pinyin-initials reading of a name, space separated (张德福 → "zdf").

    Heteronyms are all indexed (capped), and surnames with a special reading add it, so a clerk
    typing the right initials always finds the person.
    """
    from pypinyin import Style, pinyin

    if not name:
        return ""
    readings = pinyin(name, style=Style.FIRST_LETTER, heteronym=True, errors=lambda s: [c for c in s])
    options: list[list[str]] = []
    for syllable in readings:
        letters = sorted({s[:1].lower() for s in syllable if s and s[:1].isalnum()})
        options.append(letters or [""])
    variants: set[str] = set()
    for combo in product(*options):
        variants.add("".join(combo))
        if len(variants) >= _MAX_READINGS:
            break
    for surname, special in _SURNAME_INITIALS.items():
        if name.startswith(surname):
            rest = initials(name[len(surname):]).split() or [""]
            variants.update(special + r for r in rest)
    # the most common reading first (pypinyin's default)
    common = "".join(
        (s[0][:1].lower() if s and s[0] else "") for s in pinyin(name, style=Style.FIRST_LETTER, errors=lambda s: [c for c in s])
    )
    ordered = [common] + sorted(v for v in variants if v != common)
    return " ".join(ordered)


@functools.lru_cache(maxsize=65536)
def full_pinyin(name: str) -> str:
    """Every plausible full-pinyin reading of a name, lower case, no tones, space separated (张德福 → "zhangdefu").

    Like ``initials``: heteronyms are all indexed (capped) and a surname with a special reading adds it
    (单 → "shan…"), so a clerk typing the whole name, or its first syllables, finds the person. ü is "v",
    as on a keyboard (吕 → "lv").
    """
    from pypinyin import Style, pinyin

    if not name:
        return ""
    def keep(text: str) -> str:
        return "".join(ch for ch in text.lower() if ch.isascii() and ch.isalnum())

    readings = pinyin(name, style=Style.NORMAL, heteronym=True, errors=lambda s: [c for c in s])
    options = [sorted({keep(s) for s in syllable}) or [""] for syllable in readings]
    common = "".join(keep(s[0]) if s else "" for s in
                     pinyin(name, style=Style.NORMAL, errors=lambda s: [c for c in s]))
    variants: set[str] = {common}
    for combo in product(*options):
        if len(variants) >= _MAX_READINGS:
            break
        variants.add("".join(combo))
    for surname, special in _SURNAME_PINYIN.items():
        if name.startswith(surname):
            rest = full_pinyin(name[len(surname):]).split() or [""]
            variants.update(special + r for r in rest)
    return " ".join([common] + sorted(v for v in variants if v and v != common))
