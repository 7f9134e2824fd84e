"""render.encoding: what a stream cannot encode falls back to ASCII (or, for JSON, to \\u
escapes) instead of failing; what it can encode is left alone."""

from __future__ import annotations

import io
import json

import pytest

from sexting_triage.render.encoding import ascii_fallback, fit, use_fallback

# arrow, curly double and single quotes, tick, cross, en dash, ellipsis, >=, pound, e-acute
SAMPLE = ("a \u2192 b \u201cquoted\u201d \u2018tick\u2019 \u2713 done \u2717 \u2013 dash "
          "\u2026 \u2265 13 \u00a35 caf\u00e9 \U0001f600")


def test_ascii_fallback_keeps_the_meaning():
    assert ascii_fallback(SAMPLE) == ("a -> b \"quoted\" 'tick' [x] done x - dash ... >= 13 "
                                      "GBP 5 cafe ?")
    assert ascii_fallback("plain text") == "plain text"


def test_fit_keeps_what_the_encoding_can_show():
    # cp1252 has curly quotes, the en dash, the ellipsis, the pound sign and é
    assert fit(SAMPLE, "cp1252") == ("a -> b \u201cquoted\u201d \u2018tick\u2019 [x] done x "
                                     "\u2013 dash \u2026 >= 13 \u00a35 caf\u00e9 ?")
    assert fit(SAMPLE, "utf-8") == SAMPLE
    assert fit(SAMPLE, "no-such-codec") == ascii_fallback(SAMPLE)
    fit(SAMPLE, "cp1252").encode("cp1252")


@pytest.mark.parametrize("encoding", ["cp1252", "ascii", "latin-1"])
def test_a_stream_that_cannot_encode_gets_the_fallback(encoding):
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding=encoding)
    with pytest.raises(UnicodeEncodeError):
        stream.write("→")
        stream.flush()
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding=encoding)
    use_fallback(stream)
    stream.write(SAMPLE)
    stream.flush()
    assert raw.getvalue().decode(encoding) == fit(SAMPLE, encoding)


def test_json_falls_back_to_escapes_that_decode_to_the_same_data():
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="cp1252")
    use_fallback(stream, json=True)
    doc = {"text": SAMPLE}
    stream.write(json.dumps(doc, ensure_ascii=False))
    stream.flush()
    assert json.loads(raw.getvalue().decode("cp1252")) == doc


def test_a_capture_buffer_is_left_alone():
    buf = io.StringIO()
    use_fallback(buf)
    buf.write(SAMPLE)
    assert buf.getvalue() == SAMPLE
