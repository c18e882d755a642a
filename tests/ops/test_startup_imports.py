"""What `parley serve` carries from start-up: the drawing libraries (matplotlib with numpy,
reportlab) are imported with the first chart or dossier, not at start (together ~70 MB
resident of every instance, most of which never draws one)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

#: Loaded only when a chart (matplotlib, numpy, Pillow) or a PDF (reportlab) is made.
DRAWING = ("matplotlib", "numpy", "PIL", "reportlab")

#: The modules whose job is drawing itself (imported lazily by their callers).
DRAWERS = ("bot.commands.render_dossiers_pdf",)


def test_serving_modules_do_not_import_the_drawing_libraries() -> None:
    script = textwrap.dedent(
        f"""
        import importlib, pkgutil, sys
        import bot.app, bot.cli, bot.server, bot.services, bot.commands, bot.workflows
        for package in (bot.commands, bot.workflows):
            for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
                if info.name not in {DRAWERS!r}:
                    importlib.import_module(info.name)
        print(" ".join(sorted({{m.split(".")[0] for m in sys.modules}} & set({DRAWING!r}))))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.split() == [], done.stdout


def test_a_chart_still_draws_after_a_lazy_import() -> None:
    script = textwrap.dedent(
        """
        import sys
        from bot.commands import render_scorecard_chart as chart
        import gettext
        from bot.commands.words.language import Language
        assert "matplotlib" not in sys.modules
        radar = chart.Radar(
            title="Acme", subtitle="2026 Q3",
            spokes=[chart.Spoke(label=f"d{i}", score=60.0 + i) for i in range(6)],
        )
        png = chart.chart(radar, Language("en", gettext.NullTranslations()))
        assert png.startswith(chart.PNG_SIGNATURE)
        print("matplotlib" in sys.modules)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"
