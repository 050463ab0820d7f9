"""Scanned pages as images (PNG, JPEG, TIFF, BMP): OCR, laid out as text (see ocr.py).

Every frame of a multi-page TIFF is a page; pages are joined by a newline, and `OcrInfo.pages` lists
them 1-based. The EXIF orientation a phone or scanner records is applied first. The size is checked
from the header (ocr.MAX_PIXELS, Pillow's decompression-bomb limit) before any pixel is decoded.

| input                                | result                                    |
|--------------------------------------|-------------------------------------------|
| a scanned form page                  | its lines, table rows as cells joined by "|" |
| a 3-page TIFF                        | the three pages' text, OcrInfo.pages (1, 2, 3) |
| truncated or damaged                 | CorruptInput (E007)                       |
| a PNG header claiming 60000×60000    | InputTooLarge (E005), nothing decoded     |
| a blank page                         | EmptyInput (E002)                         |
| rapidocr-onnxruntime not installed   | NeedsOCR (E009): pip install 'reportx[ocr]' |
"""

from __future__ import annotations

import io
import warnings

from ..errors import CorruptInput, EmptyInput, InputTooLarge, ReportxError
from . import OcrInfo, describe
from .ocr import MAX_PIXELS, _get_engine, engine_name, ocr_image


def read(name: str, data: bytes, max_unpacked: int = 0) -> tuple[str, None, OcrInfo]:
    """(text, None, OcrInfo) of the image's pages; coded errors only (see the module doc)."""
    from PIL import Image, ImageOps

    _get_engine(name)  # the missing extra is the first thing to say
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))  # reads the header only
    except Image.DecompressionBombError as e:
        raise InputTooLarge(f"{describe(e)}; the limit is {MAX_PIXELS:,} pixels (Pillow's decompression-bomb limit)", name) from None
    except Exception as e:
        raise CorruptInput(f"not a readable image ({describe(e)}); save it again as PNG or JPEG", name) from None
    pages = []
    try:
        with image:
            frames = getattr(image, "n_frames", 1)
            for index in range(frames):
                try:
                    image.seek(index)
                    _check_size(image, name)
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                        frame = ImageOps.exif_transpose(image)  # decodes the frame
                        frame.load()
                except ReportxError:
                    raise
                except MemoryError:
                    raise InputTooLarge("the image needs more memory than is available to decode", name) from None
                except Exception as e:
                    where = f"page {index + 1} of the image" if frames > 1 else "the image"
                    raise CorruptInput(f"{where} is damaged or truncated ({describe(e)}); scan or save it again", name) from None
                pages.append(ocr_image(frame, name))
    except ReportxError:
        raise
    except Exception as e:  # seeking a damaged multi-frame file
        raise CorruptInput(f"not a readable image ({describe(e)}); save it again as PNG or JPEG", name) from None
    text = "\n".join(p.text for p in pages if p.text)
    if not text.strip():
        raise EmptyInput("no text was recognized in the image; check that it is a scan of the report, upright and "
                         "at 150 dpi or more", name)
    lines = sum(p.lines for p in pages)
    confidence = sum(p.confidence * p.lines for p in pages) / lines if lines else 0.0
    return text, None, OcrInfo(pages=tuple(range(1, len(pages) + 1)), confidence=round(confidence, 4),
                               engine=engine_name())


def _check_size(image, name: str) -> None:
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise InputTooLarge(f"the image is {width}×{height} pixels, over the limit of {MAX_PIXELS:,} (Pillow's "
                            "decompression-bomb limit); scan it at 300 dpi or less", name)
