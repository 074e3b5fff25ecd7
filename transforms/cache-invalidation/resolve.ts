// Resolving what collect.ts wrote down as names against the project index: classes to models,
// instance origins to models, key helpers to their definitions.
import { resolveImportModule } from '../../src/project/modules';
import { resolveClass, settingLiteral } from '../../src/project/index';
import type { ModelInfo, ProjectIndex } from '../../src/project/index';
import type { CacheFileFacts, ClassRef, HelperFact, OriginFact } from './facts';
import { ownValue } from '../../src/records';

export const ID = 'cache-invalidation';

export function article(noun: string): string {
  return `${/^[AEIOU]/i.test(noun) ? 'an' : 'a'} ${noun}`;
}

export function factsOf(index: ProjectIndex, path: string): CacheFileFacts | undefined {
  return index.extra[ID]?.[path] as CacheFileFacts | undefined;
}

/** The model key of AUTH_USER_MODEL (`auth.User` unless the settings say otherwise). */
export function userModel(index: ProjectIndex): string {
  const configured = settingLiteral(index, 'AUTH_USER_MODEL');
  return configured?.kind === 'str' ? modelByLabel(index, configured.value) ?? configured.value : 'auth.User';
}

/** `app_label.Model`, the model name case-insensitive as Django's registry reads it. */
export function modelByLabel(index: ProjectIndex, label: string): string | undefined {
  if (index.models[label]) return label;
  const lower = label.toLowerCase();
  return Object.keys(index.models).find((key) => key.toLowerCase() === lower);
}

/** A qualified name in `module` for a name as written there. */
function qualifiedName(index: ProjectIndex, module: string, text: string, imported?: ClassRef['imported']): string {
  const [head, ...rest] = text.split('.');
  if (imported) {
    const entry = index.files[index.modules[module] ?? ''];
    const target = resolveImportModule(imported, module, entry?.isPackage ?? false);
    const base = imported.name ? `${target}.${imported.name}` : target;
    return [base, ...rest].join('.');
  }
  const bound = index.bindings[module]?.[head];
  return bound ? [bound, ...rest].join('.') : `${module}.${text}`;
}

/** The model a class reference in `module` names; undefined when it is not a model the index knows. */
export function resolveModelRef(index: ProjectIndex, module: string, ref: ClassRef, facts?: CacheFileFacts, depth = 0): string | undefined {
  if (depth > 3) return undefined;
  const text = ref.text;
  if (text.startsWith('"')) {
    // A lazy reference: `"app_label.Model"`, or a model name as a string (a forward reference).
    const label = JSON.parse(text) as string;
    return /^\w+\.\w+$/.test(label) ? modelByLabel(index, label) : resolveModelRef(index, module, { text: label }, facts, depth + 1);
  }
  if (text === 'get_user_model()' || /(^|\.)AUTH_USER_MODEL$/.test(text)) return userModel(index);
  const alias = !ref.imported && !text.includes('.') ? ownValue(facts?.classAliases, text) : undefined;
  if (alias) return resolveModelRef(index, module, alias, facts, depth + 1);
  return index.modelClasses[resolveClass(index, qualifiedName(index, module, text, ref.imported))];
}

/** Managers a model can be queried through. */
function hasManager(model: ModelInfo, manager: string | undefined): boolean {
  return manager === undefined || manager === '_default_manager' || manager === '_base_manager' || model.managers.includes(manager);
}

export type Resolved = { model: string; how: string } | { model?: undefined; reason: string };

/** The model an instance origin leads to. */
export function resolveOrigin(index: ProjectIndex, module: string, facts: CacheFileFacts | undefined, origin: OriginFact, depth = 0): Resolved {
  switch (origin.kind) {
    case 'unknown':
      return { reason: origin.reason };
    case 'user':
      return { model: userModel(index), how: `${origin.how}, the AUTH_USER_MODEL` };
    case 'self': {
      const model = index.modelClasses[`${module}.${origin.className}`];
      return model ? { model, how: `self in ${article(origin.className)} method` } : { reason: `self is ${article(origin.className)}, which is not a model djfix knows` };
    }
    case 'class': {
      const model = resolveModelRef(index, module, origin.ref, facts);
      if (!model || !index.models[model]) return { reason: `${origin.ref.text} in ${origin.how} is not a model djfix knows` };
      if (!hasManager(index.models[model], origin.manager)) return { reason: `${origin.how}: ${origin.manager} is not a manager of ${model}` };
      return { model, how: origin.how };
    }
    case 'accessor': {
      if (depth > 4) return { reason: `djfix stops following ${origin.how}` };
      const base = resolveOrigin(index, module, facts, origin.base, depth + 1);
      if (!base.model) return base;
      const related = relatedThrough(index, base.model, origin.attribute);
      return related ? { model: related, how: origin.how } : { reason: `${origin.how}: ${origin.attribute} is not a relation of ${base.model} djfix knows` };
    }
  }
}

/** The model `instance.attribute` leads to: a reverse accessor or a many-to-many field. */
export function relatedThrough(index: ProjectIndex, model: string, attribute: string): string | undefined {
  const info = index.models[model];
  const reverse = info?.reverse.find((candidate) => candidate.accessor === attribute);
  if (reverse) return reverse.from;
  const field = info?.fields.find((candidate) => candidate.name === attribute && candidate.relation === 'm2m');
  return field?.target;
}

/** The key helpers of a project file. */
export type HelperSource = (path: string) => HelperFact[];

/** A key helper called in `module` as `callee`, followed through re-exports. */
export function resolveHelper(index: ProjectIndex, module: string, callee: string, imported: ClassRef['imported'], helpersAt: HelperSource): { helper?: HelperFact; module?: string; qualified: string } {
  let qualified = qualifiedName(index, module, callee, imported);
  for (let step = 0; step < 4; step++) {
    const cut = qualified.lastIndexOf('.');
    const owner = qualified.slice(0, cut);
    const name = qualified.slice(cut + 1);
    const path = index.modules[owner];
    if (!path) return { qualified };
    const helper = helpersAt(path).find((candidate) => candidate.name === name);
    if (helper) return { helper, module: owner, qualified };
    const reexported = index.bindings[owner]?.[name];
    if (!reexported || reexported === qualified) return { qualified };
    qualified = reexported;
  }
  return { qualified };
}
