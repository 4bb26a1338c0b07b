import pytest


@pytest.fixture(autouse=True)
def own_var_dir(settings, tmp_path):
    """Uploads and error reports of one test never meet another's."""
    settings.VAR_DIR = tmp_path / "var"
    settings.VAR_DIR.mkdir()
