import { missingForInstalledApps, planOrder, type OrderPlan, type PlanContext, type PlanEntry } from '../../transforms/middleware-order/plan';
import { KNOWN_MIDDLEWARE, MIDDLEWARE as M, MIDDLEWARE_GROUPS, MIDDLEWARE_RULES, type OrderRule } from '../../transforms/middleware-order/rules';

const CUSTOM = 'app.middleware.CustomMiddleware';
/** A known middleware no rule is about: the bystander in position-rule examples. */
const BYSTANDER = M.currentSite;
const STARTPROJECT = [M.security, M.session, M.common, M.csrf, M.authentication, M.messages, M.xFrameOptions];

const entry = (path: string, more: Partial<PlanEntry> = {}): PlanEntry => ({ path, identities: [path], ...more });
const entriesOf = (list: Array<string | PlanEntry>) => list.map((item) => (typeof item === 'string' ? entry(item) : item));
const contextOf = (overrides: Partial<PlanContext> = {}): PlanContext => ({ settings: {}, django: null, requiredOnly: false, ...overrides });

function plan(list: Array<string | PlanEntry>, overrides: Partial<PlanContext> = {}, rules?: OrderRule[]) {
  const entries = entriesOf(list);
  const result = planOrder(entries, contextOf(overrides), rules);
  return { ...result, paths: result.order.map((index) => entries[index].path) };
}

const ruleIds = (rules: OrderRule[]) => rules.map((rule) => rule.id);
const rule = (id: string) => MIDDLEWARE_RULES.find((candidate) => candidate.id === id)!;

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, index) => permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]));
}

/** Entries that keep their relative order going from `before` to `after`: the longest common subsequence. */
function keptCount(before: string[], after: string[]): number {
  const positions = after.map((path) => before.indexOf(path));
  const tails: number[] = [];
  for (const position of positions) {
    const slot = tails.findIndex((tail) => tail >= position);
    if (slot === -1) tails.push(position);
    else tails[slot] = position;
  }
  return tails.length;
}

/** The orders of these entries that the planner considers valid (it has nothing to fix in them). */
function validOrders(list: PlanEntry[], overrides: Partial<PlanContext> = {}): string[][] {
  return permutations(list)
    .filter((candidate) => planOrder(candidate, contextOf(overrides)).violations.length === 0)
    .map((candidate) => candidate.map((item) => item.path));
}

function fewestMovesByBruteForce(original: string[], valid: string[][]): number {
  return Math.min(...valid.map((candidate) => original.length - keptCount(original, candidate)));
}

function expectValid(result: ReturnType<typeof plan>, overrides: Partial<PlanContext> = {}) {
  const again = plan(result.paths, overrides);
  expect(again.violations).toEqual([]);
  expect(again.moves).toEqual([]);
}

describe('rules data', () => {
  test('ids are unique and every rule reads as a sentence with a source', () => {
    expect(new Set(ruleIds(MIDDLEWARE_RULES)).size).toBe(MIDDLEWARE_RULES.length);
    for (const candidate of MIDDLEWARE_RULES) {
      expect(candidate.text).toMatch(/^\S.*[.)]$/);
      expect(candidate.sources.length).toBeGreaterThan(0);
      expect(candidate.strength === 'conditional').toBe(candidate.when !== undefined);
    }
  });

  test('rules name known middleware or existing groups, and groups hold known middleware', () => {
    const known = new Set(KNOWN_MIDDLEWARE);
    for (const name of MIDDLEWARE_RULES.flatMap((candidate) => [candidate.a, candidate.b ?? candidate.a])) {
      expect(name.startsWith('@') ? Object.keys(MIDDLEWARE_GROUPS) : [...known]).toContain(name);
    }
    for (const members of Object.values(MIDDLEWARE_GROUPS)) for (const member of members) expect(known).toContain(member);
  });

  test('a "before" rule needs a b; position rules about a single middleware', () => {
    for (const candidate of MIDDLEWARE_RULES) {
      if (candidate.kind === 'before') expect(candidate.b).toBeDefined();
      else expect(candidate.a.startsWith('@')).toBe(false);
    }
  });
});

describe('the seed list', () => {
  const seed = [M.security, CUSTOM, M.common];

  test.each([false, true])('Security, custom, Common is already valid (requiredOnly=%s)', (requiredOnly) => {
    const result = plan(seed, { requiredOnly });
    expect(result.order).toEqual([0, 1, 2]);
    expect(result.violations).toEqual([]);
    expect(result.moves).toEqual([]);
  });

  test('Common written above Security: Security moves up, as a recommendation', () => {
    const result = plan([M.common, CUSTOM, M.security]);
    expect(result.paths).toEqual([M.security, M.common, CUSTOM]);
    expect(result.moves).toHaveLength(1);
    expect(result.moves[0]).toMatchObject({ entry: 2, from: 2, to: 0, recommendedOnly: true });
    expect(ruleIds(result.moves[0].rules)).toEqual(['security-near-top']);
  });

  test('no order of these entries ever ends with Common above Security', () => {
    const list = [M.security, M.common, M.session, M.locale, CUSTOM, M.csrf];
    for (const order of permutations(list)) {
      for (const requiredOnly of [false, true]) {
        const result = plan(order, { requiredOnly });
        const securityStaysAbove = order.indexOf(M.security) < order.indexOf(M.common) || !requiredOnly;
        if (securityStaysAbove) expect(result.paths.indexOf(M.security)).toBeLessThan(result.paths.indexOf(M.common));
      }
    }
  });
});

describe('every rule, satisfied and violated', () => {
  const pick = (name: string) => (name.startsWith('@') ? MIDDLEWARE_GROUPS[name][0] : name);

  /** The smallest list that satisfies the rule, and one written wrong that one move fixes. */
  function examples(subject: OrderRule): { satisfied: string[]; violated: string[] } {
    const a = pick(subject.a);
    const b = subject.b ? pick(subject.b) : undefined;
    switch (subject.kind) {
      case 'before':
        return { satisfied: [a, b!], violated: [b!, a] };
      case 'first':
        return b ? { satisfied: [b, a, BYSTANDER], violated: [b, BYSTANDER, a] } : { satisfied: [a, BYSTANDER], violated: [BYSTANDER, a] };
      case 'top':
        return { satisfied: [a, b ?? BYSTANDER], violated: [b ?? BYSTANDER, a] };
      case 'last':
      case 'bottom':
        return { satisfied: [BYSTANDER, a], violated: [a, BYSTANDER] };
    }
  }
  const settingsFor = (subject: OrderRule) => (subject.when ? { [subject.when.setting]: subject.when.equals } : {});

  test.each(MIDDLEWARE_RULES.map((subject) => [subject.id, subject] as const))('%s', (_, subject) => {
    const { satisfied, violated } = examples(subject);
    const settings = settingsFor(subject);

    const kept = plan(satisfied, { settings });
    expect(kept.moves).toEqual([]);
    expect(kept.violations).toEqual([]);

    const fixed = plan(violated, { settings });
    expect(fixed.paths).toEqual(satisfied);
    expect(fixed.moves).toHaveLength(1);
    expect(ruleIds(fixed.moves[0].rules)).toContain(subject.id);
    expect(ruleIds(fixed.violations.map((violation) => violation.rule))).toContain(subject.id);
    expect(fixed.moves[0].recommendedOnly).toBe(fixed.moves[0].rules.every((reason) => reason.strength === 'recommended'));

    if (subject.strength === 'recommended') expect(plan(violated, { settings, requiredOnly: true }).moves).toEqual([]);
    if (subject.when) expect(plan(violated).moves).toEqual([]);
    if (subject.minDjango) {
      const [major, minor] = subject.minDjango;
      const previous: [number, number] = minor > 0 ? [major, minor - 1] : [major - 1, 2];
      expect(plan(violated, { settings, django: previous }).moves).toEqual([]);
      expect(plan(violated, { settings, django: [major, minor] }).moves).toHaveLength(1);
    }
  });

  test('a bystander of a position rule stays; the middleware the rule is about moves', () => {
    const result = plan([M.session, M.flatpageFallback, M.authentication]);
    expect(result.paths).toEqual([M.session, M.authentication, M.flatpageFallback]);
    expect(result.moves.map((move) => move.entry)).toEqual([1]);
  });

  test('rules about middleware that is not in the list do nothing', () => {
    expect(plan([M.authentication, CUSTOM, M.messages]).moves).toEqual([]);
  });
});

describe('ConditionalGet and Common', () => {
  test('Common above ConditionalGet is fixed as a required rule', () => {
    const result = plan([M.security, M.session, M.common, M.conditionalGet, M.csrf]);
    expect(result.paths).toEqual([M.security, M.session, M.conditionalGet, M.common, M.csrf]);
    expect(result.moves).toHaveLength(1);
    expect(ruleIds(result.moves[0].rules)).toEqual(['conditional-get-before-common']);
    expect(result.moves[0].recommendedOnly).toBe(false);
  });

  test('no plan ever puts Common above ConditionalGet (a 304 would carry Content-Length: 0)', () => {
    for (const order of permutations([M.security, M.session, M.csrf, M.conditionalGet, M.common, M.authentication])) {
      expect(plan(order).paths.indexOf(M.conditionalGet)).toBeLessThan(plan(order).paths.indexOf(M.common));
    }
  });
});

describe('CSRF_USE_SESSIONS', () => {
  const list = [M.security, M.common, M.csrf, M.session];

  test('True: Session moves above Common and Csrf, and both rules say why', () => {
    const result = plan(list, { settings: { CSRF_USE_SESSIONS: true } });
    expect(result.paths).toEqual([M.security, M.session, M.common, M.csrf]);
    expect(result.moves).toHaveLength(1);
    expect(ruleIds(result.moves[0].rules)).toEqual(['session-before-csrf-with-csrf-use-sessions', 'session-before-common-with-csrf-use-sessions']);
    expect(result.moves[0].recommendedOnly).toBe(false);
  });

  test.each([[{ CSRF_USE_SESSIONS: false }], [{}]])('False or not set (%p): no Session rule applies', (settings) => {
    const result = plan(list, { settings });
    expect(result.moves).toEqual([]);
    expect(result.violations).toEqual([]);
  });
});

describe('subclasses carry the rules of their base', () => {
  const netboxCommon = entry('netbox.middleware.CommonMiddleware', { identities: ['netbox.middleware.CommonMiddleware', M.common] });

  test('a CommonMiddleware subclass above LocaleMiddleware', () => {
    const result = plan([M.security, M.session, netboxCommon, M.locale, M.csrf]);
    expect(result.paths).toEqual([M.security, M.session, M.locale, 'netbox.middleware.CommonMiddleware', M.csrf]);
    expect(ruleIds(result.moves[0].rules)).toEqual(['locale-before-common']);
  });

  test('a SessionMiddleware subclass below AuthenticationMiddleware', () => {
    const session = entry('app.sessions.SignedSessionMiddleware', { identities: ['app.sessions.SignedSessionMiddleware', M.session] });
    const result = plan([M.security, M.authentication, session]);
    expect(result.paths).toEqual([M.security, 'app.sessions.SignedSessionMiddleware', M.authentication]);
    expect(result.moves[0].recommendedOnly).toBe(false);
  });
});

describe('requirements inferred for project middleware', () => {
  const audit = entry('accounts.middleware.AuditMiddleware', {
    inferred: [{ after: M.authentication, reason: 'reads request.user in process_request() at accounts/middleware.py:12' }],
  });

  test('reads request.user: moves below AuthenticationMiddleware, and says where it reads it', () => {
    const result = plan([M.security, audit, M.session, CUSTOM, M.authentication, M.messages]);
    expect(result.paths).toEqual([M.security, M.session, CUSTOM, M.authentication, 'accounts.middleware.AuditMiddleware', M.messages]);
    expect(result.moves).toHaveLength(1);
    const [reason] = result.moves[0].rules;
    expect(reason.strength).toBe('required');
    expect(reason.text).toBe(
      'accounts.middleware.AuditMiddleware must come after AuthenticationMiddleware: it reads request.user in process_request() at accounts/middleware.py:12.',
    );
  });

  test('already below AuthenticationMiddleware, or Authentication absent: nothing moves', () => {
    expect(plan([M.session, M.authentication, audit]).moves).toEqual([]);
    expect(plan([audit, M.session, M.messages]).moves).toEqual([]);
  });

  test('project middleware without requirements never moves', () => {
    const list = [M.messages, 'a.One', M.authentication, 'b.Two', M.session, M.security, 'c.Three', M.common];
    for (const order of [list, [...list].reverse()]) {
      const result = plan(order);
      const customs = (paths: string[]) => paths.filter((path) => !path.startsWith('django.'));
      expect(customs(result.paths)).toEqual(customs(order));
      expect(result.moves.map((move) => order[move.entry]).every((path) => path.startsWith('django.'))).toBe(true);
      expectValid(result);
    }
  });
});

describe('conflicts', () => {
  test('required rules that cannot all hold: reported, nothing moves', () => {
    const session = entry('app.SessionMiddleware', {
      identities: ['app.SessionMiddleware', M.session],
      inferred: [{ after: M.authentication, reason: 'reads request.user in process_request() at app.py:3' }],
    });
    const result = plan([M.messages, session, M.authentication, M.security]);
    expect(result.order).toEqual([0, 1, 2, 3]);
    expect(result.moves).toEqual([]);
    expect(result.conflicts).toHaveLength(1);
    expect(result.conflicts[0].entries).toEqual([1, 2]);
    expect(ruleIds(result.conflicts[0].rules)).toEqual(['session-before-authentication', 'inferred-after-AuthenticationMiddleware']);
    expect(result.conflicts[0].message).toMatch(/cannot all hold.*left unchanged/);
  });

  test.each([
    [[M.security, M.cors, M.whiteNoise]],
    [[M.security, M.whiteNoise, M.cors]],
  ])('CorsMiddleware and WhiteNoise both first after Security: reported, not reordered (%p)', (head) => {
    const list = [...head, M.session, M.common, M.csrf];
    const result = plan(list);
    expect(result.paths).toEqual(list);
    expect(result.violations).toEqual([]);
    expect(result.conflicts).toHaveLength(1);
    expect(ruleIds(result.conflicts[0].rules).sort()).toEqual(['cors-before-response-builders', 'whitenoise-first-after-security']);
    expect(ruleIds(result.droppedRecommendations.map((dropped) => dropped.rule)).sort()).toEqual(['cors-before-response-builders', 'whitenoise-first-after-security']);
  });

  test('the rest of a disputed recommendation still applies', () => {
    const result = plan([M.security, M.session, M.whiteNoise, M.common, M.cors]);
    expect(result.paths).toEqual([M.security, M.whiteNoise, M.cors, M.session, M.common]);
    expect(result.moves.every((move) => move.recommendedOnly)).toBe(true);
  });

  test('a recommendation against a required rule is dropped and says which rule wins', () => {
    const rules: OrderRule[] = [
      { id: 'a-before-b', kind: 'before', a: 'x.A', b: 'x.B', strength: 'required', text: 'A before B.', sources: ['test'] },
      { id: 'b-before-a', kind: 'before', a: 'x.B', b: 'x.A', strength: 'recommended', text: 'B before A.', sources: ['test'] },
    ];
    const result = planOrder(entriesOf(['x.B', 'x.A']), contextOf(), rules);
    expect(result.order).toEqual([1, 0]);
    expect(ruleIds(result.moves[0].rules)).toEqual(['a-before-b']);
    expect(result.conflicts).toEqual([]);
    expect(result.droppedRecommendations).toEqual([{ rule: rules[1], message: 'Not applied: x.B before x.A contradicts required a-before-b.' }]);
  });
});

describe('required-only mode', () => {
  test('recommendations are neither applied nor reported', () => {
    const list = [M.authentication, M.session, M.messages, M.security, M.common];
    const result = plan(list, { requiredOnly: true });
    expect(result.paths).toEqual([M.session, M.authentication, M.messages, M.security, M.common]);
    expect(result.violations.map((violation) => violation.rule.strength)).toEqual(['required']);
    expect(plan([M.security, M.cors, M.whiteNoise], { requiredOnly: true }).conflicts).toEqual([]);
  });
});

describe('realistic lists', () => {
  test('cors, whitenoise, debug toolbar and allauth, correctly ordered: nothing moves', () => {
    const list = [
      M.security, M.whiteNoise, M.cors, M.debugToolbar, M.session, M.locale, M.common, M.csrf, M.authentication, M.messages,
      M.xFrameOptions, M.allauthAccount, 'project.middleware.TimezoneMiddleware',
    ];
    const result = plan(list);
    expect(result.order).toEqual(list.map((_, index) => index));
    expect(result.violations).toEqual([]);
  });

  test('site-wide cache, gzip and fallbacks, correctly ordered: nothing moves, nothing conflicts', () => {
    const list = [
      M.updateCache, M.security, M.gzip, M.conditionalGet, M.session, M.locale, M.common, M.csrf, M.authentication, M.messages,
      M.xFrameOptions, M.flatpageFallback, M.fetchFromCache,
    ];
    const result = plan(list);
    expect(result.moves).toEqual([]);
    expect(result.violations).toEqual([]);
    expect(result.conflicts).toEqual([]);
    expect(result.droppedRecommendations).toEqual([]);
  });

  test('the debug toolbar appended at the end moves up, just below the middleware that must stay above it', () => {
    const list = [M.security, M.gzip, M.session, M.common, M.csrf, M.authentication, M.messages, M.debugToolbar];
    const result = plan(list);
    expect(result.paths).toEqual([M.security, M.gzip, M.debugToolbar, M.session, M.common, M.csrf, M.authentication, M.messages]);
    expect(result.moves).toEqual([expect.objectContaining({ entry: 7, to: 2, recommendedOnly: true })]);
    expect(result.conflicts).toEqual([]);
  });

  test.each([
    [[M.security, M.cors, M.debugToolbar]],
    [[M.debugToolbar, M.cors, M.security]],
  ])('middleware that all ask to be near the top keep the order they are written in (%p)', (head) => {
    const list = [...head, M.session, M.common, M.csrf];
    const result = plan(list);
    expect(result.moves).toEqual([]);
    expect(result.conflicts).toEqual([]);
    expect(result.droppedRecommendations).toEqual([]);
  });
});

describe('the startproject list', () => {
  const entries = entriesOf(STARTPROJECT);
  const valid = validOrders(entries);

  test('as generated: valid, nothing to do', () => {
    expect(valid).toContainEqual(STARTPROJECT);
    expect(plan(STARTPROJECT).moves).toEqual([]);
  });

  test('a scrambled list is restored with the fewest moves, each placed where the rules allow', () => {
    const scrambled = [M.messages, M.authentication, M.session, M.security, M.common, M.csrf, M.xFrameOptions];
    const result = plan(scrambled);
    expect(result.paths).toEqual([M.security, M.session, M.common, M.messages, M.authentication, M.csrf, M.xFrameOptions]);
    expect(result.moves.map((move) => [scrambled[move.entry], move.recommendedOnly])).toEqual([
      [M.session, false],
      [M.security, true],
      [M.common, true],
    ]);
    expect(plan(scrambled, { requiredOnly: true }).moves.map((move) => scrambled[move.entry])).toEqual([M.session]);
  });

  test('every one of the 5040 orders: valid result, fewest moves, deterministic', () => {
    for (const order of permutations(STARTPROJECT)) {
      const result = plan(order);
      expect(valid).toContainEqual(result.paths);
      expect(result.moves).toHaveLength(fewestMovesByBruteForce(order, valid));
      expect(result.moves).toHaveLength(order.length - keptCount(order, result.paths));
      expect(plan(order)).toEqual(result);
    }
  });
});

describe('fewest moves on random lists', () => {
  // A deterministic generator, so a failure names a reproducible list.
  let seed = 20240601;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const shuffled = <T>(items: T[]) => items.map((item) => [random(), item] as const).sort(([x], [y]) => x - y).map(([, item]) => item);
  const audit = entry('app.AuditMiddleware', { inferred: [{ after: M.authentication, reason: 'reads request.user' }] });

  test.each(Array.from({ length: 25 }, (_, round) => round))('round %i', () => {
    const list = shuffled([...shuffled(KNOWN_MIDDLEWARE.map((path) => entry(path))).slice(0, 5), audit]);
    const settings = { CSRF_USE_SESSIONS: random() < 0.5 };
    const result: OrderPlan = planOrder(list, contextOf({ settings }));
    const paths = result.order.map((index) => list[index].path);
    const valid = validOrders(list, { settings });
    expect(valid).toContainEqual(paths);
    expect(result.moves).toHaveLength(fewestMovesByBruteForce(list.map((item) => item.path), valid));
  });
});

describe('missingForInstalledApps', () => {
  const apps = ['django.contrib.admin', 'django.contrib.auth', 'django.contrib.contenttypes', 'django.contrib.sessions', 'django.contrib.messages'];

  test('nothing to say without the admin, or with all three middleware', () => {
    expect(missingForInstalledApps(entriesOf([M.security]), apps.slice(1))).toEqual([]);
    expect(missingForInstalledApps(entriesOf(STARTPROJECT), apps)).toEqual([]);
  });

  test('each missing middleware, in the order Django checks them', () => {
    expect(missingForInstalledApps(entriesOf([M.security, M.common]), apps)).toEqual([
      { check: 'admin.E408', missing: M.authentication, message: `'${M.authentication}' must be in MIDDLEWARE in order to use the admin application.` },
      { check: 'admin.E409', missing: M.messages, message: `'${M.messages}' must be in MIDDLEWARE in order to use the admin application.` },
      { check: 'admin.E410', missing: M.session, message: `'${M.session}' must be in MIDDLEWARE in order to use the admin application.` },
    ]);
  });

  test("a subclass satisfies Django's check, and the admin's AppConfig counts as the admin", () => {
    const session = entry('app.SessionMiddleware', { identities: ['app.SessionMiddleware', M.session] });
    const found = missingForInstalledApps([session, entry(M.authentication)], ['django.contrib.admin.apps.SimpleAdminConfig']);
    expect(found.map((missing) => missing.check)).toEqual(['admin.E409']);
  });
});

describe('plans are plain data', () => {
  test('the same input gives the same plan', () => {
    const list = [M.xFrameOptions, M.messages, M.cors, M.session, M.whiteNoise, M.authentication, M.security];
    expect(plan(list)).toEqual(plan(list));
    expect(JSON.parse(JSON.stringify(plan(list)))).toEqual(plan(list));
  });

  test('a violated rule keeps its identity in moves, violations and the catalogue', () => {
    const result = plan([M.authentication, M.session]);
    expect(result.violations).toEqual([{ rule: rule('session-before-authentication'), entries: [0, 1] }]);
    expect(result.moves[0].rules[0]).toBe(rule('session-before-authentication'));
  });
});
