import { atLeast, detectDjangoVersion, lockedPackage, lowerBound } from '../../src/project/django-version';

const detect = (files: Record<string, string>) => detectDjangoVersion(new Map(Object.entries(files)), []);

test('lower bounds of specifiers', () => {
  expect(lowerBound('>=4.2,<5.0')).toEqual([4, 2]);
  expect(lowerBound('==3.2.*')).toEqual([3, 2]);
  expect(lowerBound('~=4.1.0')).toEqual([4, 1]);
  expect(lowerBound('^5.0')).toEqual([5, 0]);
  expect(lowerBound('<5')).toBeNull();
});

test('reads requirements, pyproject, poetry, uv and Pipfile; locks win', () => {
  expect(detect({ 'requirements.txt': 'gunicorn\nDjango>=4.2,<5  # LTS\n' }).version).toEqual([4, 2]);
  expect(detect({ 'requirements.txt': 'django-environ==0.11\n' }).version).toBeNull();
  expect(detect({ 'pyproject.toml': '[project]\nname = "x"\ndependencies = ["django~=5.1.0"]\n' }).version).toEqual([5, 1]);
  expect(detect({ 'pyproject.toml': '[tool.poetry.dependencies]\npython = "^3.11"\nDjango = "^4.2"\n' }).version).toEqual([4, 2]);
  expect(detect({ 'pyproject.toml': '[project]\ndependencies = ["django>=4.0"]\n', 'uv.lock': '[[package]]\nname = "django"\nversion = "5.2.3"\n' })).toEqual({ version: [5, 2], source: 'uv.lock' });
  expect(detect({ Pipfile: '[packages]\ndjango = "==3.2.25"\n' }).version).toEqual([3, 2]);
});

test('unknown means latest, and says so', () => {
  const target = detect({});
  expect(target.version).toBeNull();
  expect(target.source).toMatch(/assuming the latest/);
  expect(atLeast(target, [9, 9])).toBe(true);
  expect(atLeast({ version: [4, 0], source: '' }, [4, 1])).toBe(false);
});

test('a broken TOML file is reported, not fatal', () => {
  const problems: string[] = [];
  expect(detectDjangoVersion(new Map([['pyproject.toml', '[project\n']]), problems).version).toBeNull();
  expect(problems[0]).toMatch(/^pyproject.toml: could not be read as TOML/);
});

describe('a lock file', () => {
  const uv = ['version = 1', '', '[[package]]', 'name = "asgiref"', 'version = "3.8.1"', '', '[[package]]', 'name = "Django"', 'version = "4.2.16"', 'dependencies = [', '    { name = "asgiref" },', ']', '', '[package.optional-dependencies]', 'argon2 = [{ name = "argon2-cffi" }]', ''];

  it('is read at the one package asked for, whatever its case and line endings', () => {
    expect(lockedPackage(uv.join('\n'), 'django')).toMatchObject({ name: 'Django', version: '4.2.16' });
    expect(lockedPackage(uv.join('\r\n'), 'DJANGO')).toMatchObject({ version: '4.2.16' });
    expect(detect({ 'poetry.lock': '[[package]]\nname = "django"\nversion = "3.2.25"\ndescription = "x"\n\n[package.dependencies]\nasgiref = ">=3.3.2,<4"\n' }).version).toEqual([3, 2]);
  });

  it('does not take a dependency named in another package for the package', () => {
    expect(lockedPackage(uv.join('\n'), 'argon2-cffi')).toBeUndefined();
    expect(lockedPackage(uv.join('\n'), 'asgiref')).toMatchObject({ version: '3.8.1' });
  });

  it('laid out otherwise is parsed whole', () => {
    expect(lockedPackage('[[package]]  # pinned\nname = "django"\nversion = "5.1.2"\n', 'django')).toMatchObject({ version: '5.1.2' });
    expect(lockedPackage('package = [{ name = "django", version = "5.0.1" }]\n', 'django')).toMatchObject({ version: '5.0.1' });
  });
});
