// How middleware-order says what it found and what it changes. Every sentence names entries by their
// class name (Django's and known third-party middleware) or their dotted path (the project's own), and
// every rule it cites is one the list breaks, with the rule's own sentence.
import type { Move, Violation } from './plan';
import type { OrderRule } from './rules';

/** What a message needs to know about the entries: how to name each one. */
export type Labels = (entry: number) => string;

export function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

export function ruleSentence(rule: OrderRule): string {
  return rule.text.replace(/\.$/, '');
}

export function distinctRules(violations: Violation[]): OrderRule[] {
  return [...new Set(violations.map((violation) => violation.rule))];
}

/** "AuthenticationMiddleware moves down, below SessionMiddleware: <why>." */
export function moveSentence(move: Move, label: Labels): string {
  const where = `${label(move.entry)} moves ${move.direction}, ${move.direction === 'up' ? 'above' : 'below'} ${label(move.anchor)}`;
  if (move.repairs.length > 0) return `${where}: ${move.repairs.map(ruleSentence).join('; ')}.`;
  const companions = [...new Set(move.keeps.map((keep) => label(keep.with)))];
  const kept = [...new Set(move.keeps.map((keep) => keep.rule))];
  return `${where}, together with ${companions.join(' and ')}: ${kept.map(ruleSentence).join('; ')}.`;
}

/**
 * Where broken pairs stand, each pair given as [the entry the rule wants first, the one above it]:
 * "CsrfViewMiddleware is above SessionMiddleware", or grouped when pairs share an entry:
 * "SessionMiddleware, CommonMiddleware and LocaleMiddleware are above DebugToolbarMiddleware".
 */
export function abovePhrase(pairs: Array<[string, string]>): string {
  const list = (names: string[]) => (names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`);
  const uppers = [...new Set(pairs.map(([, upper]) => upper))];
  const lowers = [...new Set(pairs.map(([lower]) => lower))];
  if (lowers.length === 1) return `${list(uppers)} ${uppers.length === 1 ? 'is' : 'are'} above ${lowers[0]}`;
  if (uppers.length === 1) return `${uppers[0]} is above ${list(lowers)}`;
  return pairs.map(([lower, upper]) => `${upper} is above ${lower}`).join(', ');
}

/** Each broken rule once, with the pairs that break it: "<rule sentence> (here X is above Y)." */
export function violationSentences(violations: Violation[], label: Labels): string {
  return distinctRules(violations)
    .map((rule) => {
      const pairs = violations.filter((violation) => violation.rule === rule).map((violation): [string, string] => [label(violation.before), label(violation.after)]);
      return `${ruleSentence(rule)} (here ${abovePhrase(pairs)}).`;
    })
    .join(' ');
}

/** Sources of the rules cited, in order, each once. */
export function sourcesOf(rules: OrderRule[]): string[] {
  return [...new Set(rules.flatMap((rule) => rule.sources))];
}
