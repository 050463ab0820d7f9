"""Tables rebuilt from any flattening we meet, as a structure stage: recognizers read cells from here.

Real pages reach us flattened in several ways, often mixed within one document:

| flattening                           | looks like                                   |
|--------------------------------------|----------------------------------------------|
| `|` or tab rows                      | `| 质量指标 | 覆盖率 | ≧ | 100 | % | 95% |`  |
| one cell per line (PDF, HTML)        | `6 |` / `|` (an empty cell) / `>=18462人 |`   |
| one cell per paragraph               | `投入` / blank line / `20` / blank / `16.42`  |
| columns aligned with spaces (PDF)    | `年度资金总额 184.41 236.22 10 84.61 8.46`   |
| OCR with no separators               | `项目决策(20分)目标内容22进度计划21`         |

- `stream`: every cell in reading order, with empty cells counted (`stream.py`);
- `grid`: a header row and rows of its width, each cell with its header, row label and unit;
- `indicator_rows`: the indicator table of a 绩效自评表, row by row, with the merged level cells
  carried down and a two-level header read as its lowest level (`indicator_table.py`);
- `funding_rows`: the funding block (年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分)
  (`funding_block.py`).

Positions are indexes into the normalized text. Separators, header words and level words live in
patterns/tables.yaml. Nothing here imports a recognizer: recognizers and roles import this.
"""

from .funding_block import MONEY_COLUMNS, FundingRow, funding_rows
from .funding_line import funding_lines
from .indicator_table import Row, indicator_rows, is_level_word, level_label, split_points
from .stream import Cell, GridCell, cell_at, clean, column_of, grid, points, split_line, stream, table_unit

__all__ = ["Cell", "FundingRow", "GridCell", "MONEY_COLUMNS", "Row", "cell_at", "clean", "column_of",
           "funding_lines", "funding_rows", "grid", "indicator_rows", "is_level_word", "level_label", "points", "split_line", "split_points",
           "stream", "table_unit"]
