"""The README's screenshots: the seed report's view and the charts page, taken in headless Chromium.

    .venv/bin/python scripts/screenshots.py [--db reports.db] [--out docs/img]

Needs Chromium (`make test` installs it as root) and a dataset (`make demo` builds reports.db). Writes
view.png and charts.png, downscaled and palette-quantized so they stay small in git.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SEED = ROOT / "corpora" / "seed" / "000_bcae26400f7d3644.txt"


def shoot(html: str, out: Path, width: int, height: int) -> None:
    from PIL import Image

    browser = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
    if browser is None:
        sys.exit("no Chromium: apt-get install chromium")
    with tempfile.TemporaryDirectory() as tmp:
        page, shot = Path(tmp) / "page.html", Path(tmp) / "shot.png"
        page.write_text(html, encoding="utf-8")
        subprocess.run([browser, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        f"--user-data-dir={tmp}/profile", f"--window-size={width},{height}",
                        f"--screenshot={shot}", page.as_uri()], check=True, capture_output=True, timeout=120)
        image = Image.open(shot).convert("RGB")
        image = image.resize((width * 3 // 4, height * 3 // 4), Image.LANCZOS).quantize(colors=64)
        out.parent.mkdir(parents=True, exist_ok=True)
        image.save(out, optimize=True)
    print(out, out.stat().st_size, "bytes")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", default=str(ROOT / "reports.db"))
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "img")
    args = ap.parse_args(argv)
    from extract import extract_text
    from extract.dataset import charts
    from extract.view import page

    text = SEED.read_text(encoding="utf-8-sig")
    shoot(page(extract_text(text, source=str(SEED.relative_to(ROOT))), text), args.out / "view.png", 1280, 860)
    shoot(charts.page(args.db), args.out / "charts.png", 1000, 1300)
    return 0


if __name__ == "__main__":
    sys.exit(main())
