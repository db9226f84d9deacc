"""The data that flows through the pipeline: report -> chunks -> evidence -> answer.

Figures are always the report's own strings; nothing here parses them into numbers.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal


@dataclass(frozen=True)
class Paragraph:
    text: str
    number: int  # 1-based among the report's text paragraphs (within its page, for PDFs)
    line: int | None = None  # 1-based line in the source file, when the format has lines
    page: int | None = None
    heading: str | None = None
    source: str | None = None  # the "数据来源：…" line that annotates it
    boilerplate: bool = False  # copyright notices, adverts: kept, never answered from
    # the part of the report it belongs to (bot.sections): its title ("" when untitled) and the
    # year it reports on (a multi-year file holds one part per year)
    section: str = ""
    year: str = ""


@dataclass(frozen=True)
class Table:
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    number: int  # 1-based among the report's tables
    line: int | None = None
    page: int | None = None
    heading: str | None = None
    source: str | None = None
    # the grid read as a grid (bot.grid): `header` is one merged label per column (a multi-row
    # header folded, spans carried across), `unit` the table's units row or note ("in thousands",
    # "单位：元"), `row_labels` one label per body row, nested labels joined ("Net sales / Americas")
    unit: str = ""
    row_labels: tuple[str, ...] = ()
    label_columns: int = 1  # how many leading columns hold row labels
    section: str = ""  # as on Paragraph
    year: str = ""


Block = Paragraph | Table


@dataclass
class Report:
    file: str  # path relative to the corpus folder, used as the report's key
    title: str
    blocks: list[Block] = field(default_factory=list)
    # who or what the report is about and for when, as words a question may use for it: the
    # entity and its short names and codes, the place and its short forms, the period
    # (bot.sections.report_scope); "" when nothing was found
    scope: str = ""
    # what OCR read (bot.formats.ocr): {"pages": [page numbers], "confidence": mean word confidence,
    # "low": {page: [figures read with low confidence]}}; empty when the file has a text layer
    ocr: dict = field(default_factory=dict)

    @property
    def paragraphs(self) -> list[Paragraph]:
        return [b for b in self.blocks if isinstance(b, Paragraph)]

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]


ChunkKind = Literal["paragraph", "row", "table"]


@dataclass(frozen=True)
class Chunk:
    id: str
    file: str
    report: str  # report title
    kind: ChunkKind
    text: str  # what a person reads as the quote
    location: str  # where a person finds it: "第3段（第5行）", "表「…」第2行"
    attribution: str = ""  # the report's own source note, if any
    page: int | None = None
    heading: str = ""
    table_id: str = ""  # set on rows and table records: file + table number
    caption: str = ""
    header: tuple[str, ...] = ()
    cells: tuple[str, ...] = ()  # a row's cells, as strings
    row: int = 0  # 1-based row number for row chunks
    label: str = ""  # a row's label, nested labels joined ("Net sales / Americas")
    unit: str = ""  # the table's unit ("in thousands", "单位：元")
    # bot.sections: the title of the report part it is in, the year that part reports on, and the
    # report's scope words (entity, short names, codes, place, period); they count as said in it
    section: str = ""
    year: str = ""
    scope: str = ""
    ocr_low: str = ""  # figures in it that OCR read with low confidence, space-separated (bot.ingest)


@dataclass
class Evidence:
    chunk: Chunk
    score: float
    dense_rank: int | None = None
    lexical_rank: int | None = None


@dataclass(frozen=True)
class Citation:
    n: int
    report: str
    location: str
    quote: str
    attribution: str = ""
    chunk_id: str = ""
    file: str = ""
    page: int | None = None


@dataclass
class Answer:
    question: str
    standalone: str  # the question after follow-up resolution; what retrieval used
    text: str  # markdown: figures in **bold**, citations as [n]
    refused: bool
    citations: list[Citation]
    figures: list[str]  # the figure strings stated, as the report writes them
    lang: str = "zh"
    answerer: str = "grounded"
    table: dict | None = None  # {"header": [...], "rows": [[...]], "caption": str} shown under the answer
    chart: dict | None = None  # {"title", "unit", "labels", "values", "source"} for comparable figures
    note: str = ""  # e.g. why an LLM answer fell back
    computed: list[str] = field(default_factory=list)  # numbers the answerer counted (rows), not quoted
    seconds: float = 0.0
    # bot.decision: how likely the answer states the right figure (None: no candidate was judged)
    answerable_probability: float | None = None

    def to_json(self) -> dict:
        return {
            "question": self.question,
            "standalone_question": self.standalone,
            "answer": self.text,
            "refused": self.refused,
            "citations": [
                {k: v for k, v in asdict(c).items() if k in ("n", "report", "location", "quote", "attribution", "page")}
                for c in self.citations
            ],
            "figures": list(self.figures),
            "answerer": self.answerer,
            "lang": self.lang,
            "table": self.table,
            "chart": self.chart,
            "note": self.note,
            "computed": list(self.computed),
            "answerable_probability": None if self.answerable_probability is None
            else round(self.answerable_probability, 4),
        }
