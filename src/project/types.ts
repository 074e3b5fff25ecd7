// The shape of the project index. Plain data: it crosses into worker threads and the cache as is.
import type { FileFacts, ImportScope, SettingFact } from '../facts';
import type { ImportCycle } from './cycles';
import type { TargetDjango } from './django-version';

export type FileRole = 'settings' | 'models' | 'migration' | 'apps' | 'test' | 'other';

export interface FileEntry {
  module: string;
  isPackage: boolean;
  role: FileRole;
  /** As in the file's facts: the transforms whose screen its text passed (undefined: all), and whether it has djfix comments. */
  screened?: string[];
  commented: boolean;
}

export interface AppInfo {
  /** The app's package, e.g. `shop.orders`. */
  module: string;
  label: string;
  /** Qualified name of its AppConfig class, when it has one. */
  config?: string;
  /** Path of the file that defines the AppConfig. */
  configPath?: string;
  /** Listed in INSTALLED_APPS of the project's settings. */
  installed: boolean;
}

export type RelationKind = 'fk' | 'o2o' | 'm2m' | 'generic-fk' | 'generic-relation';

export interface FieldInfo {
  name: string;
  line: number;
  /** The field class name, e.g. `ForeignKey`, `CharField`. */
  type: string;
  relation?: RelationKind;
  /** `app_label.Model` of the related model; undefined when it cannot be resolved. */
  target?: string;
  /** `related_name`, or the model's `Meta.default_related_name`, with `%(class)s` and the like filled in. */
  relatedName?: string;
  /** `primary_key=True`. */
  primaryKey?: boolean;
  /** `to_field` of a relation: the target field the stored value refers to (the target's primary key when unset). */
  toField?: string;
  /** `related_query_name`, when set: the reverse name in lookups and `select_related` (else `relatedName`, else the model name). */
  relatedQueryName?: string;
}

export interface ReverseRelation {
  /** The accessor on the target model, e.g. `lines`, `order_set`, `profile`. */
  accessor: string;
  /** The model holding the field. */
  from: string;
  field: string;
  relation: RelationKind;
}

export interface ModelInfo {
  /** `app_label.Model` */
  key: string;
  name: string;
  app: string;
  module: string;
  path: string;
  line: number;
  abstract: boolean;
  proxy: boolean;
  /** Keys of model bases (project or contrib). */
  bases: string[];
  /** Own fields and those inherited from abstract and concrete model bases. */
  fields: FieldInfo[];
  managers: string[];
  methods: string[];
  reverse: ReverseRelation[];
}

export interface ImportEdge {
  from: string;
  to: string;
  path: string;
  line: number;
  scope: ImportScope;
  names?: Array<{ name: string; alias?: string }>;
}

/**
 * Settings are keyed by path, not module name: a monorepo can hold several `config.settings`, and
 * each settings file must be read with its own layers.
 */
export interface SettingsInfo {
  /** Every settings file found, the primary one (DJANGO_SETTINGS_MODULE) first. */
  paths: string[];
  /** The settings files each settings file star-imports, in order. */
  bases: Record<string, string[]>;
}

export interface ClassInfo {
  path: string;
  line: number;
  /** Qualified names of the bases. */
  bases: string[];
}

export interface ProjectIndex {
  files: Record<string, FileEntry>;
  /** Module name to path. */
  modules: Record<string, string>;
  django: TargetDjango;
  apps: AppInfo[];
  settings: SettingsInfo;
  /** Module-level setting statements of the settings files, by path. */
  settingFacts: Record<string, SettingFact[]>;
  models: Record<string, ModelInfo>;
  /** Qualified class name to model key, for resolving `Order` in a module that imported it. */
  modelClasses: Record<string, string>;
  /** Every class of the project by qualified name, for subclass resolution. */
  classes: Record<string, ClassInfo>;
  /** Names bound by each module's module-level imports: module, then local name, to qualified name. */
  bindings: Record<string, Record<string, string>>;
  imports: ImportEdge[];
  /**
   * The project's dependency files (requirements*.txt, pyproject.toml, lock files, Pipfile, setup.cfg),
   * relative to the root and sorted; transforms read them with `AnalysisContext.readText`.
   */
  dependencyFiles: string[];
  /** Facts transforms contributed, by transform id, then path. */
  extra: Record<string, Record<string, unknown>>;
  /** The import cycles, once importCycles() has computed them. */
  cycles?: ImportCycle[];
}

export interface IndexInput {
  path: string;
  module: string;
  isPackage: boolean;
  hash: string;
  facts: FileFacts;
}
