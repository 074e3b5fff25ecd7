// The receivers djfix writes, in the house style of the file they go into: one per model, connected to
// post_save and post_delete with a dispatch_uid, building every key now (after a delete, instance.pk
// is None by the time the transaction commits) and deleting them in on_commit, in the writer's cache.
import { applyEdits } from '../../src/edits';
import { addImport, ImportSpec } from '../../src/imports';
import type { TextEdit } from '../../src/model';
import type { Tree } from '../../src/parse';
import { parsePython, query } from '../../src/parse';
import { modelKeyOf, ProjectIndex } from '../../src/project/index';
import { resolveImportModule } from '../../src/project/modules';
import { lineEnding } from '../../src/source';
import type { AppPlan, PlannedKey } from './plan';
import { userModel } from './resolve';
import { Scope } from './scope';
import { compareText } from '../../src/order';

export interface Style {
  quote: '"' | "'";
  indent: string;
  eol: string;
}

const STRING_STARTS = query('(string_start) @start');

/** The quotes, indentation unit and line endings a file uses (double quotes and four spaces when it does not tell). */
export function styleOf(text: string, tree: Tree): Style {
  let double = 0;
  let single = 0;
  for (const { node } of STRING_STARTS.captures(tree.rootNode)) {
    const quotes = node.text.replace(/^[a-zA-Z]*/, '');
    if (quotes === '"') double++;
    else if (quotes === "'") single++;
  }
  const indent = /:[ \t]*(?:#[^\n]*)?\r?\n(?:[ \t]*\r?\n)*([ \t]+)\S/.exec(text)?.[1];
  return { quote: single > double ? "'" : '"', indent: indent ?? '    ', eol: lineEnding(text) };
}

export function quoted(value: string, style: Style): string {
  return `${style.quote}${value.replace(/\\/g, '\\\\').replace(new RegExp(style.quote, 'g'), `\\${style.quote}`)}${style.quote}`;
}

/** What an import will bind, with the absolute module to compare with what the file binds already. */
interface PlannedImport {
  spec: ImportSpec;
  binds: string;
  absolute: string;
  /** The module imported from. */
  module: string;
}

export interface SignalsText {
  text: string;
  receivers: Array<{ model: string; name: string; keys: PlannedKey[] }>;
  /** Project modules the signals module did not import before. */
  newProjectImports: string[];
}

/** The signals module's text with receivers for every missing key, or why djfix cannot write it. */
export function signalsText(index: ProjectIndex, plan: AppPlan, existing: string | undefined, style: Style): SignalsText | { reason: string } {
  const isPackage = plan.signalsPath.endsWith('__init__.py');
  const original = existing ?? '';
  const tree = parsePython(original);
  const scope = new Scope(tree.rootNode, undefined);
  const imports: PlannedImport[] = [];
  const problems: string[] = [];
  /** Plans `from module import name [as alias]` (or `import module`), unless the module binds that name already. */
  const use = (module: string, name?: string, alias?: string): void => {
    const absolute = name === undefined ? module : `${module}.${name}`;
    const binds = alias ?? name ?? module.split('.')[0];
    const planned = imports.find((item) => item.binds === binds);
    const bound = boundAs(scope, binds, absolute, plan.signalsModule, isPackage);
    if (bound === 'elsewhere' || (planned && planned.absolute !== absolute)) problems.push(`${binds} would mean two different things in the signals module`);
    else if (bound === 'free' && !planned) imports.push({ spec: relativeSpec(module, name, alias, plan, isPackage), binds, absolute, module });
  };
  use('django.db', 'transaction');
  use('django.db.models.signals', 'post_delete');
  use('django.db.models.signals', 'post_save');
  use('django.dispatch', 'receiver');

  const byModel = new Map<string, PlannedKey[]>();
  for (const key of plan.missing) byModel.set(key.model, [...(byModel.get(key.model) ?? []), key]);
  const taken = new Set(scope.entries().map(([name]) => name));
  const sameName = (model: string) => [...byModel.keys()].some((other) => other !== model && index.models[other]?.name === index.models[model]?.name);
  const blocks: string[] = [];
  const receivers: SignalsText['receivers'] = [];
  for (const [modelKey, keys] of byModel) {
    const model = index.models[modelKey];
    let sender: string;
    if (modelKey === userModel(index)) {
      use('django.conf', 'settings');
      sender = 'settings.AUTH_USER_MODEL';
    } else {
      // Two models of the same name (in different apps) are imported under their app's name.
      sender = sameName(modelKey) ? `${camel(model.app)}${model.name}` : model.name;
      use(importModuleOf(index, modelKey), model.name, sender === model.name ? undefined : sender);
    }
    for (const { name, module, imported } of keys.flatMap((key) => key.names)) {
      if (imported) use(module, imported, imported === name ? undefined : name);
      else use(module, undefined, module === name ? undefined : name);
    }
    const aliases = [...new Set(keys.map((key) => key.alias))].sort((a, b) => (a === 'default' ? -1 : b === 'default' ? 1 : compareText(a, b)));
    for (const alias of aliases) {
      if (alias === 'default') use('django.core.cache', 'cache');
      else use('django.core.cache', 'caches');
    }
    const base = `invalidate_${sameName(modelKey) ? `${model.app.toLowerCase()}_` : ''}${snake(model.name)}_cache`;
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base}_${n}`;
    taken.add(name);
    blocks.push(receiverBlock(name, sender, model.name, keys, aliases, plan.signalsModule, style));
    receivers.push({ model: modelKey, name, keys });
  }
  if (problems.length > 0) return { reason: problems.join('; ') };

  let text = original;
  if (text.trim() === '') text = `${style.eol}${style.eol}${blocks.join(`${style.eol}${style.eol}`)}`;
  else {
    if (!text.endsWith('\n')) text += style.eol;
    // Two blank lines before the first receiver, counting those the file already ends with.
    const blankLines = (/(?:[ \t]*\r?\n)*$/.exec(text)?.[0].split('\n').length ?? 2) - 2;
    text += style.eol.repeat(Math.max(0, 2 - blankLines)) + blocks.join(`${style.eol}${style.eol}`);
  }
  // isort's sections: Django, other absolute imports, then the app's own (relative) ones.
  const section = (module: string) => (module.startsWith('.') ? 2 : module === 'django' || module.startsWith('django.') ? 0 : 1);
  const order = (item: PlannedImport) => `${section(item.spec.module)} ${item.spec.module} ${item.spec.name ?? ''}`;
  for (const item of [...imports].sort((a, b) => compareText(order(a), order(b)))) text = applyImport(text, item.spec);
  const newProjectImports = [...new Set(imports.map((item) => item.module).filter((module) => index.modules[module] !== undefined))];
  return { text, receivers, newProjectImports };
}

function applyImport(text: string, spec: ImportSpec): string {
  return applyEdits(text, addImport(text, parsePython(text), spec));
}

/** Whether the module binds a name already: to what an import would bind it, to something else, or not at all. */
function boundAs(scope: Scope, name: string, absolute: string, module: string, isPackage: boolean): 'same' | 'elsewhere' | 'free' {
  const bindings = scope.own(name);
  if (bindings.length === 0) return 'free';
  const same = bindings.every((binding) => binding.kind === 'import' && `${resolveImportModule(binding, module, isPackage)}${binding.name ? `.${binding.name}` : ''}` === absolute);
  return same ? 'same' : 'elsewhere';
}

/** `from .models import Product` for a module of the same app, the absolute import otherwise. */
function relativeSpec(module: string, name: string | undefined, alias: string | undefined, plan: AppPlan, fromIsPackage: boolean): ImportSpec {
  const appPackage = plan.app.module;
  // Up from the receivers module to the app's package: one level for `catalog.signals`, two for
  // `catalog.cache.receivers` or a package `catalog/signals/__init__.py`.
  const level = plan.signalsModule.split('.').length - appPackage.split('.').length + (fromIsPackage ? 1 : 0);
  if (name !== undefined && appPackage && (module === appPackage || module.startsWith(`${appPackage}.`))) {
    const rest = module.slice(appPackage.length + 1);
    return { module: `${'.'.repeat(level)}${rest}`, name, ...(alias ? { alias } : {}) };
  }
  return { module, ...(name !== undefined ? { name } : {}), ...(alias ? { alias } : {}) };
}

/** Where to import a model class from: its app's `models` module when that exports it. */
function importModuleOf(index: ProjectIndex, modelKey: string): string {
  const model = index.models[modelKey];
  const app = index.apps.find((candidate) => candidate.label === model.app);
  const models = app ? `${app.module}.models` : undefined;
  return models && modelKeyOf(index, `${models}.${model.name}`) === modelKey ? models : model.module;
}

export function camel(label: string): string {
  return label.split('_').map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('');
}

function snake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z])([A-Z][a-z])/g, '$1_$2').toLowerCase();
}

function receiverBlock(name: string, sender: string, modelName: string, keys: PlannedKey[], aliases: string[], signalsModule: string, style: Style): string {
  const { eol, indent } = style;
  const inner = indent + indent;
  const lines = [
    `@receiver([post_save, post_delete], sender=${sender}, dispatch_uid=${quoted(`${signalsModule}.${name}`, style)})`,
    `def ${name}(sender, instance, using, **kwargs):`,
    `${indent}"""Delete the cached data built from this ${modelName} once its save or delete is committed."""`,
    `${indent}# The keys are built now: after a delete, instance.pk is None by the time the transaction commits.`,
  ];
  const variable = (alias: string) => (aliases.length === 1 ? 'keys' : `${alias.replace(/\W/g, '_')}_keys`);
  for (const alias of aliases) {
    lines.push(`${indent}${variable(alias)} = [`);
    const seen = new Set<string>();
    for (const key of keys.filter((candidate) => candidate.alias === alias)) {
      if (seen.has(key.canonical)) continue;
      seen.add(key.canonical);
      const writer = `${key.write.function ? `${key.write.function}() in ` : ''}${key.write.path}`;
      const via = key.via ? `, for its ${key.via.field}` : '';
      lines.push(`${inner}${key.text},  # ${writer}${via}`);
    }
    lines.push(`${indent}]`);
  }
  for (const alias of aliases) {
    const cache = alias === 'default' ? 'cache' : `caches[${quoted(alias, style)}]`;
    lines.push(`${indent}transaction.on_commit(lambda: ${cache}.delete_many(${variable(alias)}), using=using)`);
  }
  return lines.join(eol) + eol;
}

/** One edit from the common prefix and suffix of two texts. */
export function diffEdit(before: string, after: string): TextEdit {
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  let end = 0;
  while (end < before.length - start && end < after.length - start && before[before.length - 1 - end] === after[after.length - 1 - end]) end++;
  return { start, end: before.length - end, text: after.slice(start, after.length - end) };
}
