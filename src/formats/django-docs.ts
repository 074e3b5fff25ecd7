// Where a finding's rule comes from, as something a reader can follow. Transforms cite Django's
// documentation by its source path (`docs/ref/middleware.txt "Middleware ordering"`), Django's code by
// its path (`django/db/models/deletion.py`), other projects by URL or by name.
import type { Version } from '../project/django-version';

export type Source =
  /** A page of Django's documentation, at the URL docs.djangoproject.com serves it for the target version. */
  | { kind: 'docs'; text: string; url: string }
  /** A web page cited by its URL. */
  | { kind: 'url'; text: string; url: string }
  /** A file of Django's (or another project's) code. */
  | { kind: 'code'; text: string }
  /** Anything else: a README or a section named in words. */
  | { kind: 'text'; text: string };

const DOCS_PAGE = /^docs\/(\S+)\.txt(?:\s+"([^"]+)")?/;

/**
 * `docs/ref/middleware.txt "Middleware ordering"` -> `https://docs.djangoproject.com/en/4.2/ref/middleware/#middleware-ordering`:
 * the page path without `.txt` (an `index.txt` is its directory), and the section's anchor as Sphinx
 * makes it. An unknown target version links to the stable docs.
 */
export function djangoDocsUrl(page: string, section: string | undefined, version: Version | null): string {
  const release = version ? version.join('.') : 'stable';
  const route = page === 'index' ? '' : `${page.replace(/(^|\/)index$/, '')}/`;
  return `https://docs.djangoproject.com/en/${release}/${route}${section ? `#${sectionAnchor(section)}` : ''}`;
}

/** docutils' ids: lower case, runs of anything but letters and digits as one hyphen, no leading digits or hyphens. */
function sectionAnchor(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[-0-9]+|-+$/g, '');
}

export function parseSource(text: string, version: Version | null): Source {
  const page = DOCS_PAGE.exec(text);
  if (page) return { kind: 'docs', text, url: djangoDocsUrl(page[1], page[2], version) };
  if (/^https?:\/\/\S+$/.test(text)) return { kind: 'url', text, url: text };
  if (/^[\w.-]+(\/[\w.-]+)+$/.test(text)) return { kind: 'code', text };
  return { kind: 'text', text };
}

/** The first source a reader can open in a browser: Django's docs first, then any other page. */
export function helpUrl(sources: string[], version: Version | null): string | undefined {
  const parsed = sources.map((source) => parseSource(source, version));
  const page = parsed.find((source) => source.kind === 'docs') ?? parsed.find((source) => source.kind === 'url');
  return page && 'url' in page ? page.url : undefined;
}
