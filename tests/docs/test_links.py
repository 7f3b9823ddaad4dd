"""A reader who follows a link in the README, api/README.md or a guide in docs/ lands on
a file that exists, and on a heading of it when the link names one (GitHub's anchors)."""

import re
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
CODE_SPAN = re.compile(r"`[^`]*`")


def documentation() -> list[Path]:
    return [ROOT / "README.md", ROOT / "api" / "README.md", *sorted(ROOT.glob("docs/**/*.md"))]


def prose_lines(page: Path) -> list[tuple[int, str]]:
    """The page's lines outside fenced code, without inline code (a link shown as code
    is an example, not a link)."""
    lines, fenced = [], False
    for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced:
            lines.append((number, CODE_SPAN.sub("", line)))
    return lines


def anchors(page: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens, a
    repeated heading numbered from -1."""
    seen: Counter[str] = Counter()
    found = set()
    for _, line in prose_lines(page):
        if heading := re.match(r"#{1,6}\s+(.*?)\s*#*\s*$", line):
            slug = re.sub(r"[^\w\- ]", "", heading.group(1).lower()).replace(" ", "-")
            found.add(f"{slug}-{seen[slug]}" if seen[slug] else slug)
            seen[slug] += 1
    return found


def broken_links(page: Path, root: Path = ROOT) -> list[str]:
    broken = []
    for number, line in prose_lines(page):
        for target in LINK.findall(line):
            if re.match(r"[a-z][a-z+.-]*:", target):
                continue  # a web address or mailto: not ours to check offline
            path, _, anchor = target.partition("#")
            linked = (page.parent / path).resolve() if path else page
            where = f"{page.relative_to(root)}:{number}: {target}"
            if not linked.exists():
                broken.append(f"{where} (no such file)")
            elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
                broken.append(f"{where} (no such heading)")
    return broken


def test_every_link_in_the_documentation_leads_somewhere() -> None:
    pages = documentation()
    assert len(pages) > 5, "the README, api/README.md and the guides are all read"
    assert [link for page in pages for link in broken_links(page)] == []


def test_a_link_to_a_missing_heading_is_caught(tmp_path: Path) -> None:
    page = tmp_path / "guide.md"
    page.write_text(
        "# Signing in\n\n## Signing in\n\nSee [twice](#signing-in-1), [gone](#signing-out),"
        " [a file](missing.md) and `[code](not-a-link.md)`.\n",
        encoding="utf-8",
    )
    assert anchors(page) == {"signing-in", "signing-in-1"}
    relative = [problem.rsplit(": ", 1)[1] for problem in broken_links(page, tmp_path)]
    assert relative == ["#signing-out (no such heading)", "missing.md (no such file)"]
