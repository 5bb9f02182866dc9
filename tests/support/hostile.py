"""Hostile and careless names for landing folders and files, shared by the tests that
plant them (tests/fast/test_hostile_input.py, tests/support/built_pipeline.py)."""

# Each must load as data: the partition and file names stored as they are, nothing run.
INJECTION = "x' || (select 'INJECTED' || count(*) from raw.events) || '"
FILE_READ = "y' || (select content from read_text(chr(47) || 'etc' || chr(47) || 'hostname')) || '"
HOSTILE_NAMES = [
    INJECTION,
    FILE_READ,
    "o'brien",
    'say "hi"',
    "semi;colon; drop table raw.events; --",
    "new\nline",
    "tab\tand\rreturn",
    "café-日本語-😀",
    "$path $partition ? %s {} {0}",
    "back\\slash",
    "star*",
    "question?",
    "bracket[ab]",
    "brace{a,b}",
    "é" * 127 + "x",  # 255 bytes in UTF-8, the most a file name may have
]
# Names of 255 bytes with the extension, for files.
LONG_FILE = "f" * 251 + ".csv"


def as_file(name: str) -> str:
    """The name as a CSV file name, within 255 bytes."""
    if len(name.encode()) + 4 > 255:
        return LONG_FILE
    return name + ".csv"
