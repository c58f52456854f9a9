"""Reading articles: encodings, HTML, bad input, language guess."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from geo.errors import InputError
from geo.text.reading import detect_language, read_article, read_text_bytes

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
