"""Abbreviations of administrative Vietnamese match the words they stand for (text.ABBREVIATIONS)."""

from __future__ import annotations


from assistant.answering.tokens import keys, with_abbreviations


def test_abbreviations_stand_for_their_words_both_ways() -> None:
    extra, grams = with_abbreviations(keys("Đảng đoàn HĐND, BCSĐ UBND tỉnh chỉ đạo"))
    assert {"ban", "cán", "sự", "đảng"} <= extra and ("ban", "cán", "sự", "đảng") in grams
    extra, _ = with_abbreviations(keys("Ban cán sự đảng Ủy ban nhân dân tỉnh"))
    assert {"bcsđ", "ubnd"} <= extra
    assert with_abbreviations(keys("ban hành cán bộ sự việc"))[0] == set()  # the words, but not together
    folded, _ = with_abbreviations(keys("bcsd ubnd tinh", True), True)
    assert {"ban", "can", "su", "dang"} <= folded
