import pytest

from classifier.errors import InvalidTextError, TextTooLongError
from classifier.textio import decode_text, read_text_file, unpaired_surrogate


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


def test_read_text_file_stops_reading_sources_without_a_size(tmp_path):
    # A pipe reports no size and a writer may never stop (as /dev/zero does not): the
    # reader takes at most one byte past the bound, then refuses. (The writer here stops
    # after 1.7 MB, so a reader that reads it all fails the test instead of hanging.)
    import os
    import threading

    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes on this platform")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)

    def endless_writer():
        try:
            with open(fifo, "wb", buffering=0) as pipe:
                for _ in range(1000):
                    pipe.write(b"The council met. " * 100)
        except BrokenPipeError:  # the reader has gone
            pass

    writer = threading.Thread(target=endless_writer, daemon=True)
    writer.start()
    with pytest.raises(TextTooLongError, match="more than 400 bytes"):
        read_text_file(fifo, max_chars=100)
    writer.join(timeout=10)
    assert not writer.is_alive()


def test_read_text_file_reads_a_short_pipe_whole(tmp_path):
    import os
    import threading

    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes on this platform")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_bytes("Déjà vu.".encode()))
    writer.start()
    assert read_text_file(fifo, max_chars=100) == "Déjà vu."
    writer.join(timeout=10)


@pytest.mark.parametrize("text, expected", [("plain", None), ("café ✓", None),
                                            ("ab\ud800", 2), ("Jos\udce9 \udce9", 3)])
def test_unpaired_surrogate_finds_the_first(text, expected):
    assert unpaired_surrogate(text) == expected
