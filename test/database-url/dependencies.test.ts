// Reading which dj-database-url (and psycopg) a project declares, and adding dj-database-url to the
// file that lists its own dependencies, in that file's layout.
import { applyEdits } from '../../src/edits';
import { addRequirement, declaredFloor, readDependencies } from '../../transforms/database-url/dependencies';

function project(files: Record<string, string>) {
  const readText = (path: string) => files[path];
  const paths = Object.keys(files);
  return { paths, readText, dependencies: readDependencies(paths, readText) };
}

/** The text of the file that gets dj-database-url>=0.5.0, or the reason there is none. */
function added(files: Record<string, string>): string {
  const { paths, readText, dependencies } = project(files);
  const result = addRequirement(paths, dependencies, readText, 'dj-database-url', [0, 5]);
  if (!result.ok) return `not added: ${result.reason}`;
  if (result.change.kind !== 'edit') throw new Error('expected an edit');
  return `${result.path}${result.followUp ? ` (${result.followUp})` : ''}:\n${applyEdits(files[result.path], result.change.edits)}`;
}

describe('readDependencies', () => {
  test('requirement lines: names normalised, extras, markers, comments and options skipped', () => {
    const { dependencies } = project({ 'requirements.txt': '-r base.txt\n# comment\nDj_Database.URL >= 1.2, <3 ; python_version >= "3.8"  # pinned\npsycopg[binary]==3.2.3\ngit+https://example.com/x.git#egg=x\n' });
    expect(dependencies.declared.get('dj-database-url')).toEqual([{ path: 'requirements.txt', text: 'Dj_Database.URL >= 1.2, <3 ; python_version >= "3.8"  # pinned', floor: [1, 2] }]);
    expect(dependencies.declared.has('psycopg')).toBe(true);
    expect(dependencies.declared.has('x')).toBe(false);
  });

  test('pyproject [project] and Poetry tables, a lock file pin first', () => {
    const { dependencies } = project({
      'pyproject.toml': '[project]\ndependencies = ["dj-database-url>=1.0"]\n[tool.poetry.group.dev.dependencies]\npsycopg = "^3.1"\n',
      'poetry.lock': '[[package]]\nname = "dj-database-url"\nversion = "2.3.0"\n',
    });
    expect(declaredFloor(dependencies.declared.get('dj-database-url'))).toEqual([2, 3]);
    expect(dependencies.declared.has('psycopg')).toBe(true);
  });

  test('no lower bound: unknown; an unreadable file is named', () => {
    const { dependencies } = project({ 'requirements.txt': 'dj-database-url\n', 'pyproject.toml': '[project\n' });
    expect(declaredFloor(dependencies.declared.get('dj-database-url'))).toBeNull();
    expect(dependencies.unreadable).toEqual(['pyproject.toml']);
  });
});

describe('addRequirement', () => {
  test('requirements.txt: in sorted position, above the comments of the next requirement', () => {
    expect(added({ 'requirements.txt': 'celery>=5\n# the web framework\nDjango>=4.2\n' })).toBe('requirements.txt:\ncelery>=5\ndj-database-url>=0.5.0\n# the web framework\nDjango>=4.2\n');
  });

  test('requirements.txt: at the end when unsorted, also without a final line break, in CRLF', () => {
    expect(added({ 'requirements.txt': 'gunicorn\r\nDjango>=4.2' })).toBe('requirements.txt:\ngunicorn\r\nDjango>=4.2\r\ndj-database-url>=0.5.0');
  });

  test('the file that declares Django, preferring pip-tools sources', () => {
    expect(added({ 'requirements/dev.txt': 'pytest\n', 'requirements/base.txt': 'Django\n' })).toBe('requirements/base.txt:\ndj-database-url>=0.5.0\nDjango\n');
    expect(added({ 'requirements.txt': 'django==4.2.16\n', 'requirements.in': 'django\n' })).toBe('requirements.in (compile requirements.txt again (pip-compile)):\ndj-database-url>=0.5.0\ndjango\n');
  });

  test('hashed requirements are not edited', () => {
    expect(added({ 'requirements.txt': 'django==4.2.16 \\\n    --hash=sha256:abc\n' })).toMatch(/^not added: requirements.txt pins hashes/);
  });

  test('pyproject [project] dependencies: multi-line, single-line, empty, without a trailing comma', () => {
    expect(added({ 'pyproject.toml': '[project]\nname = "x"\ndependencies = [\n    "django>=4.2",  # web\n]\n' })).toBe(
      'pyproject.toml:\n[project]\nname = "x"\ndependencies = [\n    "django>=4.2",  # web\n    "dj-database-url>=0.5.0",\n]\n',
    );
    expect(added({ 'pyproject.toml': "[project]\ndependencies = ['django>=4.2']\n" })).toBe("pyproject.toml:\n[project]\ndependencies = ['django>=4.2', 'dj-database-url>=0.5.0']\n");
    expect(added({ 'pyproject.toml': '[project]\ndependencies = []\n' })).toBe('pyproject.toml:\n[project]\ndependencies = ["dj-database-url>=0.5.0"]\n');
    expect(added({ 'pyproject.toml': '[project]\ndependencies = [\n  "django"\n]\n', 'uv.lock': 'version = 1\n' })).toBe(
      'pyproject.toml (run uv lock to update uv.lock):\n[project]\ndependencies = [\n  "django",\n  "dj-database-url>=0.5.0",\n]\n',
    );
  });

  test('Poetry: at the end of [tool.poetry.dependencies]', () => {
    expect(added({ 'pyproject.toml': '[tool.poetry.dependencies]\npython = "^3.12"\nDjango = "^5.1"\n\n[build-system]\nrequires = ["poetry-core"]\n', 'poetry.lock': '' })).toBe(
      'pyproject.toml (run poetry lock to update poetry.lock):\n[tool.poetry.dependencies]\npython = "^3.12"\nDjango = "^5.1"\ndj-database-url = ">=0.5.0"\n\n[build-system]\nrequires = ["poetry-core"]\n',
    );
  });

  test('pyproject only for tools: requirements.txt is the place', () => {
    expect(added({ 'pyproject.toml': '[tool.black]\nline-length = 100\n', 'requirements.txt': 'Django\n' })).toBe('requirements.txt:\ndj-database-url>=0.5.0\nDjango\n');
  });

  test('no place: the reason', () => {
    expect(added({ Pipfile: '[packages]\ndjango = "*"\n' })).toMatch(/^not added: djfix does not edit Pipfile/);
    expect(added({})).toMatch(/^not added: djfix found no dependency file that lists Django or is the main one/);
    expect(added({ 'requirements/dev.txt': 'pytest\n' })).toMatch(/^not added: djfix found no dependency file/);
  });
});
