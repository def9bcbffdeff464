"""Law names in questions (query_scope, law_names) and exam frames (query_style)."""

from assistant.documents import DocumentMeta as Meta
from assistant.law_names import law_key
from assistant.query_scope import LawCatalog, document_law_name
from assistant.query_style import statement


def test_law_key_ignores_kind_word_year_number_case_and_accents():
    assert law_key("Bộ luật Dân sự") == law_key("bo-luat-dan-su") == law_key("BỘ LUẬT DÂN SỰ 2015") == "dan su"
    assert law_key("Luật Giáo dục số 43/2019/QH14") == law_key("Luật giáo dục năm 2019") == "giao duc"
    assert law_key("Luật Phòng, chống ma túy") == "phong chong ma tuy"
    assert law_key("Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam") == "hien phap"
    assert law_key("Bộ luật Hàng hải Việt Nam") == law_key("Bộ luật hàng hải") == "hang hai"
    assert law_key("Bộ luật Tố tụng dân sự") != law_key("Bộ luật Dân sự")


def _catalog() -> LawCatalog:
    return LawCatalog.build({
        "bld": Meta(doc_type="Bộ luật", title="Dân sự"),
        "tt": Meta(doc_type="Bộ luật", title="Tố tụng dân sự"),
        "Luật Du lịch#3": Meta(),  # imported without a title: the id carries the name
        "hn": Meta(doc_type="Luật", title="Hôn nhân và gia đình"),
        "hp": Meta(doc_type="Hiến pháp", title="nước Cộng hòa xã hội chủ nghĩa Việt Nam"),
        "nq": Meta(doc_type="Nghị quyết", title="Về phát triển du lịch"),
    })


def test_catalog_names_laws_and_codes_only():
    cat = _catalog()
    assert set(cat.docs) == {"dan su", "to tung dan su", "du lich", "hon nhan va gia dinh", "hien phap"}
    assert document_law_name("nq", Meta(doc_type="Nghị quyết", title="Về phát triển du lịch")) == ""


def test_questions_name_laws_with_any_case_and_the_longest_name_wins():
    cat = _catalog()
    assert cat.named("Theo Luật Du Lịch, hợp đồng lữ hành phải lập thành văn bản?") == ["du lich"]
    assert cat.named("theo quy định của luật hôn nhân và gia đình, đúng hay sai?") == ["hon nhan va gia dinh"]
    assert cat.named("Theo Bộ luật tố tụng dân sự thì ai có quyền khởi kiện?") == ["to tung dan su"]
    assert cat.named("Hiến pháp năm 2013 quy định gì về quyền con người?") == ["hien phap"]
    assert cat.scope("Theo Luật Du Lịch, ...") == frozenset({"Luật Du lịch#3"})


def test_generic_words_name_no_law():
    cat = _catalog()
    assert cat.named("pháp luật dân sự quy định thế nào về hợp đồng?") == []
    assert cat.named("Luật này quy định về du lịch") == []  # "du lịch" not right after "luật"
    assert cat.named("Theo Luật Xử lý vi phạm hành chính, ...") == []  # not in the collection
    assert LawCatalog.build({}).named("Theo Luật Du lịch") == []


def test_statement_strips_true_false_and_choice_frames():
    assert statement("Vợ chồng có quyền ngang nhau, đúng hay sai?") == "Vợ chồng có quyền ngang nhau"
    assert statement("Hợp đồng phải lập thành văn bản. Đúng hay sai?") == "Hợp đồng phải lập thành văn bản"
    assert statement("Trọng tài viên có quyền từ chối, điều này là đúng hay sai?") == "Trọng tài viên có quyền từ chối"
    assert statement("Đúng hay sai: trọng tài viên có quyền từ chối") == "trọng tài viên có quyền từ chối"
    assert statement("Dịch vụ du lịch khác bao gồm điều nào dưới đây? Chọn câu trả lời đúng nhất.") == (
        "Dịch vụ du lịch khác bao gồm điều nào?"
    )
    assert statement("Câu nào sau đây đúng về quyền của người học?") == "quyền của người học?"
    assert statement("Nguồn tài chính nào sau đây được dùng cho phòng, chống ma túy?") == (
        "Nguồn tài chính nào được dùng cho phòng, chống ma túy?"
    )


def test_statement_leaves_ordinary_questions_alone():
    for q in ("Mục tiêu tăng trưởng công nghiệp giai đoạn 2011-2015 là bao nhiêu?",
              "Ai ký Kết luận 11-KL/TU?", "đúng hay sai?", "Nhận định này là đúng hay sai?", "Sai phạm nào bị xử lý kỷ luật?"):
        assert statement(q) == " ".join(q.split())


def test_has_exact_terms_finds_numbers_and_names_inside_a_sentence():
    from assistant.query_style import has_exact_terms

    for q in ("Mục tiêu đến năm 2015 là bao nhiêu?", "Nghị quyết 13-NQ/TU ban hành ngày nào?",
              "Tỷ trọng công nghiệp của Quảng Trị là bao nhiêu?", "Theo Luật Du lịch, dịch vụ nào?", "Cơ quan nào chỉ đạo HĐND?"):
        assert has_exact_terms(q), q
    for q in ("Chất hướng thần được định nghĩa là gì?", "Hiệp hội trọng tài là gì? Nó có quyền gì?",
              "cây có chứa chất ma túy là cây gì"):
        assert not has_exact_terms(q), q
