// The fix for one app: receivers in its signals module for every key the app writes that nothing
// deletes yet, and the wiring that makes Django import that module. Held back, with the reason, when
// the module cannot take the receivers safely or the app has no ready() djfix can reach.
import type { Change, FileChange, Finding } from '../../src/model';
import { parsePython, query } from '../../src/parse';
import type { ProjectIndex } from '../../src/project/index';
import type { ParsedFile } from '../types';
import { finding, SOURCES } from './finding';
import { short } from './origins';
import { AppPlan, CachePlan, PlannedKey, WriteRef, writeLabel } from './plan';
import { diffEdit, signalsText, styleOf } from './render';
import { wiringChange } from './wiring';

/**
 * The findings of the app this file belongs to. The fix is carried by every file whose keys it covers:
 * receivers for all of the app's missing keys, and the wiring. Several files may offer it; once one is
 * applied, the others are analysed again and find nothing left to do. A key whose write has a
 * `# djfix: ignore` comment stays out of every file's fix; it gets a finding of its own, at the write,
 * which the engine then drops (and so counts the comment as used).
 */
export function appFindings(file: ParsedFile, index: ProjectIndex, plan: CachePlan, appPlan: AppPlan, readText: (path: string) => string | undefined, isSuppressed: (at: WriteRef) => boolean): Finding[] {
  const wired = plan.isImported(appPlan.signalsModule);
  const suppressed = [...appPlan.missing, ...(wired ? [] : appPlan.inSignals)].filter((key) => key.write.path === file.path && isSuppressed(key.write));
  const byWrite = new Map<string, PlannedKey[]>();
  for (const key of suppressed) {
    const at = `${key.write.line}:${key.write.column}`;
    byWrite.set(at, [...(byWrite.get(at) ?? []), key]);
  }
  const findings = [...byWrite.values()].map((keys) =>
    finding(file, 'stale-cache', keys[0].write, `Cached model data is never deleted when the model changes: ${describeKeys(keys)}.`, { notFixed: 'a "# djfix: ignore" comment leaves this key out of the fix', sources: SOURCES }),
  );
  const kept = (key: PlannedKey) => !isSuppressed(key.write);
  const fixed = appFinding(file, index, plan, { ...appPlan, missing: appPlan.missing.filter(kept), inSignals: appPlan.inSignals.filter(kept) }, readText);
  return fixed ? [...findings, fixed] : findings;
}

function appFinding(file: ParsedFile, index: ProjectIndex, plan: CachePlan, appPlan: AppPlan, readText: (path: string) => string | undefined): Finding | undefined {
  const wired = plan.isImported(appPlan.signalsModule);
  const mine = appPlan.missing.filter((key) => key.write.path === file.path);
  const waiting = wired ? [] : appPlan.inSignals.filter((key) => key.write.path === file.path);
  if (mine.length === 0 && waiting.length === 0) return undefined;
  const first = [...mine, ...waiting].sort((a, b) => a.write.line - b.write.line || a.write.column - b.write.column)[0].write;
  const files: FileChange[] = [];
  let receiversText = '';
  const problem = (reason: string, message: string) => finding(file, 'stale-cache', first, message, { notFixed: reason, sources: SOURCES });
  const described = appPlan.missing.length > 0 ? `Cached model data is never deleted when the model changes: ${describeKeys(appPlan.missing)}.` : `Cached model data is deleted by receivers that never run: ${describeKeys(waiting)} ${waiting.length === 1 ? 'is' : 'are'} deleted by receivers in ${appPlan.signalsPath}, but nothing imports that module, so Django never connects them.`;
  if (appPlan.missing.length > 0) {
    if (appPlan.missingPackage) {
      const reason = `the receivers module ${appPlan.signalsModule} would go in the package ${appPlan.missingPackage}, which does not exist; create it (with an __init__.py) or choose another receivers-module`;
      return problem(reason, `${described} djfix would add receivers to ${appPlan.signalsPath}, but ${reason}.`);
    }
    const existing = readText(appPlan.signalsPath);
    const styleSource = existing ?? readText(appPlan.missing.map((key) => key.write.path).sort()[0]) ?? file.text;
    const style = styleOf(styleSource, parsePython(styleSource));
    const result = signalsText(index, appPlan, existing, style);
    if ('reason' in result) return problem(result.reason, `${described} djfix would add receivers to ${appPlan.signalsPath}, but ${result.reason}.`);
    const importers = existing === undefined ? [] : moduleLevelImporters(index, appPlan.signalsModule);
    if (importers.length > 0 && result.newProjectImports.length > 0) {
      const reason = `${appPlan.signalsPath} is imported when ${importers.join(', ')} ${importers.length === 1 ? 'is' : 'are'} imported, so importing ${result.newProjectImports.join(', ')} there could create an import cycle or import models before the app registry is ready; put the receivers in a module only AppConfig.ready() imports`;
      return problem(reason, `${described} djfix would add receivers to ${appPlan.signalsPath}, but that module is imported at module level elsewhere.`);
    }
    files.push(existing === undefined ? { path: appPlan.signalsPath, kind: 'create', text: result.text } : { path: appPlan.signalsPath, kind: 'edit', edits: [diffEdit(existing, result.text)] });
    const names = result.receivers.map((receiver) => `${receiver.name}() for ${receiver.model}`).join(', ');
    receiversText = ` djfix adds ${result.receivers.length === 1 ? 'a receiver' : 'receivers'} to ${appPlan.signalsPath}${existing === undefined ? ' (a new module)' : ''}: ${names}, on post_save and post_delete, deleting the keys from the same cache once the transaction commits.`;
  }
  let wiringText = '';
  if (!wired) {
    const signalsStyleSource = readText(appPlan.signalsPath) ?? file.text;
    const wiring = wiringChange(index, appPlan, readText, styleOf(signalsStyleSource, parsePython(signalsStyleSource)));
    if ('reason' in wiring) return problem(wiring.reason, `${described} Receivers in ${appPlan.signalsPath} would never run: nothing imports it, and ${wiring.reason}.`);
    files.push(...wiring.files);
    wiringText = ` So that ${appPlan.signalsPath} is imported and its receivers connected, djfix ${wiring.description}.`;
    const dormant = receiverNames(readText(appPlan.signalsPath));
    if (dormant.length > 0) wiringText += ` Importing it connects every receiver already in ${appPlan.signalsPath} (${dormant.map((name) => `${name}()`).join(', ')}), which never ran before: check that they should.`;
  }
  const caveats = [...new Set([...mine, ...waiting, ...appPlan.missing].flatMap((key) => key.caveats))];
  const change: Change = { safety: 'review', files };
  const stale = appPlan.missing.length > 0 ? ' Until the keys expire, the cache serves the data as it was before each save or delete.' : '';
  const message = `${described}${stale}${receiversText}${wiringText}${caveats.length > 0 ? ` Limits: ${caveats.join('; ')}.` : ''}`;
  return finding(file, 'stale-cache', first, message, { sources: SOURCES, change });
}

/** Non-test modules that import `module` at module level (so it is loaded whenever they are). */
function moduleLevelImporters(index: ProjectIndex, module: string): string[] {
  const parent = module.split('.').slice(0, -1).join('.');
  const last = module.split('.').pop()!;
  const importers = index.imports.filter((edge) => {
    const role = index.files[edge.path]?.role;
    if (edge.scope !== 'module' || role === 'test' || role === 'migration' || edge.from === module) return false;
    return edge.to === module || edge.to.startsWith(`${module}.`) || (edge.to === parent && (edge.names ?? []).some((name) => name.name === last));
  });
  return [...new Set(importers.map((edge) => edge.path))].sort();
}

const RECEIVERS = query(`(decorated_definition
  (decorator [(call function: [(identifier) (attribute)] @decorator) (identifier) @decorator (attribute) @decorator])
  definition: (function_definition name: (identifier) @name))`);

/** Functions of a module decorated with `@receiver(...)`. */
function receiverNames(text: string | undefined): string[] {
  if (text === undefined) return [];
  const names = new Set<string>();
  for (const match of RECEIVERS.matches(parsePython(text).rootNode)) {
    const decorator = match.captures.find((capture) => capture.name === 'decorator')!.node.text;
    if (/(^|\.)receiver$/.test(decorator)) names.add(match.captures.find((capture) => capture.name === 'name')!.node.text);
  }
  return [...names];
}

/** Each key: where it is written, from which model's instance, and which related rows its data comes from. */
function describeKeys(keys: PlannedKey[]): string {
  const byWrite = new Map<string, PlannedKey[]>();
  for (const key of keys) {
    const id = `${key.write.path}:${key.write.line}:${key.source}`;
    byWrite.set(id, [...(byWrite.get(id) ?? []), key]);
  }
  return [...byWrite.values()]
    .map((group) => {
      const own = group.find((key) => !key.via);
      const related = group.filter((key) => key.via).map((key) => `${key.model} rows (${key.via!.how})`);
      const first = group[0];
      const from = ` (${own?.model ?? first.via!.keyModel}: ${first.instanceHow})`;
      if (!own) return `${short(first.source)} at ${writeLabel(first.write)}${from}, which holds only data of ${related.join(' and ')}: changes to those rows must delete it, while a save of the ${first.via!.keyModel} itself does not change it (so it gets no receiver)`;
      const also = related.length > 0 ? `, whose data also comes from ${related.join(' and ')}, so changes to those rows must delete it too` : '';
      return `${short(first.source)} at ${writeLabel(first.write)}${from}${also}`;
    })
    .join('; ');
}

