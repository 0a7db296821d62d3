from tests.funds.conftest import editor  # noqa: F401 - shared fixture
