import pytest

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


def test_peak_is_large_for_a_clear_winner_and_small_for_a_flat_list():
    from assistant.retrieval import peak

    clear = [(1, 10.0), (2, 2.0), (3, 1.9), (4, 1.8)]
    flat = [(1, 0.83), (2, 0.829), (3, 0.828), (4, 0.827)]
    assert peak(clear) > 1.5 > peak(flat)
    assert peak([(1, 3.0)]) == 1.0


def test_adapt_weights_moves_weight_to_the_peaked_list_and_keeps_the_sum():
    from assistant.retrieval import adapt_weights

    clear = [(1, 10.0), (2, 2.0), (3, 1.9), (4, 1.8)]
    flat = [(5, 0.83), (6, 0.829), (7, 0.828), (8, 0.827)]
    out = adapt_weights([(flat, 0.5), (clear, 0.5)], 1.0)
    assert out[1][1] > out[0][1]
    assert abs(sum(w for _, w in out) - 1.0) < 1e-9
    assert adapt_weights([(flat, 0.5), (clear, 0.5)], 0.0) == [(flat, 0.5), (clear, 0.5)]


def test_group_vote_lifts_a_passage_of_the_strong_group_over_a_stray_one():
    from assistant.retrieval import group_vote

    fused = [(1, 2.0), (2, 1.9), (3, 1.8), (4, 1.7), (5, 0.1)]
    group = {1: "stray", 2: "law", 3: "law", 4: "law", 5: "other"}.get
    assert group_vote(fused, group, 0.0) == fused
    assert group_vote(fused, group, 1.0)[0][0] == 2
    single = [(1, 3.0), (2, 2.0), (3, 1.0)]  # one passage per group: the order is kept
    assert [r for r, _ in group_vote(single, lambda r: str(r), 1.0)] == [1, 2, 3]
    assert group_vote(fused, lambda r: None, 1.0) == fused  # documents of no law: untouched


def test_style_weights_lean_dense_only_for_queries_without_exact_terms():
    from assistant.retrieval import HybridRetriever
    from assistant.settings import Settings

    r = HybridRetriever(store=None, embedder=None, settings=Settings(plain_dense_share=0.7))
    assert r.style_weights("Chất hướng thần được định nghĩa là gì?") == pytest.approx((0.7, 0.3))
    assert r.style_weights("Hợp đồng lữ hành phải được lập thành văn bản") == pytest.approx((0.7, 0.3))
    # exact terms (numbers, names) keep the weights: BM25 matches them, a vector blurs them
    assert r.style_weights("Mục tiêu tăng trưởng đến năm 2015 là bao nhiêu?") == (0.4, 0.6)
    assert r.style_weights("Cụm công nghiệp nào ở Quảng Trị?") == (0.4, 0.6)
    r.settings = Settings(plain_dense_share=None)  # None: one pair of weights for every query
    assert r.style_weights("Chất hướng thần được định nghĩa là gì?") == (0.4, 0.6)
    with pytest.raises(ValueError):
        Settings(plain_dense_share=1.5)


def test_pool_units_lets_an_article_collect_the_votes_of_its_clauses():
    from assistant.retrieval import pool_units, zfuse

    # article X: clause 1 tops the dense list, clause 2 the BM25 list; article Y's one passage
    # (row 3) is second in both and wins a passage-level fusion
    dense = [(1, 0.95), (3, 0.90), (4, 0.70), (5, 0.69), (2, 0.60)]
    lexical = [(2, 12.0), (3, 11.0), (5, 4.0), (4, 3.5), (1, 3.0)]
    lists = [(dense, 0.5), (lexical, 0.5)]
    unit = {1: "X", 2: "X", 3: "Y"}.get
    assert zfuse(lists)[0][0] == 3
    pooled = pool_units(lists, unit, 1.0)
    assert {pooled[0][0], pooled[1][0]} == {1, 2} and pooled[2][0] == 3
    assert pool_units(lists, unit, 0.0) == zfuse(lists)  # mix 0: plain z-score fusion
    # rows of no unit (documents that are not laws) are never pooled
    assert pool_units(lists, lambda r: None, 1.0) == zfuse(lists)
