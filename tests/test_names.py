from township_desk.models.names import full_pinyin, initials, normalise_name, normalise_phone


def test_full_width_space_inside_two_character_name_is_removed():
    assert normalise_name("王\u3000芳") == "王芳"
    assert normalise_name("  李 明 ") == "李明"


def test_latin_name_keeps_inner_space():
    assert normalise_name(" Maria Lopez ") == "Maria Lopez"


def test_initials_of_common_name():
    assert initials("张德福").split()[0] == "zdf"


def test_surname_with_special_reading_is_found_by_its_surname_initial():
    assert "sbl" in initials("单宝兰").split()
    assert "zgq" in initials("曾国强").split()
    assert "xxy" in initials("解秀英").split()


def test_full_pinyin_of_common_name_is_lower_case_without_tones_or_spaces():
    assert full_pinyin("张德福").split()[0] == "zhangdefu"
    assert full_pinyin("吕秀英").split()[0] == "lvxiuying"


def test_full_pinyin_indexes_the_surname_reading_and_every_heteronym():
    assert "shanbaolan" in full_pinyin("单宝兰").split()
    assert "zengguoqiang" in full_pinyin("曾国强").split()
    assert "xiexiuying" in full_pinyin("解秀英").split()
    assert "yuchijingde" in full_pinyin("尉迟敬德").split()


def test_full_pinyin_readings_are_capped():
    readings = full_pinyin("阿依古丽·买买提").split()
    assert readings[0] == "ayigulimaimaiti"
    assert len(readings) <= 16


def test_mobile_and_landline_are_kept_as_digits():
    assert normalise_phone("138 1234 5678") == ("13812345678", None)
    assert normalise_phone("08335512345") == ("0833-5512345", None)
    assert normalise_phone(13812345678.0) == ("13812345678", None)


def test_short_number_is_kept_with_a_warning_naming_it():
    phone, warning = normalise_phone("12345")
    assert phone == "12345" and "12345" in warning
