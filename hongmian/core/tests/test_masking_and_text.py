from hongmian.core import masking, text


def test_masks_keep_only_what_identifies_the_area_or_the_line():
    assert masking.mask_resident_id("440106199001011234") == "4401**********1234"
    assert masking.mask_mobile("13812345678") == "138****5678"
    assert masking.mask_name("张三") == "张*"
    assert masking.mask_name("欧阳娜娜") == "欧***"
    assert masking.mask_address("广州市天河区石牌街道华师路1号") == "广州市天河区石牌街道****"
    assert masking.mask_address("华师路1号") == "华师****"
    for fn in (masking.mask_resident_id, masking.mask_mobile, masking.mask_name):
        assert fn("") == ""
        assert fn(None) == ""


def test_short_values_are_fully_hidden():
    assert masking.mask_resident_id("1234") == "****"
    assert masking.mask_mobile("12345") == "*****"


def test_traditional_to_simplified():
    assert text.to_simplified("臺北市政府資訊處") == "台北市政府资讯处"


def test_normalize_folds_width_and_space():
    assert text.normalize("  天河區　石牌街道ＡＢＣ１２３  ") == "天河区 石牌街道ABC123"


def test_segment_drops_punctuation_and_keeps_words():
    words = text.segment("路灯坏了，晚上很黑！")
    assert "路灯" in words
    assert "，" not in words
    assert "！" not in words


def test_added_words_stay_whole():
    text.add_words(["穗好办"])
    assert "穗好办" in text.segment("我在穗好办上申请了")
