// Making the signals module run: Django connects `@receiver` functions only when their module is
// imported, and the place for that is the app's `AppConfig.ready()`. djfix adds the import to ready(),
// adds ready() to the AppConfig, or creates apps.py with an AppConfig when the app has none (Django
// 3.2+ picks the only AppConfig of apps.py; older versions need `default_app_config`).
import { applyEdits } from '../../src/edits';
import { addImport, addLocalImport, ImportSpec } from '../../src/imports';
import type { FileChange, TextEdit } from '../../src/model';
import type { Node, Tree } from '../../src/parse';
import { parsePython } from '../../src/parse';
import { stringItems } from '../../src/facts';
import { settingLiteral } from '../../src/project/index';
import type { ProjectIndex } from '../../src/project/index';
import type { AppPlan } from './plan';
import { camel, quoted, Style, styleOf } from './render';

export interface Wiring {
  files: FileChange[];
  /** What the change does, for the finding's message. */
  description: string;
}

const NOQA = 'noqa: F401';

/** `style` is the app's (the signals module's): a new apps.py is written in it. */
export function wiringChange(index: ProjectIndex, plan: AppPlan, readText: (path: string) => string | undefined, style: Style): Wiring | { reason: string } {
  const { app } = plan;
  const signals = plan.signalsPath;
  if (app.config && app.configPath) {
    const text = readText(app.configPath);
    if (text === undefined) return { reason: `cannot read ${app.configPath}` };
    const className = app.config.split('.').pop()!;
    const tree = parsePython(text);
    const cls = tree.rootNode.namedChildren.map((node) => (node.type === 'decorated_definition' ? node.childForFieldName('definition') : node)).find((node) => node?.type === 'class_definition' && node.childForFieldName('name')?.text === className);
    if (!cls) return { reason: `${app.config} is not a class at the top level of ${app.configPath}` };
    const configModule = index.files[app.configPath]?.module ?? '';
    const spec = receiversImport(plan, configModule.split('.').slice(0, -1).join('.') === app.module);
    const edit = readyEdit(index, app.config, text, tree, cls, spec);
    if ('reason' in edit) return edit;
    const files: FileChange[] = [{ path: app.configPath, kind: 'edit', edits: [edit.edit] }];
    const legacy = legacyDefault(index, plan, readText, app.config);
    if ('reason' in legacy) return legacy;
    files.push(...legacy.files);
    return { files, description: `imports ${signals} in ${className}.ready() (${app.configPath}${edit.added ? ', a new method' : ''})${legacy.description}` };
  }
  const appsPath = `${plan.appDir ? `${plan.appDir}/` : ''}apps.py`;
  if (readText(appsPath) !== undefined) return { reason: `${appsPath} has no AppConfig that Django would use for ${app.module}, so djfix has no ready() to connect the receivers from` };
  const className = `${camel(app.label)}Config`;
  const created = newAppsFile(className, app.module, receiversImport(plan, true), style);
  const legacy = legacyDefault(index, plan, readText, `${app.module}.apps.${className}`);
  if ('reason' in legacy) return legacy;
  return { files: [{ path: appsPath, kind: 'create', text: created }, ...legacy.files], description: `creates ${appsPath} with ${className}, whose ready() imports ${signals}${legacy.description}` };
}

/** The edit that makes `ready()` import the signals module: into an existing ready(), or a new ready() at the end of the class. */
function readyEdit(index: ProjectIndex, config: string, text: string, tree: Tree, cls: Node, spec: ImportSpec): { edit: TextEdit; added: boolean } | { reason: string } {
  const body = cls.childForFieldName('body')!;
  const style = styleOf(text, tree);
  const ready = body.namedChildren
    .map((node) => (node.type === 'decorated_definition' ? node.childForFieldName('definition') : node))
    .find((node) => node?.type === 'function_definition' && node.childForFieldName('name')?.text === 'ready');
  if (ready) {
    const edits = addLocalImport(text, ready.childForFieldName('body')!, spec, NOQA);
    if (!edits) return { reason: `${config}.ready() is written on one line; djfix cannot add the import to it` };
    // The index shows no import of the module, yet ready() has one: something djfix does not understand.
    if (edits.length === 0) return { reason: `${config}.ready() seems to import the signals module already, in a way djfix does not follow` };
    return { edit: edits[0], added: false };
  }
  const statements = body.namedChildren.filter((node) => node.type !== 'comment');
  const last = statements[statements.length - 1];
  if (!last || last.startPosition.row === cls.startPosition.row) return { reason: `${config} is written on one line; djfix cannot add ready() to it` };
  const lineStart = text.lastIndexOf('\n', statements[0].startIndex - 1) + 1;
  const indent = text.slice(lineStart, statements[0].startIndex);
  const inner = indent + style.indent;
  const { eol } = style;
  // A project base class may have a ready() of its own: keep it running.
  const bases = index.classes[config]?.bases ?? [];
  const callSuper = !(bases.length === 1 && bases[0] === 'django.apps.AppConfig');
  const method = [`${indent}def ready(self):`, ...(callSuper ? [`${inner}super().ready()`] : []), `${inner}${importLine(spec)}  # ${NOQA}`].join(eol);
  const end = text.indexOf('\n', last.endIndex);
  const at = end === -1 ? text.length : end + 1;
  const prefix = end === -1 ? eol : '';
  return { edit: { start: at, end: at, text: `${prefix}${eol}${method}${end === -1 ? '' : eol}` }, added: true };
}

/** How ready() imports the receivers module: `from . import signals` from inside the app, `from shop.catalog import signals` from elsewhere. */
function receiversImport(plan: AppPlan, fromInsideApp: boolean): ImportSpec {
  const parts = plan.signalsModule.slice(plan.app.module.length + 1).split('.');
  const name = parts.pop()!;
  return fromInsideApp ? { module: `.${parts.join('.')}`, name } : { module: [plan.app.module, ...parts].join('.'), name };
}

function importLine(spec: ImportSpec): string {
  return spec.name !== undefined ? `from ${spec.module} import ${spec.name}` : `import ${spec.module}`;
}

/** apps.py for an app that has none: its name, and a ready() that imports the receivers module. */
function newAppsFile(className: string, module: string, receivers: ImportSpec, style: Style): string {
  const { eol, indent } = style;
  const body = [
    `class ${className}(AppConfig):`,
    `${indent}name = ${quoted(module, style)}`,
    '',
    `${indent}def ready(self):`,
    `${indent}${indent}"""Connect the signal receivers."""`,
    '',
  ].join(eol);
  let text = `${eol}${eol}${body}`;
  text = applyEdits(text, addImport(text, parsePython(text), { module: 'django.apps', name: 'AppConfig' }));
  const tree = parsePython(text);
  const ready = tree.rootNode.descendantsOfType('function_definition')[0];
  return applyEdits(text, addLocalImport(text, ready.childForFieldName('body')!, receivers, NOQA) ?? []);
}

/**
 * Before Django 3.2 an app listed by its package uses the plain AppConfig unless its `__init__.py` names
 * one in `default_app_config`: add it there, so the new ready() runs.
 */
function legacyDefault(index: ProjectIndex, plan: AppPlan, readText: (path: string) => string | undefined, config: string): { files: FileChange[]; description: string } | { reason: string } {
  const version = index.django.version;
  if (!version || version[0] > 3 || (version[0] === 3 && version[1] >= 2)) return { files: [], description: '' };
  const installed = settingLiteral(index, 'INSTALLED_APPS');
  if ((installed && stringItems(installed))?.includes(config)) return { files: [], description: '' };
  const initPath = index.modules[plan.app.module];
  const text = initPath === undefined ? undefined : readText(initPath);
  if (!initPath || text === undefined || !initPath.endsWith('__init__.py')) return { reason: `${plan.app.module} has no __init__.py to name its AppConfig in (Django ${version.join('.')} needs default_app_config)` };
  const existing = /^default_app_config\s*=\s*(["'])([^"']*)\1/m.exec(text);
  if (existing) return existing[2] === config ? { files: [], description: '' } : { reason: `${initPath} names ${existing[2]} as default_app_config, not ${config}` };
  const style = styleOf(text, parsePython(text));
  const separator = text === '' || text.endsWith('\n') ? '' : style.eol;
  return {
    files: [{ path: initPath, kind: 'edit', edits: [{ start: text.length, end: text.length, text: `${separator}default_app_config = ${quoted(config, style)}${style.eol}` }] }],
    description: `, and names it in default_app_config in ${initPath} (Django ${version.join('.')} uses an app's AppConfig only then)`,
  };
}
