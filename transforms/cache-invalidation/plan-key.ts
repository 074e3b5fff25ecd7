// One key built from a model instance, checked against the index: which model it is, that the key
// only reads what a receiver has (fields, pk, properties, a key helper), that the cached value is
// model data at all, and which related models' changes must delete it too.
import type { FieldInfo, ModelInfo, ProjectIndex } from '../../src/project/index';
import type { CacheFileFacts, CacheTarget, KeyFact, Slot, ValueFact } from './facts';
import { canonicalOfText, NameImport, PlannedKey, WriteRef } from './plan';
import { short } from './origins';
import { article, factsOf, HelperSource, resolveHelper, resolveModelRef, resolveOrigin } from './resolve';

type InstanceKey = Extract<KeyFact, { kind: 'instance' }>;

export interface KeyProblem {
  code: string;
  message: string;
  notFixed: string;
}

const PK_LOOKUP = /^(pk|id)(__exact)?$/;
const NOT_FOLLOWED = 'a receiver must build the key exactly as the writer does; djfix only does that when it can follow every part of the key';

const NAME_THE_MODEL = 'name the model where the instance comes from (Model.objects.get(), a parameter annotation) so a receiver can be connected to it';

export function planInstanceKey(index: ProjectIndex, module: string, facts: CacheFileFacts, key: InstanceKey, value: ValueFact | undefined, cache: CacheTarget, write: WriteRef, helpersAt: HelperSource): { keys: PlannedKey[]; issues: KeyProblem[] } {
  const issues: KeyProblem[] = [];
  const fail = (problem: KeyProblem) => ({ keys: [], issues: [...issues, problem] });
  const helpers = keyHelpers(index, module, key, helpersAt);
  if ('problem' in helpers) return fail(helpers.problem);

  const origin = resolveOrigin(index, module, facts, key.origin);
  const modelKey = origin.model ?? helpers.annotated?.model;
  if (!modelKey) return fail({ code: 'unresolved-key', message: `djfix cannot tell which model ${key.instance} is: ${origin.model === undefined ? origin.reason : ''}`, notFixed: NAME_THE_MODEL });
  const model = index.models[modelKey];
  if (!model || model.abstract) return fail({ code: 'unresolved-key', message: `${modelKey} is not a concrete model djfix knows`, notFixed: NOT_FOLLOWED });
  if (model.proxy) return fail({ code: 'unresolved-key', message: `${modelKey} is a proxy model: saves through its concrete model send signals with another sender`, notFixed: 'connect a receiver to the concrete model yourself' });
  const caveats = keyCaveats(index, model, key, helpers.slots);
  if ('problem' in caveats) return fail(caveats.problem);

  if (!value) return fail({ code: 'not-model-data', message: 'djfix cannot see the value cached under the key', notFixed: 'without the value djfix cannot tell the key holds model data' });
  if (!value.usesInstance && value.queries.length === 0) {
    return fail({
      code: 'not-model-data',
      message: `the cached value does not come from the ${model.name} (it neither reads ${key.instance} nor queries a model), so a save need not clear it`,
      notFixed: 'keys that hold counters, flags or timestamps must survive saves; add a receiver yourself if this one should not',
    });
  }

  const names = key.names.map((name) => nameImport(index, module, name));
  const alias = cache.alias ?? '';
  const instanceHow = origin.model ? origin.how : helpers.annotated!.how;
  const planned: PlannedKey[] = [];
  // A value built only from related rows does not change when the instance itself is saved: a receiver
  // on its own model would only empty the cache on every unrelated save.
  if (readsOwnData(index, module, facts, model, value)) {
    const own = renderKey(key.source, key.slots, (slot) => `instance${slot.tail}`);
    planned.push({ text: own, canonical: canonicalOfText(own), alias, model: modelKey, write, source: key.source, instanceHow, names, caveats: caveats.list });
  }
  for (const related of relatedModels(index, module, facts, model, key, value, issues)) {
    const field = index.models[related.model].fields.find((candidate) => candidate.name === related.field)!;
    const problem = relatedKeyProblem(model, key, helpers.slots, field);
    if (problem) {
      issues.push({ code: 'related', message: `the cached value comes from ${related.model} rows (${related.how}), but ${problem}`, notFixed: `delete the key from a receiver on ${related.model} yourself` });
      continue;
    }
    const text = renderKey(key.source, key.slots, () => `instance.${field.name}_id`);
    planned.push({
      text,
      canonical: canonicalOfText(text),
      alias,
      model: related.model,
      write,
      source: key.source,
      instanceHow,
      names,
      via: { keyModel: modelKey, field: field.name, how: related.how },
      caveats: [`${article(index.models[related.model].name)} moved to another ${model.name} leaves the key of its previous ${field.name} until it expires`],
    });
  }
  if (planned.length === 0 && issues.length === 0) {
    issues.push({ code: 'related', message: `the cached value reads no field of the ${model.name} itself, and djfix found no rows it comes from that it can tie to the key`, notFixed: 'decide yourself which changes should delete this key' });
  }
  return { keys: planned, issues };
}

/** The key helpers a key calls, checked: the slots their instance parameter reads, and its annotation. */
function keyHelpers(index: ProjectIndex, module: string, key: InstanceKey, helpersAt: HelperSource): { slots: Slot[]; annotated?: { model?: string; how: string } } | { problem: KeyProblem } {
  const slots: Slot[] = [];
  let annotated: { model?: string; how: string } | undefined;
  const problem = (message: string, notFixed = NOT_FOLLOWED) => ({ problem: { code: 'unresolved-key', message, notFixed } });
  for (const call of key.helpers) {
    const found = resolveHelper(index, module, call.callee, call.imported, helpersAt);
    const helper = found.helper;
    if (!helper) {
      const owner = index.modules[found.qualified.split('.').slice(0, -1).join('.')];
      const where = owner ? `defined in ${owner}, but not as one return of a key` : `${found.qualified}, not defined in the project`;
      return problem(`the key calls ${call.callee}() (${where}): djfix cannot show that a receiver would get the same result`);
    }
    const path = index.modules[found.module!];
    const at = `${call.callee}() (${path}:${helper.line})`;
    if (helper.reason) return problem(`the key helper ${at} is not one djfix can reuse: ${helper.reason}`);
    const param = typeof call.argument === 'number' ? helper.params[call.argument] : call.argument;
    if (param !== undefined && helper.instance?.param !== param) {
      // The argument was taken for an instance only because it is a variable: say what it really is.
      if (key.origin.kind === 'unknown') return problem(`djfix cannot tell which model ${key.instance} is: ${key.origin.reason}`, NAME_THE_MODEL);
      return problem(`${at} uses its argument ${param} whole, not through its attributes`);
    }
    if (param === undefined && helper.instance) return problem(`${at} expects a model instance as ${helper.instance.param}, and is given something else`);
    if (param === undefined || !helper.instance) continue;
    slots.push(...helper.instance.slots);
    if (helper.instance.annotation) {
      const model = resolveModelRef(index, found.module!, helper.instance.annotation, factsOf(index, path));
      annotated = { model, how: `${helper.instance.param}: ${helper.instance.annotation.text} in ${helper.name}()` };
    }
  }
  return { slots, annotated };
}

/** What the reviewer should know about the attributes the key reads, or why a receiver cannot read one. */
function keyCaveats(index: ProjectIndex, model: ModelInfo, key: InstanceKey, helperSlots: Slot[]): { list: string[] } | { problem: KeyProblem } {
  const list: string[] = [];
  const changing: string[] = [];
  for (const slot of [...key.slots, ...helperSlots]) {
    if (slot.attribute === undefined) continue;
    const checked = checkAttribute(model, slot);
    if (typeof checked === 'object') return { problem: { code: 'unresolved-key', message: checked.problem, notFixed: NOT_FOLLOWED } };
    const read = `${key.instance}.${slot.attribute}${slot.call ? '()' : ''}`;
    if (checked !== 'stable' && !changing.includes(read)) changing.push(read);
  }
  if (changing.length > 0) {
    const one = changing.length === 1;
    list.push(`${short(key.source)} uses ${changing.join(' and ')}: when a save changes ${one ? 'it' : 'them'}, the key built from the old ${one ? 'value' : 'values'} is not deleted (a receiver only sees the new ones)`);
  }
  const subclasses = Object.values(index.models).filter((other) => other.bases.includes(model.key) && !other.abstract);
  if (subclasses.length > 0) list.push(`saving a ${subclasses.map((other) => other.name).join(' or ')} sends post_save with that subclass as sender, which this receiver does not cover`);
  return { list };
}

/** Whether the value reads the instance's own fields: a read that is not a relation to other rows, the instance used whole, or a query for its own row. */
function readsOwnData(index: ProjectIndex, module: string, facts: CacheFileFacts, model: ModelInfo, value: ValueFact): boolean {
  const toOtherRows = new Set([...model.reverse.map((reverse) => reverse.accessor), ...model.fields.filter((field) => field.relation === 'm2m').map((field) => field.name)]);
  if (value.whole || value.reads.some((read) => !toOtherRows.has(read.attribute))) return true;
  return value.queries.some((query) => resolveModelRef(index, module, query.ref, facts) === model.key && query.lookups.length > 0 && query.lookups.every((lookup) => PK_LOOKUP.test(lookup)) && !query.untied);
}

/** The key's source with every slot replaced. */
export function renderKey(source: string, slots: Slot[], replacement: (slot: Slot) => string): string {
  let text = '';
  let at = 0;
  for (const slot of [...slots].sort((a, b) => a.start - b.start)) {
    const replaced = replacement(slot);
    text += source.slice(at, slot.start) + (slot.wrapStr ? `str(${replaced})` : replaced);
    at = slot.end;
  }
  return text + source.slice(at);
}

/** `stable` (the pk), `mutable` (a field a save can change), `computed` (a property or method), or why a receiver cannot read it. */
function checkAttribute(model: ModelInfo, slot: Slot): 'stable' | 'mutable' | 'computed' | { problem: string } {
  const name = slot.attribute!;
  const primary = model.fields.find((field) => field.primaryKey);
  if (slot.call) return model.methods.includes(name) ? 'computed' : { problem: `the key calls ${name}(), which is not a method djfix knows on ${model.name}` };
  if (name === 'pk' || slot.constant) return 'stable';
  if (name === 'id' && (!primary || primary.name === 'id')) return 'stable';
  const field = model.fields.find((candidate) => candidate.name === name);
  if (field?.relation) return { problem: `the key formats the related object ${name}; a receiver would have to fetch it (use ${name}_id)` };
  if (field) return field.primaryKey ? 'stable' : 'mutable';
  const fk = model.fields.find((candidate) => `${candidate.name}_id` === name && (candidate.relation === 'fk' || candidate.relation === 'o2o'));
  if (fk) return 'mutable';
  if (model.methods.includes(name)) return 'computed';
  return { problem: `the key reads ${name}, which is not a field or property djfix knows on ${model.name}` };
}

function nameImport(index: ProjectIndex, module: string, name: string): NameImport {
  const bound = index.bindings[module]?.[name];
  if (!bound) return { name, module, imported: name };
  const cut = bound.lastIndexOf('.');
  return cut === -1 ? { name, module: bound, imported: '' } : { name, module: bound.slice(0, cut), imported: bound.slice(cut + 1) };
}

interface Related {
  model: string;
  field: string;
  how: string;
}

/** Models with a ForeignKey to the key's model whose rows the value reads; what cannot be tied is reported. */
function relatedModels(index: ProjectIndex, module: string, facts: CacheFileFacts, model: ModelInfo, key: InstanceKey, value: ValueFact, issues: KeyProblem[]): Related[] {
  const related: Related[] = [];
  const add = (item: Related) => {
    if (!related.some((known) => known.model === item.model && known.field === item.field)) related.push(item);
  };
  const report = (message: string, notFixed: string) => {
    if (!issues.some((issue) => issue.message === message)) issues.push({ code: 'related', message, notFixed });
  };
  const manual = `djfix adds receivers only on models with a ForeignKey to ${model.name}, where the key can be rebuilt from the row; delete this key from a receiver yourself`;
  for (const read of value.reads) {
    const how = `${key.instance}.${read.attribute}`;
    const reverse = model.reverse.find((candidate) => candidate.accessor === read.attribute);
    const field = model.fields.find((candidate) => candidate.name === read.attribute && candidate.relation);
    if (reverse?.relation === 'fk' || reverse?.relation === 'o2o') add({ model: reverse.from, field: reverse.field, how });
    else if (reverse?.relation === 'm2m' || field?.relation === 'm2m') {
      report(`the cached value reads ${how}, a many-to-many relation: adding or removing items sends m2m_changed and leaves the key stale`, 'djfix does not connect m2m_changed receivers; delete this key from one yourself');
    } else if (field && read.chained) {
      report(`the cached value also reads ${field.target ?? 'a related model'} through ${how}: a change to that row leaves the key stale`, manual);
    }
  }
  for (const query of value.queries) {
    const target = resolveModelRef(index, module, query.ref, facts);
    if (!target || !index.models[target]) continue;
    const where = `${query.text}, line ${query.line}`;
    if (target === model.key) {
      if (query.lookups.length > 0 && query.lookups.every((lookup) => PK_LOOKUP.test(lookup)) && !query.untied) continue;
      report(`the cached value also reads other ${model.name} rows (${where}): a change to one of them leaves the key stale`, manual);
      continue;
    }
    const fields = [...new Set(query.lookups.map((lookup) => lookup.replace(/__exact$/, '').replace(/(__pk|__id|_id)$/, '')))];
    const ties = index.models[target].fields.filter((field) => fields.includes(field.name) && (field.relation === 'fk' || field.relation === 'o2o') && field.target === model.key);
    if (ties.length === 1 && !query.untied && fields.length === 1) add({ model: target, field: ties[0].name, how: query.text });
    else if (query.lookups.length === 0) report(`the cached value also reads ${target} rows not tied to ${key.instance} (${where}): a change to them leaves the key stale`, manual);
    else report(`the cached value reads ${target} rows through ${query.lookups.join(', ')} (${where}), not through one ForeignKey to ${model.name}`, manual);
  }
  return related;
}

/** Why a key cannot be rebuilt from a related row's ForeignKey value. */
function relatedKeyProblem(model: ModelInfo, key: InstanceKey, helperSlots: Slot[], field: FieldInfo): string | undefined {
  if (field.toField) return `${field.name} stores ${model.name}.${field.toField}, not its pk`;
  const primary = model.fields.find((candidate) => candidate.primaryKey);
  const pkLike = (slot: Slot) => slot.attribute === 'pk' || (slot.attribute === 'id' && (!primary || primary.name === 'id')) || (slot.attribute !== undefined && slot.attribute === primary?.name);
  const other = [...key.slots, ...helperSlots].find((slot) => !pkLike(slot) || slot.call);
  if (helperSlots.length > 0 || key.slots.some((slot) => slot.attribute === undefined)) return `the key is built by a helper from the whole ${model.name}, which a receiver on that model would have to fetch`;
  if (other) return `the key uses ${key.instance}.${other.attribute}, which a receiver on that model would have to fetch through ${field.name}`;
  return undefined;
}
