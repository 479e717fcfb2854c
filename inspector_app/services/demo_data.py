"""What the demo seeders share: the demo team and made-up answers and photos.

Kept apart from demo.py and demo_lifecycle.py so that each imports it and neither
imports the other's helpers (they used to import each other).
"""

from __future__ import annotations

import io

from inspector_app.domain.enums import AnswerType
from inspector_app.domain.forms import FormItem

DEMO_INSPECTOR = "Dana Whitfield"
TEAM = ["Dana Whitfield", "Marcus Oyelaran", "Inés Carvalho"]


def photo(caption: str, color: tuple[int, int, int]) -> bytes:
    """A small JPEG standing in for a photo taken on site."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (480, 320), color)
    draw = ImageDraw.Draw(img)
    draw.rectangle((20, 20, 460, 300), outline=(255, 255, 255), width=4)
    draw.text((40, 140), caption, fill=(255, 255, 255))
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=80)
    return buf.getvalue()


def good_value(item: FormItem) -> str | None:
    match item.answer:
        case AnswerType.YES_NO_NA | AnswerType.YES_NO:
            return "yes"
        case AnswerType.UNDERSTANDING:
            return "understood"
        case AnswerType.NUMBER:
            return "8"
        case AnswerType.DATE:
            return None
        case AnswerType.CHOICE:
            return item.choices[0]
        case AnswerType.TEXT:
            return "Reviewed on site; consistent with the MOA."
        case _:
            return None


def bad_value(item: FormItem) -> str | None:
    match item.answer:
        case AnswerType.YES_NO_NA | AnswerType.YES_NO:
            return "no"
        case AnswerType.UNDERSTANDING:
            return "not_understood"
        case _:
            return good_value(item)
