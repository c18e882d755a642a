"""Parley's build: pyproject.toml says everything but one step, compiling the translations.

The gettext catalogs (`bot/locale/<locale>/LC_MESSAGES/parley.po`, kept in the repository)
are compiled to `.mo` when Parley is built or installed, editable installs included (the
compiled files sit beside the catalogs and are not committed).
"""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

LOCALE = Path(__file__).resolve().parent / "bot" / "locale"


def compile_catalogs() -> list[Path]:
    """Every `.po` under bot/locale compiled to its `.mo`; a fuzzy entry is not used."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted(LOCALE.glob("*/LC_MESSAGES/*.po")):
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parent.parent.name)
        mo = po.with_suffix(".mo")
        with mo.open("wb") as target:
            write_mo(target, catalog, use_fuzzy=False)
        written.append(mo)
    return written


class BuildWithCatalogs(build_py):
    def run(self) -> None:
        compile_catalogs()
        super().run()


setup(cmdclass={"build_py": BuildWithCatalogs})
