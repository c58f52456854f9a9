"""Reading articles: encodings, HTML, bad input, language guess."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from geo.errors import InputError
from geo.text.reading import decode_bytes, detect_language, read_article, read_text_bytes

ARABIC = "هجوم لداعش في قضاء مخمور جنوب غرب أربيل، وقتلى في كركوك.\nسطر ثان."


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (ARABIC.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + ARABIC.encode("utf-8"), "utf-8-sig"),
        (ARABIC.encode("utf-16"), "utf-16"),
        (ARABIC.encode("utf-16-le"), "utf-16-le"),
        (ARABIC.encode("utf-16-be"), "utf-16-be"),
        (ARABIC.encode("cp1256"), "cp1256"),
    ],
)
def test_encodings_are_detected(data: bytes, encoding: str) -> None:
    article = read_text_bytes(data, "a.txt")
    assert article.text == ARABIC
    assert article.encoding == encoding
    assert article.format == "text"
    assert article.title == "هجوم لداعش في قضاء مخمور جنوب غرب أربيل، وقتلى في كركوك."


def test_read_article_from_disk(tmp_path: Path) -> None:
    f = tmp_path / "x.txt"
    f.write_bytes(ARABIC.encode("cp1256"))
    art = read_article(f)
    assert art.text == ARABIC and art.source == str(f)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"  \n\t  \n", "whitespace"),
        (bytes(range(256)) * 8, "binary"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "binary"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        read_text_bytes(data, "bad.txt")


def test_size_limit_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="limit"):
        read_text_bytes(b"a" * 101, "big.txt", max_bytes=100)
    with pytest.raises(InputError, match="cannot read"):
        read_article(tmp_path / "nope.txt")
    with pytest.raises(InputError, match="directory"):
        read_article(tmp_path)


def test_html_is_reduced_to_article_text() -> None:
    body = "<p>" + "An attack near Kirkuk killed two soldiers on Tuesday. " * 8 + "</p>"
    html = (
        "<html><head><title>Kirkuk attack</title><script>var x = 'Mosul';</script></head>"
        f"<body><nav>Home | News</nav><article><h1>Kirkuk attack</h1>{body}</article></body></html>"
    )
    art = read_text_bytes(html.encode(), "page.html")
    assert art.format == "html"
    assert "Kirkuk killed two soldiers" in art.text
    assert "var x" not in art.text
    assert art.title == "Kirkuk attack"


def test_malformed_html_still_gives_text() -> None:
    html = b"<html><body><div><p>Clashes in Sinjar<p>and Tal Afar <b>today</div></span>"
    art = read_text_bytes(html, "broken.htm")
    assert "Sinjar" in art.text and "Tal Afar" in art.text


def test_html_without_text_is_refused() -> None:
    with pytest.raises(InputError, match="no article text"):
        read_text_bytes(b"<html><body><script>1</script></body></html>", "empty.html")


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("هجوم لداعش في قضاء مخمور", "ar"),
        ("هێرشی داعش لە کەرکووک و هەولێر", "ckb"),
        ("An attack in Kirkuk killed two soldiers, officials said.", "en"),
        ("Êrîşa li ser Şengalê û Hewlêrê ji aliyê DAIŞê ve hat kirin.", "kmr"),
        ("12345 !!! ---", "und"),
        ("", "und"),
    ],
)
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


# --- invalid UTF-8: a few bad bytes are repaired (with a warning), many are refused ---------------

LONG_ARABIC = (ARABIC + "\n") * 30  # about 3,500 bytes of UTF-8


def _with_bad_bytes(text: str, count: int, bad: bytes = b"\xff") -> tuple[bytes, list[int]]:
    """``text`` as UTF-8 with ``bad`` put before ``count`` of its spaces; the bad bytes' offsets."""
    data = text.encode("utf-8")
    spaces = [i for i, b in enumerate(data) if b == 0x20]
    step = len(spaces) // count
    cut = [spaces[k * step] for k in range(count)]
    out, offsets, last = bytearray(), [], 0
    for pos in cut:
        out += data[last:pos]
        offsets.append(len(out))
        out += bad
        last = pos
    out += data[last:]
    return bytes(out), offsets


def test_a_few_invalid_utf8_bytes_are_replaced_and_named_in_a_warning() -> None:
    data, offsets = _with_bad_bytes(LONG_ARABIC, 4)
    assert len(offsets) / len(data) < 0.01
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    art = read_text_bytes(data, "stray.txt")
    assert art.encoding == "utf-8"
    assert art.text.count("\ufffd") == 4
    assert art.text.replace("\ufffd", "") == LONG_ARABIC  # nothing else changed
    (warning,) = art.warnings
    assert warning.startswith(f"4 invalid UTF-8 bytes (of {len(data):,}) replaced by U+FFFD")
    assert warning.endswith("at byte offsets " + ", ".join(str(o) for o in offsets))
    assert all(data[o] == 0xFF for o in offsets)


def test_repair_warning_lists_the_first_offsets_then_the_count() -> None:
    data, offsets = _with_bad_bytes(LONG_ARABIC, 9, bad=b"\x80")
    (warning,) = read_text_bytes(data, "stray.txt").warnings
    assert warning.startswith("9 invalid UTF-8 bytes")
    assert warning.endswith("at byte offsets " + ", ".join(str(o) for o in offsets[:5]) + " and 4 more")


def test_a_cut_multibyte_character_is_repaired_byte_by_byte() -> None:
    head = LONG_ARABIC.encode("utf-8")
    data = head + "كركوك".encode()[:-1]  # the file ends inside the last letter
    art = read_text_bytes(data, "cut.txt")
    assert art.text == LONG_ARABIC + "كركو\ufffd"
    assert art.warnings == (
        f"1 invalid UTF-8 byte (of {len(data):,}) replaced by U+FFFD, at byte offset {len(data) - 1}",
    )


def test_too_many_invalid_utf8_bytes_are_refused_with_the_first_offset() -> None:
    data, offsets = _with_bad_bytes(LONG_ARABIC, 60)
    assert len(offsets) / len(data) > 0.01
    with pytest.raises(InputError, match=rf"60 of {len(data):,} bytes .* first at byte offset {offsets[0]};"):
        read_text_bytes(data, "damaged.txt")


def test_read_article_carries_the_warning_and_decode_bytes_logs_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data, offsets = _with_bad_bytes(LONG_ARABIC, 2)
    f = tmp_path / "stray.txt"
    f.write_bytes(data)
    art = read_article(f)
    assert art.source == str(f) and len(art.warnings) == 1 and str(offsets[1]) in art.warnings[0]
    with caplog.at_level("WARNING", logger="geo.text.reading"):
        text, encoding = decode_bytes(data, "stray.txt")
    assert encoding == "utf-8" and text == art.text
    assert "stray.txt: 2 invalid UTF-8 bytes" in caplog.text


@pytest.mark.parametrize(
    ("data", "encoding", "text"),
    [
        (ARABIC.encode("cp1256"), "cp1256", ARABIC),
        (("English report, " * 20 + "بغداد").encode("cp1256"), "cp1256", "English report, " * 20 + "بغداد"),
        (LONG_ARABIC.encode("utf-16-le"), "utf-16-le", LONG_ARABIC),
        (codecs.BOM_UTF8 + LONG_ARABIC.encode("utf-8"), "utf-8-sig", LONG_ARABIC),
        (LONG_ARABIC.encode("utf-8"), "utf-8", LONG_ARABIC),
    ],
)
def test_legacy_utf16_and_bom_detection_is_unchanged_and_warns_of_nothing(
    data: bytes, encoding: str, text: str
) -> None:
    art = read_text_bytes(data, "a.txt")
    assert (art.encoding, art.text, art.warnings) == (encoding, text, ())
