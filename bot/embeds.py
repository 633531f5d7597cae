"""Answers rendered as Discord embeds, within every Discord limit.

Passages are quoted verbatim, citation tags included, with markdown and mentions escaped so they
show literally. Everything shown is measured and shortened with "…" where needed, so a message
is never rejected for size, whatever the question or the document holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

import discord

from bot.feedback import Report
from bot.served import Examples
from bot.text import ELLIPSIS, discord_len, escape, one_line, truncate
from bot.wording import count
from knowledge.article import Reference
from knowledge.document import Document
from retrieval.answers import WEAK_MATCH, Answer, Hit, citation_line
from retrieval.search import TimelineEntry

TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_LIMIT = 25
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
AUTHOR_LIMIT = 256
TOTAL_LIMIT = 6000
CONTENT_LIMIT = 2000

COLOUR = discord.Colour(0x3B6EA5)
# A name echoed back inside a sentence is kept short; the sentence is what matters.
ECHO_LIMIT = 100
# Longer source URLs are not linked inline, where they would eat the passages' room.
LINK_LIMIT = 512

CITATIONS_NOTE = (
    "Every passage is quoted word for word from its document, citation tags included. "
    '"Refs: [8] [9]" lists the reference numbers the source gives the passage (see the '
    'References section of the linked document); "uncited in the source" means it gives none.'
)


def _http_url(url: str | None) -> str | None:
    # Discord rejects the whole message over a malformed URL, so only plain web links are used.
    if url is None:
        return None
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.netloc else None


def _fair_shares(lengths: Sequence[int], budget: int) -> list[int]:
    """Split `budget` among items so short items keep their length and long ones share the rest."""
    shares = [0] * len(lengths)
    pending = sorted(range(len(lengths)), key=lambda i: lengths[i])
    left = budget
    while pending:
        fair = left // len(pending)
        index = pending.pop(0)
        shares[index] = min(lengths[index], fair)
        left -= shares[index]
    return shares


def _attribution(documents: Sequence[tuple[str, str | None]]) -> str:
    parts = [f"“{title}” — {licence or 'licence not stated'}" for title, licence in documents]
    return truncate("Quoted from " + "; ".join(parts), FOOTER_LIMIT // 2)


def _documents_of(hits: Sequence[Hit]) -> list[Hit]:
    """The first hit of each distinct document, in order."""
    seen: dict[str, Hit] = {}
    for hit in hits:
        seen.setdefault(hit.document_id, hit)
    return list(seen.values())


def answer_embed(answer: Answer, heading: str, offset: int = 0) -> discord.Embed:
    """One page of a found answer: the passages from rank `offset + 1` on, with their refs.

    `heading` is the user's question or name (escaped here). With one source document its title
    is the author line, linked to the source; with several, each passage names and links its own.
    """
    title = truncate(escape(one_line(heading)) or "Question", TITLE_LIMIT)
    embed = discord.Embed(title=title, colour=COLOUR)
    sources = _documents_of(answer.hits)
    if len(sources) == 1:
        only = sources[0]
        embed.set_author(name=truncate(only.document, AUTHOR_LIMIT), url=_http_url(only.source_url))
    first, last = offset + 1, offset + len(answer.hits)
    shown = f"passage {first}" if first == last else f"passages {first} to {last}"
    weak = f"{WEAK_MATCH} · " if answer.weak else ""
    footer = truncate(
        f"{weak}{_attribution([(h.document, h.licence) for h in sources])} · "
        f"{shown} of {answer.total}",
        FOOTER_LIMIT,
    )
    embed.set_footer(text=footer)

    heads, tails = [], []
    for rank, hit in enumerate(answer.hits, start=first):
        label = "Image caption: " if hit.caption else ""
        heads.append(f"**{rank}.** {label}")
        tail = hit.citations
        if hit.section:
            tail += f" · {truncate(escape(one_line(hit.section)), ECHO_LIMIT)}"
        if len(sources) > 1:
            url = _http_url(hit.source_url)
            name = truncate(escape(one_line(hit.document)), ECHO_LIMIT)
            linked = url is not None and discord_len(url) <= LINK_LIMIT
            tail += f" · [{name}]({url})" if linked else f" · {name}"
        tails.append(f"\n*{tail}*")
    separator = "\n\n"
    fixed = sum(discord_len(h) + discord_len(t) for h, t in zip(heads, tails, strict=True))
    fixed += discord_len(separator) * (len(heads) - 1)
    room = min(DESCRIPTION_LIMIT, TOTAL_LIMIT - len_outside_description(embed)) - fixed
    texts = [escape(hit.text) for hit in answer.hits]
    shares = _fair_shares([discord_len(t) for t in texts], max(room, 0))
    blocks = [
        head + truncate(text, share) + tail
        for head, text, share, tail in zip(heads, texts, shares, tails, strict=True)
    ]
    embed.description = separator.join(blocks)
    _add_sources(embed, answer.hits, first)
    return embed


def _source_line(reference: Reference, room: int) -> str:
    """One reference as a line of a Sources field, at most `room` long: its number linked when
    it has a web URL and the link fits whole (a cut link would show as raw markdown)."""
    text = escape(one_line(reference.text))
    url = _http_url(reference.url)
    if url is not None and discord_len(url) <= LINK_LIMIT and ")" not in url:
        linked = f"[[{reference.number}]]({url}) "
        if discord_len(linked) + len(ELLIPSIS) <= room:
            return linked + truncate(text, room - discord_len(linked))
    return truncate(f"[{reference.number}] {text}", room)


def _add_sources(embed: discord.Embed, hits: Sequence[Hit], first: int) -> None:
    """A "Sources" field per passage that cites known references, in the room the passages
    leave: references are cut (a line shortened, then fields dropped) before any passage is."""
    for rank, hit in enumerate(hits, start=first):
        if not hit.references or len(embed.fields) >= FIELD_LIMIT:
            continue
        name = f"Sources of {rank}"
        left = TOTAL_LIMIT - len_outside_description(embed) - discord_len(embed.description or "")
        room = min(FIELD_VALUE_LIMIT, left - discord_len(name))
        lines: list[str] = []
        used = 0
        for reference in hit.references:
            line = _source_line(reference, max(room - used - 1, 0))
            if discord_len(line) < len(str(reference.number)) + 3:
                break  # not even the number fits
            lines.append(line)
            used += discord_len(line) + 1
        if lines:
            embed.add_field(name=name, value="\n".join(lines), inline=False)


def timeline_embed(entries: Sequence[TimelineEntry], page: int, pages: int) -> discord.Embed:
    """One page of the timeline: each entry's date, what happened, and its refs."""
    embed = discord.Embed(title="Timeline", colour=COLOUR)
    # Each entry's first hit from each document: reading every hit would make thousands.
    hits = [hit for entry in entries for hit in entry.sources]
    sources = [(h.document, h.licence) for h in _documents_of(hits)]
    footer = f"Page {page + 1} of {pages}"
    if sources:
        footer = f"{footer} · {_attribution(sources)}"
    embed.set_footer(text=truncate(footer, FOOTER_LIMIT))
    room = (TOTAL_LIMIT - len_outside_description(embed)) // max(len(entries), 1)
    for entry in entries[:FIELD_LIMIT]:
        name = truncate(escape(one_line(entry.when)) or "Undated", min(FIELD_NAME_LIMIT, room // 4))
        tail = f"\n*{citation_line(entry.refs, {})}*"
        value_room = min(FIELD_VALUE_LIMIT, room - discord_len(name)) - discord_len(tail)
        value = truncate(escape(one_line(entry.label)), value_room) + tail
        embed.add_field(name=name, value=value, inline=False)
    return embed


def len_outside_description(embed: discord.Embed) -> int:
    """Characters an embed uses outside its description (title, fields, footer, author)."""
    total = discord_len(embed.title or "")
    for field in embed.fields:
        total += discord_len(field.name or "") + discord_len(field.value or "")
    total += discord_len(embed.footer.text or "") + discord_len(embed.author.name or "")
    return total


def _echo(text: str) -> str:
    return truncate(escape(one_line(text)), ECHO_LIMIT)


def _suggestions(answer: Answer) -> str:
    return ", ".join(_echo(s) for s in answer.suggestions)


def no_answer_text(answer: Answer) -> str:
    """The short reply for a question or name the documents do not cover."""
    if answer.kind == "ref":
        text = f"No passage of the loaded documents cites reference {_echo(answer.query)}."
    elif answer.kind == "ask":
        text = "The loaded documents don't cover that question."
        if answer.suggestions:
            text += f" The closest figures and events: {_suggestions(answer)}."
    else:
        what = "figure" if answer.kind == "figure" else "event"
        text = f"No {what} named “{_echo(answer.query)}” in the loaded documents."
        if answer.suggestions:
            text += f" Did you mean: {_suggestions(answer)}?"
    return truncate(text, CONTENT_LIMIT)


def help_lines(examples: Examples) -> list[tuple[str, str]]:
    """The commands members can use, each with an example the loaded documents answer."""

    def example(value: object, fallback: str) -> str:
        return _echo(str(value)) if value is not None else fallback

    question = example(examples.question, "<question>")
    return [
        (f"/ask question:{question} [private]", "the passages of the documents that answer it"),
        (
            f"/figure name:{example(examples.figure, '<name>')}",
            "what the documents say about a person (with suggestions as you type)",
        ),
        (
            f"/event name:{example(examples.event, '<event or year>')}",
            "what the documents say about an event or a year (with suggestions as you type)",
        ),
        (
            f"/ref number:{example(examples.ref, '<n>')}",
            "what a citation number points to, and the passages that cite it",
        ),
        ("/timeline", "the dated events of the documents in order, page by page"),
        ("/about", "the loaded documents, their sources and licences, and how citations are shown"),
        ("/help", "this list"),
        (f"@citebot {question}", "mention the bot with a question for the same answer as /ask"),
    ]


def help_embed(examples: Examples) -> discord.Embed:
    """The commands, one line each, with examples from the loaded documents."""
    lines = [f"`{usage}` — {what}" for usage, what in help_lines(examples)]
    description = truncate("\n".join(lines), DESCRIPTION_LIMIT)
    embed = discord.Embed(title="citebot commands", colour=COLOUR, description=description)
    embed.set_footer(
        text="Answers quote the documents verbatim with their citation numbers. "
        "Server admins also have /reload and /stats."
    )
    return embed


def _percent(share: float | None) -> str:
    return "—" if share is None else f"{share:.0%}"


def stats_embed(report: Report, days: int, retention_days: int) -> discord.Embed:
    """/stats: the questions of a period in this server, the votes, and what to improve."""
    period = "24 hours" if days == 1 else f"{days} days"
    embed = discord.Embed(title=f"citebot in the last {period}", colour=COLOUR)
    answered = f"{report.answered} answered ({_percent(report.share_answered)})"
    embed.add_field(name="Questions", value=f"{report.questions} asked, {answered}")
    embed.add_field(name="Votes", value=f"👍 {report.up} · 👎 {report.down}")
    room = FIELD_VALUE_LIMIT // max(len(report.unanswered), 1) - 1
    unanswered = [
        truncate(f"{times}× {escape(one_line(text))}", room) for text, times in report.unanswered
    ]
    embed.add_field(
        name="Most asked, not answered",
        value="\n".join(unanswered) or "none",
        inline=False,
    )
    room = FIELD_VALUE_LIMIT // max(len(report.disliked), 1) - 1
    disliked = [
        truncate(
            f"👎 {page.down} 👍 {page.up} · {escape(one_line(page.query))} "
            f"({', '.join(page.passages)})",
            room,
        )
        for page in report.disliked
    ]
    embed.add_field(name="Most 👎 answers", value="\n".join(disliked) or "none", inline=False)
    note = f"Questions are kept {retention_days} days"
    if days > retention_days:
        note += f", so this covers {retention_days}"
    embed.set_footer(text=note + ".")
    return embed


def about_embed(documents: Sequence[Document]) -> discord.Embed:
    """The loaded documents with their source links and licences, and how citations are shown."""
    embed = discord.Embed(title="About citebot", colour=COLOUR, description=CITATIONS_NOTE)
    embed.set_footer(text=f"{count(len(documents), 'document')} loaded")
    listed = documents if len(documents) <= FIELD_LIMIT else documents[: FIELD_LIMIT - 1]
    per_field = (TOTAL_LIMIT - len_outside_description(embed) - len(CITATIONS_NOTE) - 50) // max(
        len(listed) + 1, 1
    )
    name_room = min(FIELD_NAME_LIMIT, per_field // 3)
    value_room = min(FIELD_VALUE_LIMIT, per_field - name_room)
    for document in listed:
        lines = [
            f"Licence: {escape(one_line(document.licence or 'not stated'))}",
            count(len(document.passages), "passage"),
        ]
        url = _http_url(document.source_url)
        link = f"[Source]({url})" if url else "Source not stated"
        # A link cut short is a broken link: show it whole or not at all.
        if discord_len(link) + sum(discord_len(line) + 1 for line in lines) <= value_room:
            lines.insert(0, link)
        embed.add_field(
            name=truncate(escape(one_line(document.title)), name_room),
            value=truncate("\n".join(lines), value_room),
            inline=False,
        )
    if len(listed) < len(documents):
        more = count(len(documents) - len(listed), "more document")
        embed.add_field(name="…", value=f"and {more}")
    return embed
