"""reportx: exact, grounded facts from Chinese government budget-performance reports.

>>> from extract import extract_text, parse_number
>>> parse_number("一百二十万")
Decimal('1200000')
"""

from .errors import ReportxError
from .models import Report
from .numbers import parse_number
from .pipeline import extract_file, extract_text

__all__ = ["extract_text", "extract_file", "parse_number", "Report", "ReportxError"]
__version__ = "0.1.0"
