import datetime as dt

import pytest

from hongmian.core import validators as v
from hongmian.core.errors import ValidationFailed
from hongmian.core.validators import DB_ID_MAX, parse_id


def _valid_id(body17: str) -> str:
    return body17 + v.resident_id_check_char(body17)


class TestResidentId:
    def test_standard_example_with_x_check_character(self):
        # The worked example of GB 11643-1999.
        assert v.validate_resident_id("11010519491231002x") == "11010519491231002X"

    def test_guangzhou_number_round_trips_and_yields_birthdate_and_sex(self):
        number = _valid_id("44010619900101123")
        assert v.validate_resident_id(f" {number} ") == number
        assert v.resident_id_birthdate(number) == dt.date(1990, 1, 1)
        assert v.resident_id_sex(number) == "M"  # 17th digit 3 is odd

    @pytest.mark.parametrize(
        ("value", "code"),
        [
            ("", "resident_id.format"),
            ("4401061990010112", "resident_id.format"),
            ("44010619900101123Y", "resident_id.format"),
            ("99010619900101123X", "resident_id.region"),
            ("440106199002301234", "resident_id.birthdate"),
            ("440106299001011234", "resident_id.birthdate"),
        ],
    )
    def test_malformed_numbers_say_what_is_wrong(self, value, code):
        with pytest.raises(ValidationFailed) as err:
            v.validate_resident_id(value)
        assert err.value.code == code
        assert err.value.fields["resident_id"]

    def test_every_wrong_check_character_is_refused(self):
        body = "44010619900101123"
        good = v.resident_id_check_char(body)
        for wrong in "0123456789X":
            if wrong == good:
                continue
            with pytest.raises(ValidationFailed) as err:
                v.validate_resident_id(body + wrong)
            assert err.value.code == "resident_id.checksum"

    def test_birthdate_in_the_future_is_refused(self):
        number = _valid_id("44010620300101123")
        with pytest.raises(ValidationFailed):
            v.validate_resident_id(number, today=dt.date(2026, 11, 28))


class TestCreditCode:
    @pytest.mark.parametrize(
        "code", ["914403001922038216", "91440300708461136T", "91110000600037341L"]
    )
    def test_real_enterprise_codes_pass(self, code):
        assert v.validate_credit_code(code.lower()) == code

    def test_changed_character_breaks_the_check(self):
        with pytest.raises(ValidationFailed) as err:
            v.validate_credit_code("914403001922038217")
        assert err.value.code == "credit_code.checksum"

    @pytest.mark.parametrize(
        "value", ["", "91440300708461136", "9144030070846113IT", "S1440300708461136T"]
    )
    def test_malformed_codes_are_refused(self, value):
        with pytest.raises(ValidationFailed) as err:
            v.validate_credit_code(value)
        assert err.value.code == "credit_code.format"

    def test_check_char_is_computed_over_the_31_character_alphabet(self):
        body = "91440300708461136"
        assert v.credit_code_check_char(body) == "T"


class TestMobile:
    @pytest.mark.parametrize(
        "value",
        ["13812345678", "+86 138 1234 5678", "8613812345678", "138-1234-5678", "0086 13812345678"],
    )
    def test_accepted_forms_normalise(self, value):
        assert v.validate_mobile(value) == "13812345678"

    @pytest.mark.parametrize("value", ["", "12812345678", "1381234567", "020-12345678", "abc"])
    def test_refused(self, value):
        with pytest.raises(ValidationFailed) as err:
            v.validate_mobile(value)
        assert err.value.code == "mobile.format"


def test_iso_date():
    assert v.validate_iso_date("2026-10-08") == dt.date(2026, 10, 8)
    with pytest.raises(ValidationFailed) as err:
        v.validate_iso_date("2026-13-01", field="start")
    assert err.value.code == "date.format"
    assert "start" in err.value.fields


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", 1),
        ("007", 7),
        (str(DB_ID_MAX), DB_ID_MAX),
        (42, 42),
        # Each of these once reached `int()` or the query as a 500, or named a row none holds.
        ("²", None),
        ("①", None),
        ("١٢", None),  # Arabic-Indic digits: isdigit() and int() both say yes
        (str(DB_ID_MAX + 1), None),
        ("9" * 40, None),
        ("0", None),
        ("-1", None),
        (" 1", None),
        ("1\x00", None),
        ("", None),
        (None, None),
        (True, None),
        (0, None),
        (2**64, None),
    ],
)
def test_parse_id_takes_only_a_row_id_a_table_can_hold(raw: object, expected: int | None) -> None:
    assert parse_id(raw) == expected
