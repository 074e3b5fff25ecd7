// In words, the conditional branches under which a problem found in some variants of MIDDLEWARE
// occurs: the fewest branches that, wherever djfix can see the entries involved, always give the
// problem ("when `if DEBUG:` (line 12) is true"); "" when it occurs whatever the branches.
import type { Assumption, Variant } from './effective';

/** Past this many alternatives a condition is summarised instead of spelled out. */
const MAX_ALTERNATIVES = 3;

/**
 * `occurring`: the variants that have the problem. `visible`: the variants where djfix can tell
 * whether it has it (those whose list it can read, at least around the entries involved); it
 * includes `occurring`.
 */
export function conditionOf(occurring: Variant[], visible: Variant[]): string {
  const holdsUnder = (condition: Assumption[]) => visible.filter((variant) => compatible(variant, condition)).every((variant) => occurring.includes(variant));
  let condition = occurring[0].assumptions.filter((assumption) => occurring.every((variant) => variant.assumptions.some((other) => same(assumption, other))));
  if (!holdsUnder(condition)) return alternatives(occurring, visible.length);
  for (const assumption of [...condition]) {
    const without = condition.filter((other) => other !== assumption);
    if (holdsUnder(without)) condition = without;
  }
  return condition.length === 0 ? '' : `when ${condition.map((assumption) => assumption.text).join(' and ')}`;
}

function alternatives(occurring: Variant[], total: number): string {
  if (occurring.length > MAX_ALTERNATIVES) return `in ${occurring.length} of the ${total} combinations of conditional blocks djfix followed`;
  return `when ${occurring.map((variant) => variant.assumptions.map((assumption) => assumption.text).join(' and ')).join(', or when ')}`;
}

/** A variant can hold under a condition unless it takes another branch at one of the condition's branch points. */
function compatible(variant: Variant, condition: Assumption[]): boolean {
  return condition.every((wanted) => !variant.assumptions.some((taken) => taken.file === wanted.file && taken.point === wanted.point && taken.text !== wanted.text));
}

function same(a: Assumption, b: Assumption): boolean {
  return a.file === b.file && a.point === b.point && a.text === b.text;
}
