import pytest

from classifier.errors import InvalidTextError, TextTooLongError
from classifier.textio import decode_text, read_text_file


def test_decode_utf8_and_bom():
    assert decode_text("Café".encode()) == "Café"
    assert decode_text(b"\xef\xbb\xbfHello") == "Hello"


@pytest.mark.parametrize("data, words", [(b"\x00\x01binary", "binary"),
                                         (b"caf\xe9 latin-1", "not UTF-8")])
def test_decode_rejects_binary_and_other_encodings(data, words):
    with pytest.raises(InvalidTextError, match=words):
        decode_text(data, source="file.txt")


def test_read_text_file_refuses_huge_files_before_reading(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("a" * 1000)
    with pytest.raises(TextTooLongError, match="1,000 bytes long; the limit is 100 characters"):
        read_text_file(path, max_chars=100)
    assert read_text_file(path, max_chars=1000) == "a" * 1000
