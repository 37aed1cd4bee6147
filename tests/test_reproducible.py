"""The same inputs give byte-identical tables."""

from feemodel.publish.tables import run
from feemodel.publish.writers import write_results
from tests.conftest import EXAMPLE


def test_two_runs_write_identical_csv_files(tmp_path):
    a = write_results(run(EXAMPLE), tmp_path / "a")
    b = write_results(run(EXAMPLE), tmp_path / "b")
    files = sorted(p.name for p in a.glob("*.csv"))
    assert len(files) >= 20
    for name in files + ["headline.json"]:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
