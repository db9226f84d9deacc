"""How often the page view finds a cited chunk's words on its page: for the PDF chunks of an
index (paragraphs and table rows with a page), the share whose highlight marks at least one line,
and the mean share of the highlight's characters marked, by kind. Reads the index and the PDFs;
renders nothing.

    python tools/page_highlights.py --index /tmp/dev-hook-zh-wide --corpus ../shared/dev/zh-wide/reports [--sample 400]
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot import pages  # noqa: E402
from bot.index import load_index  # noqa: E402
from bot.serve.pagelinks import chunk_highlight, is_pdf  # noqa: E402
from bot.settings import Settings  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--sample", type=int, default=400, help="chunks to check (0: all); a fixed seed")
    args = ap.parse_args()
    settings = Settings().with_(index_dir=Path(args.index), corpus_dir=Path(args.corpus))
    index = load_index(settings)
    chunks = [c for c in index.chunks if is_pdf(c.file) and c.page and c.kind in ("paragraph", "row")]
    if args.sample and len(chunks) > args.sample:
        chunks = random.Random(0).sample(chunks, args.sample)
    glyphs: dict[tuple[str, int], list] = {}
    found, total, misses = Counter(), Counter(), []
    covered: Counter = Counter()
    start = time.time()
    for c in chunks:
        key = (c.file, c.page)
        if key not in glyphs:
            glyphs[key] = pages.text_glyphs(Path(args.corpus) / c.file, c.page)[0]
        total[c.kind] += 1
        words = chunk_highlight(c)
        spans = pages.match_spans(glyphs[key], words)
        wanted = len(pages.PIECE_SPLIT_RE.sub("", "".join(words.split())))
        covered[c.kind] += min(1.0, sum(e - b for b, e in spans) / max(1, wanted))
        if pages.find_boxes(glyphs[key], words):
            found[c.kind] += 1
        else:
            misses.append(c)
    for kind in sorted(total):
        print(f"{kind:10} {found[kind]}/{total[kind]} found on their page ({found[kind] / total[kind]:.1%}), "
              f"{covered[kind] / total[kind]:.1%} of their characters marked")
    print(f"all        {sum(found.values())}/{sum(total.values())} in {time.time() - start:.0f} s "
          f"({len(glyphs)} pages read)")
    for c in misses[:8]:
        print(f"  missed: {c.file} p{c.page} {c.kind}: {chunk_highlight(c)[:80]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
