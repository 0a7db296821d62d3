import pytest

from tests.funds.conftest import approver, bank_account, editor, fund  # noqa: F401 - fixtures


@pytest.fixture
def key_file(settings, tmp_path):
    """A signing key in a temporary file (never the developer's var/ key)."""
    from mattran.ledgerlog.keys import key_create

    settings.LEDGER_KEY_FILE = tmp_path / "ledger-key.pem"
    key_create()
    return settings.LEDGER_KEY_FILE
