import datetime as dt

from conftest import make_id

from township_desk.models import idnumber

TODAY = dt.date(2026, 11, 22)


def test_valid_number_gives_birth_date_and_sex():
    result = idnumber.check("511102194503120010", today=TODAY)
    assert result.ok
    assert result.birth_date == dt.date(1945, 3, 12)
    assert result.sex == "男"


def test_even_sequence_is_female():
    assert idnumber.check(make_id("19520708", 2), today=TODAY).sex == "女"


def test_bad_checksum_is_an_error_naming_the_expected_digit():
    result = idnumber.check("511102194503120011", today=TODAY)
    assert not result.ok
    assert "校验不通过" in result.error and "应为 0" in result.error


def test_lower_case_x_is_accepted_and_stored_upper_case():
    number = next(make_id("1950030" + str(d), s) for d in range(1, 10) for s in range(1, 99)
                  if make_id("1950030" + str(d), s).endswith("X"))
    result = idnumber.check(number.lower(), today=TODAY)
    assert result.ok and result.number == number


def test_full_width_digits_and_spaces_are_normalised():
    result = idnumber.check("５１１１０２ １９４５ ０３１２ ００１０", today=TODAY)
    assert result.ok and result.number == "511102194503120010"


def test_fifteen_digit_old_number_is_an_error_that_shows_the_rule_upgrade():
    result = idnumber.check("511102450312001", today=TODAY)
    assert not result.ok
    assert "15位" in result.error and "511102194503120010" in result.error


def test_number_excel_stored_as_float_is_never_guessed():
    result = idnumber.check(5.1110219450312e17, today=TODAY)
    assert not result.ok and "Excel" in result.error
    assert idnumber.check("5.11102E+17", today=TODAY).error


def test_birth_date_in_the_future_is_refused():
    assert not idnumber.check(make_id("20270101", 1), today=TODAY).ok


def test_impossible_birth_date_is_refused():
    assert "不存在" in idnumber.check(make_id("19450230", 1), today=TODAY).error


def test_county_code_created_after_birth_is_valid():
    # 511102 (乐山市市中区) dates from 1985; stdnum's validate() rejects elders born before it.
    assert idnumber.check("511102193811250031", today=TODAY).ok


def test_unknown_region_code_is_only_a_warning():
    result = idnumber.check(make_id("19450312", 1, region="999999"), today=TODAY)
    assert result.ok and any("地区代码" in w for w in result.warnings)


def test_mask_keeps_first_and_last_four():
    assert idnumber.mask("511102195003050211") == "5111**********0211"


def test_age_in_full_years():
    assert idnumber.age_on("1946-11-23", TODAY) == 79
    assert idnumber.age_on("1946-11-22", TODAY) == 80
