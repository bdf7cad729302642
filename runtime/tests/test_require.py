import pytest

import pipegen_runtime
from pipegen_runtime import RuntimeVersionError, require


def test_the_installed_version_passes() -> None:
    require(pipegen_runtime.__version__)


@pytest.mark.parametrize("wanted", ["0.0.9", "0.1.1", "1.0.0", ""])
def test_another_version_fails_with_what_to_do(wanted: str) -> None:
    with pytest.raises(RuntimeVersionError) as error:
        require(wanted, "shop_orders_ingestion.py")
    message = str(error.value)
    assert f"shop_orders_ingestion.py needs pipegen-runtime=={wanted}" in message
    assert f"{pipegen_runtime.__version__} is installed" in message
    assert f"pip install pipegen-runtime=={wanted}" in message
