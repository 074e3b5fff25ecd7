// Settings modules and Django apps, as Django itself would find them.
import type { AppInfo, IndexInput, ProjectIndex, SettingsInfo } from './types';
import { resolveClass, settingSureItems } from './lookup';
import { resolveImportModule } from './modules';

const APP_MODULE = /\.settings\.(models|views|api|serializers|admin|apps|urls|forms|services|signals|validators|permissions|filters)(\.|$)|\.migrations(\.|$)/;
const APP_CONFIG_BASES = new Set(['django.apps.AppConfig', 'django.apps.config.AppConfig']);

/**
 * Settings modules: those named by DJANGO_SETTINGS_MODULE (manage.py, wsgi.py, asgi.py), modules
 * called `settings` or inside a `settings` package, and what they star-import from the project.
 */
export function buildSettings(inputs: IndexInput[], index: ProjectIndex, configuredRefs: string[]): SettingsInfo {
  const referenced = [...configuredRefs, ...inputs.flatMap((input) => input.facts.settingsModuleRefs)]
    .map((module) => index.modules[module])
    .filter((path): path is string => path !== undefined);
  // A module called settings is one only if it sets or star-imports settings; the models, views and
  // serializers of an app that happens to be named `settings` are not.
  const named = inputs
    .filter((input) => /(^|\.)settings(\.|$)/.test(input.module) && !APP_MODULE.test(input.module))
    .filter((input) => input.facts.settings.length > 0 || input.facts.imports.some((fact) => fact.names?.some((name) => name.name === '*')) || hasClassSettings(input))
    .map((input) => input.path);
  const paths = [...new Set([...referenced, ...named])];
  const bases: Record<string, string[]> = {};
  const byPath = new Map(inputs.map((input) => [input.path, input]));
  for (let i = 0; i < paths.length; i++) {
    const input = byPath.get(paths[i]);
    if (!input) continue;
    const starred = input.facts.imports
      .filter((fact) => fact.scope === 'module' && fact.names?.some((name) => name.name === '*'))
      .map((fact) => resolveImportModule(fact, input.module, input.isPackage))
      .map((module) => module && index.modules[module])
      .filter((path): path is string => path !== undefined);
    bases[input.path] = starred;
    for (const path of starred) if (!paths.includes(path)) paths.push(path);
  }
  return { paths, bases };
}

/**
 * Apps: each INSTALLED_APPS entry of the primary settings module that the project holds, resolved
 * to its AppConfig the way Django 3.2+ does (an explicit config path, else the single or `default`
 * config in the app's apps.py), and any other package of the project that holds models.
 */
export function buildApps(inputs: IndexInput[], index: ProjectIndex): AppInfo[] {
  const configs = new Map<string, { module: string; path: string; name?: string; label?: string; isDefault: boolean }>();
  for (const input of inputs) {
    for (const cls of input.facts.classes) {
      const qualified = `${input.module}.${cls.name}`;
      if (!isAppConfig(index, qualified)) continue;
      const attribute = (name: string) => cls.attributes.find((attr) => attr.name === name)?.value;
      const name = attribute('name');
      const label = attribute('label');
      const isDefault = attribute('default');
      configs.set(qualified, {
        module: input.module,
        path: input.path,
        name: name?.kind === 'str' ? name.value : undefined,
        label: label?.kind === 'str' ? label.value : undefined,
        isDefault: isDefault?.kind === 'bool' && isDefault.value,
      });
    }
  }
  const installed = settingSureItems(index, 'INSTALLED_APPS') ?? [];
  const apps = new Map<string, AppInfo>();
  const add = (app: AppInfo) => {
    if (!apps.has(app.module)) apps.set(app.module, app);
  };
  for (const entry of installed) {
    const explicit = configs.get(entry);
    if (explicit) {
      const module = explicit.name ?? explicit.module.replace(/\.apps$/, '');
      add({ module, label: explicit.label ?? lastPart(module), config: entry, configPath: explicit.path, installed: true });
      continue;
    }
    const candidates = [...configs.entries()].filter(([, config]) => config.module === `${entry}.apps`);
    const chosen = candidates.length === 1 ? candidates[0] : candidates.find(([, config]) => config.isDefault);
    if (chosen) {
      const [qualified, config] = chosen;
      add({ module: entry, label: config.label ?? lastPart(config.name ?? entry), config: qualified, configPath: config.path, installed: true });
    } else {
      add({ module: entry, label: lastPart(entry), installed: true });
    }
  }
  for (const input of inputs) {
    const match = /^(.*)\.models$/.exec(input.module);
    if (!match || apps.has(match[1])) continue;
    const config = [...configs.entries()].find(([, c]) => c.module === `${match[1]}.apps`);
    add({ module: match[1], label: config?.[1].label ?? lastPart(match[1]), config: config?.[0], configPath: config?.[1].path, installed: false });
  }
  return [...apps.values()];
}

/** Class-based settings (django-configurations): a class whose body sets UPPER_CASE names or properties. */
function hasClassSettings(input: IndexInput): boolean {
  const setting = /^[A-Z][A-Z0-9_]*$/;
  return input.facts.classes.some((cls) => cls.attributes.some((attribute) => setting.test(attribute.name)) || cls.methods.some((method) => setting.test(method)));
}

function isAppConfig(index: ProjectIndex, qualified: string, depth = 0): boolean {
  const info = index.classes[resolveClass(index, qualified)];
  if (!info || depth > 10) return false;
  return info.bases.some((base) => APP_CONFIG_BASES.has(base) || isAppConfig(index, base, depth + 1));
}

function lastPart(module: string): string {
  return module.split('.').pop()!;
}
