def test_the_copy_benchmark_writes_a_value_for_every_contact_column():
    from contacts.importing.writer import CONTACT_COLUMNS
    from devtools.benchmarks.copy import contact_rows

    assert {len(row) for row in contact_rows(4)} == {len(CONTACT_COLUMNS)}
