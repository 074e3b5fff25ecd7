import { checkOrder, missingForInstalledApps, planOrder, type OrderPlan, type Phase, type PlanContext, type PlanEntry } from '../../transforms/middleware-order/plan';
import { KNOWN_MIDDLEWARE, MIDDLEWARE as M, MIDDLEWARE_GROUPS, MIDDLEWARE_RULES, type OrderRule } from '../../transforms/middleware-order/rules';

const CUSTOM = 'app.middleware.CustomMiddleware';
/** A known middleware no rule is about: the bystander in position-rule examples. */
const BYSTANDER = M.currentSite;
const STARTPROJECT = [M.security, M.session, M.common, M.csrf, M.authentication, M.messages, M.xFrameOptions];
const CSRF_USE_SESSIONS = (value: boolean | 'unknown'): PlanContext['settings'] => ({ CSRF_USE_SESSIONS: value === 'unknown' ? { known: false } : { known: true, value } });

const entry = (path: string, more: Partial<PlanEntry> = {}): PlanEntry => ({ path, identities: [path], ...more });
const entriesOf = (list: Array<string | PlanEntry>) => list.map((item) => (typeof item === 'string' ? entry(item) : item));
const contextOf = (overrides: Partial<PlanContext> = {}): PlanContext => ({ settings: {}, django: null, ...overrides });

/** One phase on a list. */
function plan(list: Array<string | PlanEntry>, phase: Phase, overrides: Partial<PlanContext> = {}, rules?: OrderRule[]) {
  const entries = entriesOf(list);
  const result = planOrder(entries, contextOf(overrides), phase, rules);
  return { ...result, paths: result.order.map((index) => entries[index].path), moved: result.moves.map((move) => entries[move.entry].path) };
}

/** What the transform does: the required fix, then the recommendations on the list it leaves. */
function bothPhases(list: Array<string | PlanEntry>, overrides: Partial<PlanContext> = {}) {
  const required = plan(list, 'required', overrides);
  const fixed = required.order.map((index) => entriesOf(list)[index]);
  const recommended = plan(fixed, 'recommended', overrides);
  return { required, recommended, paths: recommended.paths };
}

const ruleIds = (rules: OrderRule[]) => rules.map((rule) => rule.id);
const rule = (id: string) => MIDDLEWARE_RULES.find((candidate) => candidate.id === id)!;

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, index) => permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]));
}

/** The subsequences of `order` (by index masks over it), longest first. */
function subsequences(order: string[]): string[][] {
  const masks = Array.from({ length: 2 ** order.length }, (_, mask) => mask);
  const size = (mask: number) => order.filter((_, index) => mask & (2 ** index)).length;
  return masks.sort((x, y) => size(y) - size(x)).map((mask) => order.filter((_, index) => mask & (2 ** index)));
}

/**
 * The fewest moves from an order to any of `valid`, by brute force: the entries that stay are the
 * longest subsequence of the order that some valid order also has, in the same order.
 */
class FewestMoves {
  private readonly kept = new Set<string>();
  readonly orders: Set<string>;

  constructor(valid: string[][]) {
    this.orders = new Set(valid.map((order) => order.join('|')));
    for (const order of valid) for (const part of subsequences(order)) this.kept.add(part.join('|'));
  }

  from(order: string[]): number {
    return order.length - subsequences(order).find((part) => this.kept.has(part.join('|')))!.length;
  }
}

/** Orders the planner finds nothing to fix in: no required violation, and (for `recommended`) none of that phase either. */
function validOrders(list: PlanEntry[], phase: Phase, overrides: Partial<PlanContext> = {}): string[][] {
  return permutations(list)
    .filter((candidate) => planOrder(candidate, contextOf(overrides), 'required').violations.length === 0)
    .filter((candidate) => phase === 'required' || planOrder(candidate, contextOf(overrides), 'recommended').violations.length === 0)
    .map((candidate) => candidate.map((item) => item.path));
}


/**
 * What every move the planner explains must be: a real move of that entry past the anchor, which
 * stays put; and each rule it cites one the original order broke between this entry and another and
 * the new order repairs. An entry that repairs nothing itself says which rule it keeps, with whom.
 */
function expectHonestMoves(list: PlanEntry[], result: OrderPlan) {
  const position = (order: number[], index: number) => order.indexOf(index);
  const identity = list.map((_, index) => index);
  const movedSet = new Set(result.moves.map((move) => move.entry));
  for (const move of result.moves) {
    expect(movedSet.has(move.anchor)).toBe(false);
    const wasAbove = position(identity, move.entry) < position(identity, move.anchor);
    const isAbove = position(result.order, move.entry) < position(result.order, move.anchor);
    expect([wasAbove, isAbove]).toEqual(move.direction === 'up' ? [false, true] : [true, false]);
    for (const repaired of move.repairs) {
      const pairs = result.violations.filter((violation) => violation.rule === repaired && (violation.before === move.entry || violation.after === move.entry));
      expect(pairs.length).toBeGreaterThan(0);
      for (const pair of pairs) expect(position(result.order, pair.before)).toBeLessThan(position(result.order, pair.after));
    }
    if (move.repairs.length === 0) expect(move.keeps.length).toBeGreaterThan(0);
  }
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

  test('every group is used by a rule', () => {
    const used = new Set(MIDDLEWARE_RULES.flatMap((candidate) => [candidate.a, candidate.b]));
    for (const group of Object.keys(MIDDLEWARE_GROUPS)) expect(used).toContain(group);
  });

  test('no recommendation asks for the opposite of a required or conditional rule', () => {
    // Over all known middleware in both orders of each pair: whatever a recommendation wants, the
    // required and conditional rules (with their settings held) never want the reverse.
    const settings = CSRF_USE_SESSIONS(true);
    for (const [a, b] of KNOWN_MIDDLEWARE.flatMap((x, i) => KNOWN_MIDDLEWARE.slice(i + 1).map((y) => [x, y]))) {
      for (const pair of [[a, b], [b, a]]) {
        const required = checkOrder(entriesOf(pair), contextOf({ settings })).required;
        const recommended = checkOrder(entriesOf([...pair].reverse()), contextOf({ settings })).recommended;
        if (required.length > 0) expect(recommended).toEqual([]);
      }
    }
  });
});

describe('the seed list', () => {
  const seed = [M.security, CUSTOM, M.common];

  test.each<Phase>(['required', 'recommended'])('Security, custom, Common is already valid (%s)', (phase) => {
    const result = plan(seed, phase);
    expect(result.order).toEqual([0, 1, 2]);
    expect(result.violations).toEqual([]);
    expect(result.moves).toEqual([]);
  });

  test('Common written above Security: nothing required; Security moves up as a recommendation', () => {
    const list = [M.common, M.session, M.security];
    expect(plan(list, 'required').moves).toEqual([]);
    const result = plan(list, 'recommended');
    expect(result.paths).toEqual([M.security, M.common, M.session]);
    expect(result.moves).toEqual([expect.objectContaining({ entry: 2, direction: 'up', anchor: 0 })]);
    expect(ruleIds(result.moves[0].repairs)).toEqual(['security-near-top']);
  });

  test('a recommendation never moves an entry past project middleware: it is left unmet instead', () => {
    const result = plan([M.common, CUSTOM, M.security], 'recommended');
    expect(result.moves).toEqual([]);
    expect(result.unmet).toEqual([{ rule: rule('security-near-top'), before: 2, after: 0 }]);
  });

  test('no order of Django middleware alone ends with Common above Security', () => {
    for (const order of permutations([M.security, M.common, M.session, M.locale, M.csrf])) {
      const paths = bothPhases(order).paths;
      expect(paths.indexOf(M.security)).toBeLessThan(paths.indexOf(M.common));
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
  const settingsFor = (subject: OrderRule) => (subject.when ? { [subject.when.setting]: { known: true as const, value: subject.when.equals } } : {});

  test.each(MIDDLEWARE_RULES.map((subject) => [subject.id, subject] as const))('%s', (_, subject) => {
    const { satisfied, violated } = examples(subject);
    const settings = settingsFor(subject);
    const phase: Phase = subject.strength === 'recommended' ? 'recommended' : 'required';

    const kept = plan(satisfied, phase, { settings });
    expect(kept.moves).toEqual([]);
    expect(kept.violations).toEqual([]);

    const fixed = plan(violated, phase, { settings });
    expect(fixed.paths).toEqual(satisfied);
    expect(fixed.moves).toHaveLength(1);
    expect(ruleIds(fixed.moves[0].repairs)).toContain(subject.id);
    expect(ruleIds(fixed.violations.map((violation) => violation.rule))).toContain(subject.id);
    expectHonestMoves(entriesOf(violated), fixed);

    // A recommendation is never part of the required fix; a required rule is never left to the recommendations.
    if (subject.strength === 'recommended') expect(plan(violated, 'required', { settings }).moves).toEqual([]);
    else expect(plan(violated, 'recommended', { settings }).moves).toEqual([]);
    if (subject.when) {
      expect(plan(violated, phase).moves).toEqual([]);
      const uncertain = plan(violated, phase, { settings: { [subject.when.setting]: { known: false } } });
      expect(uncertain.moves).toEqual([]);
      expect(ruleIds(uncertain.possible.map((violation) => violation.rule))).toContain(subject.id);
    }
    if (subject.minDjango) {
      const [major, minor] = subject.minDjango;
      const previous: [number, number] = minor > 0 ? [major, minor - 1] : [major - 1, 2];
      expect(plan(violated, phase, { settings, django: previous }).moves).toEqual([]);
      expect(plan(violated, phase, { settings, django: [major, minor] }).moves).toHaveLength(1);
    }
  });

  test('a position rule over one pair: one move, the earlier line (as a line diff shows it)', () => {
    const result = plan([M.session, M.flatpageFallback, M.authentication], 'recommended');
    expect(result.paths).toEqual([M.session, M.authentication, M.flatpageFallback]);
    expect(result.moved).toEqual([M.flatpageFallback]);
  });

  test('rules about middleware that is not in the list do nothing', () => {
    expect(bothPhases([M.authentication, CUSTOM, M.messages]).paths).toEqual([M.authentication, CUSTOM, M.messages]);
  });
});

describe('ConditionalGet and Common', () => {
  test('Common above ConditionalGet is fixed as a required rule', () => {
    const result = plan([M.security, M.session, M.common, M.conditionalGet, M.csrf], 'required');
    expect(result.paths).toEqual([M.security, M.session, M.conditionalGet, M.common, M.csrf]);
    expect(result.moves).toHaveLength(1);
    expect(ruleIds(result.moves[0].repairs)).toEqual(['conditional-get-before-common']);
  });

  test('no plan ever puts Common above ConditionalGet (a 304 would carry Content-Length: 0)', () => {
    for (const order of permutations([M.security, M.session, M.csrf, M.conditionalGet, M.common, M.authentication])) {
      const paths = bothPhases(order).paths;
      expect(paths.indexOf(M.conditionalGet)).toBeLessThan(paths.indexOf(M.common));
    }
  });

  test('the trial list that Common used to be moved in is left alone', () => {
    const list = [M.security, M.session, M.csrf, M.conditionalGet, M.common];
    expect(bothPhases(list).paths).toEqual(list);
  });
});

describe('moves are explained by what they repair', () => {
  test('an entry already in order with another never cites their rule', () => {
    // Locale was above Common before; only ConditionalGet below Flatpage is broken.
    const list = [M.messages, M.flatpageFallback, M.conditionalGet, M.common];
    const result = plan(list, 'required');
    expect(result.moves).toHaveLength(1);
    expect(ruleIds(result.moves[0].repairs)).toEqual(['conditional-get-before-response-changes']);
    expectHonestMoves(entriesOf(list), result);
  });

  test('an entry that moves only to keep its order with another moving entry says so', () => {
    // The toolbar moves up for its recommendation; ConditionalGet broke nothing, but must stay above it.
    const list = [M.locale, M.messages, M.conditionalGet, M.allauthAccount, M.htmx, M.debugToolbar, M.flatpageFallback];
    const result = plan(list, 'recommended');
    expect(result.paths).toEqual([M.conditionalGet, M.debugToolbar, M.locale, M.messages, M.allauthAccount, M.htmx, M.flatpageFallback]);
    const conditionalGet = result.moves.find((move) => list[move.entry] === M.conditionalGet)!;
    expect(conditionalGet.repairs).toEqual([]);
    expect(conditionalGet.keeps).toEqual([{ rule: rule('conditional-get-before-response-changes'), with: list.indexOf(M.debugToolbar) }]);
    expectHonestMoves(entriesOf(list), result);
  });

  test.each(Array.from({ length: 30 }, (_, round) => round))('random list %i: every explained move is real and cites only repaired rules', (round) => {
    let seed = 7919 * (round + 1);
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const list = entriesOf(KNOWN_MIDDLEWARE.map((path) => [random(), path] as const).sort(([x], [y]) => x - y).slice(0, 7).map(([, path]) => path));
    const settings = CSRF_USE_SESSIONS(random() < 0.5);
    const required = planOrder(list, contextOf({ settings }), 'required');
    expectHonestMoves(list, required);
    const fixed = required.order.map((index) => list[index]);
    expectHonestMoves(fixed, planOrder(fixed, contextOf({ settings }), 'recommended'));
  });
});

describe('CSRF_USE_SESSIONS', () => {
  const list = [M.security, M.common, M.csrf, M.session];

  test('True: Session moves above Common and Csrf, and both rules say why', () => {
    const result = plan(list, 'required', { settings: CSRF_USE_SESSIONS(true) });
    expect(result.paths).toEqual([M.security, M.session, M.common, M.csrf]);
    expect(result.moves).toHaveLength(1);
    expect(ruleIds(result.moves[0].repairs)).toEqual(['session-before-csrf-with-csrf-use-sessions', 'session-before-common-with-csrf-use-sessions']);
  });

  test.each([[CSRF_USE_SESSIONS(false)], [{}]])('False or not set (%p): no Session rule applies', (settings) => {
    const result = plan(list, 'required', { settings });
    expect(result.moves).toEqual([]);
    expect(result.violations).toEqual([]);
    expect(result.possible).toEqual([]);
  });

  test('1 counts as True, as it does for Django', () => {
    expect(plan(list, 'required', { settings: { CSRF_USE_SESSIONS: { known: true, value: 1 } } }).moves).toHaveLength(1);
  });

  test('not certain: nothing moves for the rule, and the pairs it would break are possible violations', () => {
    const result = plan(list, 'required', { settings: CSRF_USE_SESSIONS('unknown') });
    expect(result.moves).toEqual([]);
    expect(result.violations).toEqual([]);
    expect(result.possible.map((violation) => [violation.rule.id, list[violation.before], list[violation.after]])).toEqual([
      ['session-before-csrf-with-csrf-use-sessions', M.session, M.csrf],
      ['session-before-common-with-csrf-use-sessions', M.session, M.common],
    ]);
  });

  test('not certain: no move breaks the rule where the list follows it', () => {
    // Session above Common follows the rule. Moving Session below UpdateCache would be as cheap as
    // moving UpdateCache up, but would put Session below Common.
    const cached = [M.session, M.common, M.updateCache];
    expect(plan(cached, 'required', { settings: CSRF_USE_SESSIONS(false) }).paths).toEqual([M.common, M.updateCache, M.session]);
    const result = plan(cached, 'required', { settings: CSRF_USE_SESSIONS('unknown') });
    expect(result.paths).toEqual([M.updateCache, M.session, M.common]);
    for (const order of permutations([M.session, M.common, M.csrf, M.updateCache, M.authentication])) {
      const paths = bothPhases(order, { settings: CSRF_USE_SESSIONS('unknown') }).paths;
      for (const other of [M.common, M.csrf]) {
        if (order.indexOf(M.session) < order.indexOf(other)) expect(paths.indexOf(M.session)).toBeLessThan(paths.indexOf(other));
      }
    }
  });
});

describe('subclasses carry the rules of their base', () => {
  const netboxCommon = entry('netbox.middleware.CommonMiddleware', { identities: ['netbox.middleware.CommonMiddleware', M.common] });

  test('a CommonMiddleware subclass above LocaleMiddleware', () => {
    const result = plan([M.security, M.session, netboxCommon, M.locale, M.csrf], 'required');
    expect(result.paths).toEqual([M.security, M.session, M.locale, 'netbox.middleware.CommonMiddleware', M.csrf]);
    expect(ruleIds(result.moves[0].repairs)).toEqual(['locale-before-common']);
  });

  test('a SessionMiddleware subclass below AuthenticationMiddleware', () => {
    const session = entry('app.sessions.SignedSessionMiddleware', { identities: ['app.sessions.SignedSessionMiddleware', M.session] });
    const result = plan([M.security, M.authentication, session], 'required');
    expect(result.paths).toEqual([M.security, 'app.sessions.SignedSessionMiddleware', M.authentication]);
  });
});

describe('requirements inferred for project middleware', () => {
  const audit = entry('accounts.middleware.AuditMiddleware', {
    inferred: [{ after: M.authentication, reason: 'reads request.user in process_request() at accounts/middleware.py:12' }],
  });

  test('reads request.user: moves below AuthenticationMiddleware, and says where it reads it', () => {
    const result = plan([M.security, audit, M.session, CUSTOM, M.authentication, M.messages], 'required');
    expect(result.paths).toEqual([M.security, M.session, CUSTOM, M.authentication, 'accounts.middleware.AuditMiddleware', M.messages]);
    expect(result.moves).toHaveLength(1);
    const [reason] = result.moves[0].repairs;
    expect(reason.strength).toBe('required');
    expect(reason.text).toBe(
      'accounts.middleware.AuditMiddleware must come after AuthenticationMiddleware: it reads request.user in process_request() at accounts/middleware.py:12.',
    );
  });

  test('already below AuthenticationMiddleware, or Authentication absent: nothing moves', () => {
    expect(plan([M.session, M.authentication, audit], 'required').moves).toEqual([]);
    expect(plan([audit, M.session, M.messages], 'required').moves).toEqual([]);
  });

  test('project middleware without requirements never moves', () => {
    const list = [M.messages, 'a.One', M.authentication, 'b.Two', M.session, M.security, 'c.Three', M.common];
    for (const order of [list, [...list].reverse()]) {
      const result = bothPhases(order);
      const customs = (paths: string[]) => paths.filter((path) => !path.startsWith('django.'));
      expect(customs(result.paths)).toEqual(customs(order));
      expect([...result.required.moved, ...result.recommended.moved].every((path) => path.startsWith('django.'))).toBe(true);
    }
  });
});

describe('recommendations never move anything past middleware djfix does not know', () => {
  test('a language activator between Locale and Common keeps its place', () => {
    // A recommendation that Common come before Authentication would, without the fence, move Locale
    // and Common above Authentication and leave the activator below Common.
    const rules: OrderRule[] = [
      ...MIDDLEWARE_RULES,
      { id: 'common-above-authentication', kind: 'before', a: M.common, b: M.authentication, strength: 'recommended', text: 'Common above Authentication.', sources: ['test'] },
    ];
    const list = [M.security, M.session, M.authentication, M.locale, 'app.middleware.UserLanguageMiddleware', M.common, M.csrf];
    const result = plan(list, 'recommended', {}, rules);
    expect(result.paths).toEqual(list);
    expect(ruleIds(result.unmet.map((violation) => violation.rule))).toEqual(['common-above-authentication']);
  });

  test('a health check above Security is never moved below its HTTPS redirect', () => {
    const list = [M.session, 'app.health.HealthCheckMiddleware', M.security, M.common];
    for (const order of permutations(list)) {
      const paths = bothPhases(order).paths;
      const before = order.indexOf('app.health.HealthCheckMiddleware') < order.indexOf(M.security);
      expect(paths.indexOf('app.health.HealthCheckMiddleware') < paths.indexOf(M.security)).toBe(before);
    }
  });

  test('required fixes do move past project middleware when they must', () => {
    const result = plan([M.authentication, CUSTOM, M.session], 'required');
    expect(result.paths).toEqual([CUSTOM, M.session, M.authentication]);
  });
});

describe('conflicts and disputes', () => {
  test('required rules that cannot all hold: reported, nothing moves', () => {
    const session = entry('app.SessionMiddleware', {
      identities: ['app.SessionMiddleware', M.session],
      inferred: [{ after: M.authentication, reason: 'reads request.user in process_request() at app.py:3' }],
    });
    const result = plan([M.messages, session, M.authentication, M.security], 'required');
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
  ])('CorsMiddleware and WhiteNoise both first after Security: left as written, nothing to report (%p)', (head) => {
    const list = [...head, M.session, M.common, M.csrf];
    const result = bothPhases(list);
    expect(result.paths).toEqual(list);
    expect(result.recommended.violations).toEqual([]);
    expect(result.recommended.conflicts).toEqual([]);
  });

  test('the rest of a disputed recommendation still applies', () => {
    // WhiteNoise still goes first after Security, and Cors above Common: only their mutual order is left open.
    const result = plan([M.security, M.session, M.whiteNoise, M.common, M.cors], 'recommended');
    expect(result.paths).toEqual([M.security, M.whiteNoise, M.session, M.cors, M.common]);
  });

  test('a recommendation against a required rule is not applied, and not reported as unmet', () => {
    const rules: OrderRule[] = [
      { id: 'a-before-b', kind: 'before', a: 'x.A', b: 'x.B', strength: 'required', text: 'A before B.', sources: ['test'] },
      { id: 'b-before-a', kind: 'before', a: 'x.B', b: 'x.A', strength: 'recommended', text: 'B before A.', sources: ['test'] },
    ];
    const required = plan(['x.B', 'x.A'], 'required', {}, rules);
    expect(required.paths).toEqual(['x.A', 'x.B']);
    expect(ruleIds(required.moves[0].repairs)).toEqual(['a-before-b']);
    const recommended = plan(['x.A', 'x.B'], 'recommended', {}, rules);
    expect([recommended.moves, recommended.violations, recommended.unmet]).toEqual([[], [], []]);
  });

  test('the recommended phase plans nothing on a list that breaks a required rule', () => {
    expect(plan([M.authentication, M.session, M.common, M.security], 'recommended').moves).toEqual([]);
  });
});

describe('realistic lists', () => {
  test('cors, whitenoise, debug toolbar and allauth, correctly ordered: nothing moves', () => {
    const list = [
      M.security, M.whiteNoise, M.cors, M.debugToolbar, M.session, M.locale, M.common, M.csrf, M.authentication, M.messages,
      M.xFrameOptions, M.allauthAccount, 'project.middleware.TimezoneMiddleware',
    ];
    expect(bothPhases(list).paths).toEqual(list);
  });

  test('the canonical django-cors-headers setup (Cors right above Common) is left alone', () => {
    const list = [M.security, M.session, M.cors, M.common, M.csrf, M.authentication, M.messages, M.xFrameOptions];
    expect(bothPhases(list).paths).toEqual(list);
  });

  test('Authentication above Locale and Common (no rule orders them) is left alone', () => {
    const list = [M.security, M.session, M.authentication, M.locale, M.common, M.csrf, M.messages];
    expect(bothPhases(list).paths).toEqual(list);
  });

  test('site-wide cache, gzip and fallbacks, correctly ordered: nothing moves, nothing conflicts', () => {
    const list = [
      M.updateCache, M.security, M.gzip, M.conditionalGet, M.session, M.locale, M.common, M.csrf, M.authentication, M.messages,
      M.xFrameOptions, M.flatpageFallback, M.fetchFromCache,
    ];
    const result = bothPhases(list);
    expect(result.paths).toEqual(list);
    expect([...result.required.conflicts, ...result.recommended.conflicts]).toEqual([]);
  });

  test('the debug toolbar appended at the end moves up, just below the middleware that must stay above it', () => {
    const list = [M.security, M.gzip, M.session, M.common, M.csrf, M.authentication, M.messages, M.debugToolbar];
    const result = plan(list, 'recommended');
    expect(result.paths).toEqual([M.security, M.gzip, M.debugToolbar, M.session, M.common, M.csrf, M.authentication, M.messages]);
    expect(result.moves).toEqual([expect.objectContaining({ entry: 7, direction: 'up', anchor: 2 })]);
  });

  test.each([
    [[M.security, M.debugToolbar]],
    [[M.debugToolbar, M.security]],
  ])('middleware that all ask to be near the top keep the order they are written in (%p)', (head) => {
    const list = [...head, M.session, M.common, M.csrf];
    expect(bothPhases(list).paths).toEqual(list);
  });
});

describe('the startproject list', () => {
  const entries = entriesOf(STARTPROJECT);
  const requiredValid = validOrders(entries, 'required');
  const allValid = validOrders(entries, 'recommended');

  test('as generated: valid, nothing to do', () => {
    expect(allValid).toContainEqual(STARTPROJECT);
    expect(bothPhases(STARTPROJECT).paths).toEqual(STARTPROJECT);
  });

  test('a scrambled list: the required fix first, then the recommendations', () => {
    const scrambled = [M.messages, M.authentication, M.session, M.security, M.common, M.csrf, M.xFrameOptions];
    const result = bothPhases(scrambled);
    expect(result.required.moved).toEqual([M.session]);
    expect(result.required.paths).toEqual([M.session, M.messages, M.authentication, M.security, M.common, M.csrf, M.xFrameOptions]);
    expect(result.recommended.moved).toEqual([M.security]);
    expect(result.paths).toEqual([M.security, M.session, M.messages, M.authentication, M.common, M.csrf, M.xFrameOptions]);
  });

  test('every one of the 5040 orders: valid result, fewest moves in each phase, deterministic', () => {
    const required = new FewestMoves(requiredValid);
    const all = new FewestMoves(allValid);
    for (const order of permutations(STARTPROJECT)) {
      const result = bothPhases(order);
      expect(required.orders.has(result.required.paths.join('|'))).toBe(true);
      expect(result.required.moves).toHaveLength(required.from(order));
      expect(all.orders.has(result.paths.join('|'))).toBe(true);
      expect(result.recommended.moves).toHaveLength(all.from(result.required.paths));
      expect(bothPhases(order)).toEqual(result);
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
    const settings = CSRF_USE_SESSIONS(random() < 0.5);
    const required = planOrder(list, contextOf({ settings }), 'required');
    const paths = required.order.map((index) => list[index].path);
    const valid = new FewestMoves(validOrders(list, 'required', { settings }));
    expect(valid.orders.has(paths.join('|'))).toBe(true);
    expect(required.moves).toHaveLength(valid.from(list.map((item) => item.path)));
  });
});

describe('checkOrder, for lists djfix reports on', () => {
  test('required, recommended and possible violations, each pair once', () => {
    const list = entriesOf([M.authentication, M.csrf, M.session, M.security]);
    const found = checkOrder(list, contextOf({ settings: CSRF_USE_SESSIONS('unknown') }));
    expect(found.required.map((violation) => violation.rule.id)).toEqual(['session-before-authentication']);
    expect(found.recommended.map((violation) => violation.rule.id)).toEqual(['security-near-top', 'security-near-top', 'security-near-top']);
    expect(found.possible.map((violation) => violation.rule.id)).toEqual(['session-before-csrf-with-csrf-use-sessions']);
  });

  test('disputed recommendations are not reported', () => {
    expect(checkOrder(entriesOf([M.security, M.whiteNoise, M.cors, M.common]), contextOf()).recommended).toEqual([]);
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
    expect(bothPhases(list)).toEqual(bothPhases(list));
    expect(JSON.parse(JSON.stringify(plan(list, 'required')))).toEqual(plan(list, 'required'));
  });

  test('a violated rule keeps its identity in moves, violations and the catalogue', () => {
    const result = plan([M.authentication, M.session], 'required');
    expect(result.violations).toEqual([{ rule: rule('session-before-authentication'), before: 1, after: 0 }]);
    expect(result.moves[0].repairs[0]).toBe(rule('session-before-authentication'));
  });
});
