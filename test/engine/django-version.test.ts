import { atLeast, detectDjangoVersion, lowerBound } from '../../src/project/django-version';

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
