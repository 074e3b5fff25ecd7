// The pieces the CI formats are made of: links to Django's docs, Markdown that renders as written,
// workflow commands that GitHub parses as meant, and the line identity fingerprints rest on.
import { djangoDocsUrl, helpUrl, parseSource } from '../../src/formats/django-docs';
import { codeSpan, escapeMarkdown, folded, sourceMarkdown } from '../../src/formats/markdown';
import { escapeData, escapeProperty } from '../../src/formats/github';
import { lineAt, lineHash } from '../../src/identity';
import type { Finding } from '../../src/model';

describe('Django documentation links', () => {
  test.each([
    ['docs/ref/middleware.txt', [4, 2], 'https://docs.djangoproject.com/en/4.2/ref/middleware/'],
    ['docs/topics/db/optimization.txt', [3, 2], 'https://docs.djangoproject.com/en/3.2/topics/db/optimization/'],
    ['docs/ref/models/querysets.txt', [5, 1], 'https://docs.djangoproject.com/en/5.1/ref/models/querysets/'],
    ['docs/ref/models/index.txt', [4, 2], 'https://docs.djangoproject.com/en/4.2/ref/models/'],
    ['docs/index.txt', [4, 2], 'https://docs.djangoproject.com/en/4.2/'],
    ['docs/ref/middleware.txt "Middleware ordering"', [4, 2], 'https://docs.djangoproject.com/en/4.2/ref/middleware/#middleware-ordering'],
    ['docs/topics/cache.txt "Order of MIDDLEWARE"', [4, 2], 'https://docs.djangoproject.com/en/4.2/topics/cache/#order-of-middleware'],
    ['docs/howto/error-reporting.txt "404 errors"', [4, 2], 'https://docs.djangoproject.com/en/4.2/howto/error-reporting/#errors'],
    ['docs/ref/databases.txt (connection pool, Django 5.1+)', [5, 1], 'https://docs.djangoproject.com/en/5.1/ref/databases/'],
    ['docs/ref/settings.txt', null, 'https://docs.djangoproject.com/en/stable/ref/settings/'],
  ] as const)('%s for Django %j', (source, version, url) => {
    expect(parseSource(source, version as [number, number] | null)).toEqual({ kind: 'docs', text: source, url });
  });

  test('code paths stay code references; URLs stay URLs; anything else is text', () => {
    expect(parseSource('django/db/models/deletion.py', [4, 2])).toEqual({ kind: 'code', text: 'django/db/models/deletion.py' });
    expect(parseSource('django/conf/project_template/project_name/settings.py-tpl', [4, 2]).kind).toBe('code');
    expect(parseSource('https://docs.python.org/3/reference/import.html', [4, 2])).toMatchObject({ kind: 'url', url: 'https://docs.python.org/3/reference/import.html' });
    expect(parseSource('django-silk README "Installation"', [4, 2])).toEqual({ kind: 'text', text: 'django-silk README "Installation"' });
  });

  test('the help link is the first Django page, else the first URL', () => {
    expect(helpUrl(['django/contrib/auth/middleware.py', 'https://example.org/x', 'docs/ref/signals.txt'], [4, 2])).toBe('https://docs.djangoproject.com/en/4.2/ref/signals/');
    expect(helpUrl(['django/db/models/deletion.py', 'https://example.org/x'], [4, 2])).toBe('https://example.org/x');
    expect(helpUrl(['django/db/models/deletion.py'], [4, 2])).toBeUndefined();
    expect(djangoDocsUrl('ref/applications', undefined, [3, 2])).toBe('https://docs.djangoproject.com/en/3.2/ref/applications/');
  });
});

describe('Markdown', () => {
  test('messages render as written: no emphasis, tables, HTML, mentions or issue links', () => {
    expect(escapeMarkdown('select_related("customer__user") | *all* `x` [a](b) <b>&</b> ~x~ \\')).toBe(
      'select\\_related("customer\\_\\_user") \\| \\*all\\* \\`x\\` \\[a\\](b) &lt;b&gt;&amp;&lt;/b&gt; \\~x\\~ \\\\',
    );
    expect(escapeMarkdown('@receiver(post_save) fixes #12, not #x')).toBe('@&#8203;receiver(post\\_save) fixes #&#8203;12, not #x');
    expect(escapeMarkdown('two\r\nlines\n  here')).toBe('two lines here');
  });

  test('code spans hold backticks; folded sections open on their summary', () => {
    expect(codeSpan('a.py')).toBe('`a.py`');
    expect(codeSpan('a`b')).toBe('``a`b``');
    expect(codeSpan('`x`')).toBe('`` `x` ``');
    expect(folded('3 changes', '- a')).toBe('<details><summary>3 changes</summary>\n\n- a\n\n</details>');
  });

  test('sources become links, code spans or text', () => {
    expect(sourceMarkdown('docs/ref/middleware.txt "Middleware ordering"', [3, 2])).toBe('[docs/ref/middleware.txt "Middleware ordering"](https://docs.djangoproject.com/en/3.2/ref/middleware/#middleware-ordering)');
    expect(sourceMarkdown('django/db/models/deletion.py', [3, 2])).toBe('`django/db/models/deletion.py`');
    expect(sourceMarkdown('django-axes docs "Installation"', [3, 2])).toBe('django-axes docs "Installation"');
  });
});

describe('GitHub workflow commands', () => {
  test('data escapes %, CR and LF; properties also : and ,', () => {
    expect(escapeData('50% done\r\nnext: a, b')).toBe('50%25 done%0D%0Anext: a, b');
    expect(escapeProperty('C:\\dir,x%\n')).toBe('C%3A\\dir%2Cx%25%0A');
  });
});

describe('line identity', () => {
  const finding: Finding = { transform: 't', code: 'c', location: { path: 'a.py', line: 2, column: 1 }, message: 'm' };

  test('a line is read without its end of line, CRLF included', () => {
    expect(lineAt('one\r\ntwo\r\nthree', 2)).toBe('two');
    expect(lineAt('one\ntwo', 2)).toBe('two');
    expect(lineAt('one\n', 5)).toBe('');
  });

  test('the hash ignores indentation and the line number, not the kind of finding or the file', () => {
    expect(lineHash(finding, '    x = 1  ')).toBe(lineHash({ ...finding, location: { ...finding.location, line: 40 } }, 'x = 1'));
    expect(lineHash(finding, 'x = 1')).not.toBe(lineHash({ ...finding, code: 'd' }, 'x = 1'));
    expect(lineHash(finding, 'x = 1')).not.toBe(lineHash({ ...finding, location: { ...finding.location, path: 'b.py' } }, 'x = 1'));
    expect(lineHash(finding, 'x = 1')).toMatch(/^[0-9a-f]{16}$/);
  });
});
