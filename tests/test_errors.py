import pytest

from classifier import errors


def test_every_error_is_a_slant_error_with_a_distinct_code():
    classes = [getattr(errors, name) for name in errors.__all__]
    assert all(issubclass(c, errors.SlantError) for c in classes)
    codes = [c.code for c in classes]
    assert len(codes) == len(set(codes))


def test_text_too_long_message_names_both_numbers():
    error = errors.TextTooLongError(250_000, 200_000, field="text")
    assert "250,000" in error.message and "200,000" in error.message
    assert error.field == "text"


@pytest.mark.parametrize("cls, base", [(errors.InvalidTypeError, TypeError),
                                       (errors.EmptyTextError, ValueError)])
def test_input_errors_are_also_builtin_errors(cls, base):
    assert issubclass(cls, base)
