"""Render a digest as an HTML page (for email and preview) and as plain text.

Every piece of finding or ticket text passes through `escape.html_text` exactly once, here;
the page skeleton is a `string.Template` whose substitutions are already-escaped fragments.
"""

from __future__ import annotations

from string import Template

from syncd.digests._template import PAGE
from syncd.digests.escape import html_text, one_line, safe_url
from syncd.digests.model import Digest, Row, Section

FOOTER = "Sent by syncd. Silence with: syncd silence add --matcher name=value --duration 4h"
_PAGE = Template(PAGE)


def render_html(digest: Digest) -> str:
    """The digest as a standalone, responsive HTML page."""
    body = "\n".join(_html_section(s) for s in digest.sections if s.rows or s.more)
    if not body:
        body = '<p class="empty">Nothing to report.</p>'
    stamp = digest.generated_at.strftime("%Y-%m-%d %H:%M UTC")
    return _PAGE.substitute(
        title=html_text(one_line(digest.title)),
        headline=html_text(one_line(digest.headline)),
        sections=body,
        footer=html_text(f"{stamp} · {FOOTER}"),
    )


def _html_section(section: Section) -> str:
    rows = "\n".join(_html_row(r) for r in section.rows)
    more = f'<p class="more">and {section.more} more</p>' if section.more else ""
    return f"<h2>{html_text(one_line(section.title))}</h2>\n{rows}\n{more}"


def _html_row(row: Row) -> str:
    title = html_text(one_line(row.title))
    url = safe_url(row.url)
    if url:
        title = f'<a href="{html_text(url)}">{title}</a>'
    badge = f'<span class="badge">{html_text(one_line(row.badge))}</span>' if row.badge else ""
    parts = [f'<div class="row {row.tone}">', f'<div class="title">{title}{badge}</div>']
    if row.text:
        parts.append(f'<p class="text">{html_text(one_line(row.text))}</p>')
    if row.bullets:
        items = "".join(f"<li>{html_text(one_line(b))}</li>" for b in row.bullets)
        parts.append(f"<ul>{items}</ul>")
    if row.meta:
        parts.append(f'<div class="meta">{html_text(" · ".join(one_line(m) for m in row.meta))}</div>')
    parts.append("</div>")
    return "".join(parts)


def render_text(digest: Digest) -> str:
    """The digest as plain text (the text/plain email part and `digest preview`)."""
    lines = [one_line(digest.title), one_line(digest.headline), ""]
    for section in digest.sections:
        if not section.rows and not section.more:
            continue
        lines += [f"== {one_line(section.title)} ==", *(_text_row(r) for r in section.rows)]
        if section.more:
            lines.append(f"  ... and {section.more} more")
        lines.append("")
    if digest.is_empty:
        lines += ["Nothing to report.", ""]
    lines.append(f"-- {digest.generated_at.strftime('%Y-%m-%d %H:%M UTC')} · {FOOTER}")
    return "\n".join(lines) + "\n"


def _text_row(row: Row) -> str:
    head = f"- {one_line(row.title)}" + (f"  [{one_line(row.badge)}]" if row.badge else "")
    out = [head]
    if row.text:
        out.append(f"    {one_line(row.text)}")
    out += [f"    * {one_line(b)}" for b in row.bullets]
    if row.meta:
        out.append(f"    {' · '.join(one_line(m) for m in row.meta)}")
    if safe_url(row.url):
        out.append(f"    {safe_url(row.url)}")
    return "\n".join(out)
