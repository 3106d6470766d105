"""benchmark_import runs end to end (small sizes here) and leaves nothing behind."""

from io import StringIO

from django.core.management import call_command

from wuqiang.entries.models import Entry
from wuqiang.imports.models import ImportBatch
from wuqiang.regions.models import Village


def test_benchmark_import_prints_its_figures_and_rolls_back(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    out = StringIO()
    call_command("benchmark_import", "--villages", "2", "--meetings", "3", "--big-mb", "0.05",
                 "--big-max-rows", "20", stdout=out)
    text = out.getvalue()
    assert "upload → applied" in text and "Peak memory" in text and "random bytes named .xlsx: refused" in text
    assert "A real template of" in text
    assert not Village.objects.exists() and not Entry.objects.exists() and not ImportBatch.objects.exists()
