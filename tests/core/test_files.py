import stat

import pytest

from core.files import atomic_open, atomic_write


def test_a_written_file_is_readable_by_its_owner_only(tmp_path):
    path = tmp_path / "export.csv"
    atomic_write(path, b"data")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_failure_midway_keeps_the_old_file_whole_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_open(path) as out:
        out.write(b"half of the new")
        raise RuntimeError("disk full")
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"] and path.read_bytes() == b"old"


def test_text_mode_passes_encoding_and_newline_through(tmp_path):
    path = tmp_path / "names.csv"
    with atomic_open(path, "w", encoding="utf-8", newline="") as out:
        out.write("حملة\r\n")
    assert path.read_bytes() == "حملة\r\n".encode()


def test_a_partial_mode_is_refused(tmp_path):
    with pytest.raises(ValueError), atomic_open(tmp_path / "x", "ab"):
        pass
