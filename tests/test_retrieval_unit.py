from assistant.documents import DocumentMeta
from assistant.retrieval import Filters, rrf


def test_rrf_prefers_items_ranked_well_by_both_lists():
    dense = [(1, 0.9), (2, 0.8), (3, 0.7)]
    lexical = [(3, 12.0), (2, 11.0), (9, 1.0)]
    fused = [row for row, _ in rrf([(dense, 1.0), (lexical, 1.0)], k=60)]
    assert fused[0] == 2 or fused[0] == 3
    assert set(fused) == {1, 2, 3, 9}
    assert fused.index(2) < fused.index(1) and fused.index(3) < fused.index(9)


def test_rrf_weights_change_the_order():
    a = [(1, 1.0), (2, 0.5)]
    b = [(2, 1.0), (1, 0.5)]
    assert rrf([(a, 2.0), (b, 1.0)], 60)[0][0] == 1
    assert rrf([(a, 1.0), (b, 2.0)], 60)[0][0] == 2


def test_filters_ignore_case_and_tone_mark_style():
    meta = DocumentMeta(doc_type="Kết luận", issuer="Tỉnh ủy Quảng Trị", province="Quảng Trị", date="2012-01-12")
    assert Filters(province="quang tri").accepts("d", meta)
    assert Filters(issuer="TỈNH UỶ QUẢNG TRỊ").accepts("d", meta)
    assert Filters(doc_type="kết luận", year=2012).accepts("d", meta)
    assert not Filters(year=2011).accepts("d", meta)
    assert not Filters(province="Bắc Kạn").accepts("d", meta)
    assert not Filters(doc=["other"]).accepts("d", meta)
    assert Filters().is_empty()
