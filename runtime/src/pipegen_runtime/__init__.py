"""pipegen-runtime: the code every generated pipegen pipeline shares.

Generated files hold a pipeline's data and wiring; what they do at run time lives here,
at one exact version that each generated file pins with require().
"""

__version__ = "0.2.1"


class RuntimeVersionError(RuntimeError):
    """The installed pipegen-runtime is not the version a generated file was built for."""


def require(version: str, where: str = "this generated file") -> None:
    """Fail fast unless the installed runtime is exactly `version`."""
    if version != __version__:
        raise RuntimeVersionError(
            f"{where} needs pipegen-runtime=={version}, but {__version__} is installed: "
            f"install the version it was built for (pip install pipegen-runtime=={version}) "
            "or rebuild the pipeline with the pipegen that matches the installed runtime"
        )
