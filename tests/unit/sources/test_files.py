"""The CSV reader repairs what PHS files really look like, and refuses what it cannot read."""

import pytest

from transforms.sources.files import InputFileError, read_csv


def _write(tmp_path, data: bytes, name="input.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_bom_crlf_and_doubled_cr_are_repaired_with_warnings(tmp_path):
    body = b'\xef\xbb\xbfCode,Name\r\r\nS01006506,"Culter, Aberdeen"\r\r\nS01006507,Cults\r\r\n'
    df, warnings = read_csv(_write(tmp_path, body))
    assert list(df.columns) == ["Code", "Name"]
    assert df["Name"].tolist() == ["Culter, Aberdeen", "Cults"]
    assert any("byte-order mark" in w for w in warnings)
    assert any("\\r\\r\\n" in w for w in warnings)


def test_plain_crlf_is_repaired(tmp_path):
    df, warnings = read_csv(_write(tmp_path, b"a,b\r\n1,2\r\n"))
    assert df.to_dict("records") == [{"a": "1", "b": "2"}]
    assert warnings == ["normalised CRLF line endings to \\n"]


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"a,b\n", "header but no data rows"),
        ("a,b\n1,2\n".encode("utf-16"), "UTF-16"),
        (b"a,b\n1,caf\xe9\n", "line 2: bytes that are not UTF-8"),
    ],
)
def test_unreadable_files_are_refused_naming_the_file(tmp_path, data, message):
    path = _write(tmp_path, data)
    with pytest.raises(InputFileError, match=message) as err:
        read_csv(path)
    assert str(path) in str(err.value)


def test_windows_1252_reference_file_can_be_read_with_an_explicit_fallback(tmp_path):
    path = _write(tmp_path, b"Qualifier,Name\r\r\n\x86,earliest revision\r\r\n")
    df, warnings = read_csv(path, encoding_fallback="cp1252")
    assert df["Qualifier"].tolist() == ["\u2020"]
    assert "decoded as cp1252" in warnings
