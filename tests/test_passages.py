from matcher.passages import split_words


def test_windows_overlap_and_cover_every_word() -> None:
    text = " ".join(f"w{i}" for i in range(10))
    assert split_words(text, 4, 1) == ["w0 w1 w2 w3", "w3 w4 w5 w6", "w6 w7 w8 w9"]
    assert split_words(text, 20, 5) == [text]
    assert split_words("   ", 4, 1) == []
