// Text that GitHub renders as written: messages quote code (`f"product:{product.pk}"`, `__init__`,
// `a | b`), which GitHub-flavoured Markdown would otherwise turn into emphasis, tables, HTML, mentions
// (`@receiver`) and issue links (`#12`).
import type { Version } from '../project/django-version';
import { parseSource } from './django-docs';

// Inline text never starts a line here, so only the characters that act mid-line need escaping. A
// zero-width space keeps `@name` from mentioning anyone and `#12` from linking an issue.
const SPECIAL = /[&<>\\`*_[\]|~@]|#(?=\d)/g;
const REPLACEMENTS: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '@': '@&#8203;', '#': '#&#8203;' };

/** Plain text inside a paragraph, list item or table cell, on one line. */
export function escapeMarkdown(text: string): string {
  return text.replace(/\s*\r?\n\s*/g, ' ').replace(SPECIAL, (character) => REPLACEMENTS[character] ?? `\\${character}`);
}

/** A code span that holds any text: its fence is longer than any run of backticks inside. */
export function codeSpan(text: string): string {
  const flat = text.replace(/\r?\n/g, ' ');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

export function link(label: string, url: string): string {
  return `[${escapeMarkdown(label)}](${url.replace(/[()\s]/g, (character) => encodeURIComponent(character))})`;
}

/** A section that GitHub shows folded: its summary, then the Markdown inside once opened. */
export function folded(summary: string, body: string): string {
  return `<details><summary>${escapeMarkdown(summary)}</summary>\n\n${body}\n\n</details>`;
}

/** A finding's source as a link to the Django docs of the target version (or to its URL), a code path, or text. */
export function sourceMarkdown(text: string, version: Version | null): string {
  const source = parseSource(text, version);
  if (source.kind === 'docs' || source.kind === 'url') return link(source.text, source.url);
  return source.kind === 'code' ? codeSpan(source.text) : escapeMarkdown(source.text);
}
