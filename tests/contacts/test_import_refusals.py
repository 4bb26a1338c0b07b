"""What the importer refuses: rows whose address the mail libraries would refuse (never
stored, reported with a code), files mixing UTF-8 and Windows-1256, absurd headers."""

import pytest

from contacts.importing import ImportFailed, import_file, inspect
from contacts.importing.sniff import MAX_COLUMNS
from contacts.models import Contact, ImportJob
from contacts.tasks import error_report_path, write_error_report

from .helpers import a_list, write_csv

pytestmark = pytest.mark.django_db

# Accepted by the importer's pattern until now; refused by Django's or anymail's parser,
# which then quoted them in every stored send error (issue 11).
UNMAILABLE = ["x[y]@example.com", "ali)@example.com", "salma(@example.com", "omar..h@example.com", "huda.@example.com"]


@pytest.mark.parametrize("address", UNMAILABLE)
def test_a_row_whose_address_the_mailer_would_refuse_is_reported_with_a_code_and_not_stored(tmp_path, address):
    path = write_csv(tmp_path / "a.csv", ["name,email", "Good,good@example.org", f"Bad,{address}"])
    result = import_file(path, a_list())
    errors = [(e["line"], e["reason"].code) for e in result.errors]
    assert (errors, result.created, Contact.objects.count()) == ([(3, "unmailable_email")], 1, 1)


def test_every_refused_row_carries_its_code():
    from contacts.importing.rows import parse_row

    columns = {"email": 0, "phone": 1}
    codes = [
        parse_row(cells, columns, 2).code for cells in (["nope", ""], ["a]@example.com", ""], ["", "12"], ["", ""])
    ]
    assert codes == ["invalid_email", "unmailable_email", "invalid_phone", "no_contact"]


def test_the_error_report_lists_line_reason_and_code_and_no_address(tmp_path):
    path = write_csv(tmp_path / "a.csv", ["name,email", "Zaid,zaid)@example.com", "Nour,not-an-email"])
    result = import_file(path, a_list())
    job = ImportJob.objects.create(contact_list=a_list(), file_name="a.csv", path=str(path))
    write_error_report(job, result.errors)
    report = error_report_path(job).read_text(encoding="utf-8-sig").splitlines()
    assert (report[0], [line.rsplit(",", 1)[1] for line in report[1:]], "zaid" in "".join(report)) == (
        "line,reason,code",
        ["unmailable_email", "invalid_email"],
        False,
    )


def mixed_file(tmp_path, utf8_first):
    """Rows saved by Excel on an Arabic Windows (Windows-1256) and rows pasted from a
    UTF-8 export, in one file."""
    header = "الاسم,البريد الإلكتروني\r\n".encode("cp1256" if not utf8_first else "utf-8")
    cp1256_rows = "أحمد الحلبي,ahmad@example.org\r\nفاطمة الشامي,fatima@example.org\r\n".encode("cp1256")
    utf8_rows = "لينا الحداد,lina@example.org\r\nسلمى العلي,salma@example.org\r\n".encode()
    body = utf8_rows + cp1256_rows if utf8_first else cp1256_rows + utf8_rows
    path = tmp_path / "mixed.csv"
    path.write_bytes(header + body)
    return path


@pytest.mark.parametrize("utf8_first", [False, True], ids=["windows-1256-first", "utf-8-first"])
def test_a_file_mixing_utf8_and_windows_1256_is_refused_and_nothing_is_written(tmp_path, utf8_first):
    path = mixed_file(tmp_path, utf8_first)
    with pytest.raises(ImportFailed) as refused:
        import_file(path, a_list())
    assert (refused.value.code, Contact.objects.exists()) == ("mixed_encodings", False)


def test_the_mixed_encodings_refusal_names_a_line_of_each():
    # The header and lines 2-3 are Windows-1256, lines 4-5 UTF-8 (see mixed_file).
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        with pytest.raises(ImportFailed) as refused:
            inspect(mixed_file(Path(folder), utf8_first=False))
    assert refused.value.params == {"utf8_line": 4, "other_line": 1}


@pytest.mark.parametrize(
    "encoding",
    ["cp1256", "utf-8", "utf-8-sig"],
)
def test_a_file_in_one_encoding_is_not_taken_for_a_mix(tmp_path, encoding):
    rows = [
        "الاسم,البريد",
        "أحمد الحلبي،,ahmad@example.org",
        "عبد الغني؟!,ghani@example.org",
        "Zoë Müller,zoe@example.org",
    ]
    path = write_csv(tmp_path / "a.csv", rows * 50, encoding)
    assert inspect(path).encoding == encoding


def test_a_header_over_the_column_limit_is_refused_with_a_code(tmp_path):
    header = ",".join(["email"] + [f"c{i}" for i in range(MAX_COLUMNS)])
    path = write_csv(tmp_path / "wide.csv", [header, "a@example.org"])
    with pytest.raises(ImportFailed) as refused:
        import_file(path, a_list())
    assert (refused.value.code, refused.value.params["count"], Contact.objects.exists()) == (
        "too_many_columns",
        MAX_COLUMNS + 1,
        False,
    )


def test_a_million_column_header_is_refused_without_reading_it_whole(tmp_path):
    path = tmp_path / "million.csv"
    path.write_bytes(b"email" + b",x" * 1_000_000 + b"\r\na@example.org\r\n")
    with pytest.raises(ImportFailed) as refused:
        inspect(path)
    assert refused.value.code == "header_too_long"


def test_a_record_over_the_column_limit_is_refused_with_its_line(tmp_path):
    path = write_csv(tmp_path / "wide.csv", ["email,name", "a@example.org,A", "b@example.org" + "," * MAX_COLUMNS])
    with pytest.raises(ImportFailed) as refused:
        inspect(path)
    assert (refused.value.code, refused.value.params["line"]) == ("too_many_columns", 3)


@pytest.mark.parametrize("code", ["mixed_encodings", "too_many_columns", "header_too_long"])
def test_each_new_refusal_has_a_message_in_both_languages(code):
    from django.utils import translation

    error = ImportFailed(code, utf8_line=4, other_line=2, line=1, count=501, limit=500)
    with translation.override("en"):
        english = str(error)
    with translation.override("ar"):
        arabic = str(error)
    assert english != arabic and "%(" not in arabic


def test_signup_refuses_an_address_the_mail_libraries_refuse_though_djangos_validator_takes_it():
    from contacts.forms import SignupForm

    form = SignupForm({"email": '""@example.com', "language": "ar"})
    assert (form.is_valid(), form.errors.get_json_data().get("email", [{}])[0].get("code")) == (False, "invalid")
