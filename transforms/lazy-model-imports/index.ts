// lazy-model-imports: import cycles among the project's modules that fail at import time, broken where
// a model import can be made lazy (apps.get_model() in functions, "app_label.Model" strings in relation
// fields, imports for annotations under TYPE_CHECKING); the others, and cycles that do not fail, are
// reported. Which cycles fail and which imports to break is the plan's (plan.ts), made once from the
// project index; this file turns the part of the plan that concerns one file into findings.
import type { Finding } from '../../src/model';
import type { AnalysisContext, Transform } from '../types';
import { cutEdits } from './edit';
import { chainsText, failureText, listText } from './messages';
import { Cut, CycleReport, ID, inImportCycle, Plan, planFor } from './plan';
import { findImportUses } from './uses';

/** Reasons shown for a cycle djfix cannot fix: enough to act on without burying the message. */
const MAX_REASONS = 8;

const SOURCES = {
  lookup: 'docs/ref/applications.txt',
  relation: 'docs/ref/models/fields.txt',
};

export const lazyModelImports: Transform = {
  id: ID,
  title: 'Import cycles through model imports are broken with lazy model lookups',
  explanation:
    'Modules that import each other while they are being imported fail with "cannot import name ... from ' +
    'partially initialized module", often in django.setup(). djfix builds the graph of the project\'s ' +
    'imports that run at import time (module level and class bodies; not functions, not if TYPE_CHECKING:), ' +
    'finds every cycle, and simulates how Python imports it: in the order django.setup() does (settings, ' +
    'apps, each app\'s models, in INSTALLED_APPS order), then with each of its modules imported first. A ' +
    'cycle fails where a module asks a half-imported one for a name it has not bound yet. For a failing ' +
    'cycle djfix makes the fewest imports of models lazy that stop the failure: apps.get_model("app_label", ' +
    '"Model") at the top of each function that uses the model, "app_label.Model" strings for relation ' +
    'field targets, annotations quoted and the import moved under if TYPE_CHECKING:; other names the ' +
    'statement imports stay. The app label is the AppConfig\'s label, else the last part of the app\'s ' +
    'package. A model used while the module is imported (a base class, a decorator, a module-level query ' +
    'or registration) has no lazy form: that cycle is reported with the failing import, the lines in the ' +
    'way and what to do, as are failing cycles that import no model. Cycles that do not fail are reported ' +
    'and left alone. Fixes are marked for review: they move imports.',
  rules: [
    {
      id: 'import-time-edges',
      text: 'Only imports that run while a module is imported can fail in a cycle: module level and class bodies (also inside module-level try/if), not function bodies, not under if TYPE_CHECKING:.',
      sources: ['docs/ref/applications.txt'],
    },
    {
      id: 'lookup-in-functions',
      text: 'apps.get_model(app_label, model_name) needs a ready app registry: it is called at the top of the functions that use the model, never at import time.',
      sources: [SOURCES.lookup],
    },
    {
      id: 'lazy-relation',
      text: 'Relation fields (ForeignKey, OneToOneField, ManyToManyField and their subclasses) take the lazy string "app_label.Model" as their target and through model.',
      sources: [SOURCES.relation],
    },
    {
      id: 'app-label',
      text: "The app label is the AppConfig's label when set, else the last part of the app's dotted path; Meta.app_label overrides it for one model.",
      sources: [SOURCES.lookup, 'docs/ref/models/options.txt'],
    },
    {
      id: 'annotations',
      text: 'Imports needed only by annotations move under if TYPE_CHECKING: and the annotations are quoted (left alone under from __future__ import annotations).',
      sources: ['https://docs.python.org/3/library/typing.html#typing.TYPE_CHECKING'],
    },
    {
      id: 'failing-cycles',
      text: 'A cycle fails only where a module reads a name (from mod import name, or mod.name while importing) from a module that is still being imported and has not bound it yet; import a.b and from pkg import submodule never fail. Cycles that do not fail are left alone.',
      sources: ['https://docs.python.org/3/reference/import.html'],
    },
    {
      id: 'fewest-cuts',
      text: 'Per failing cycle, the fewest imports of models whose every use can be made lazy and after which it no longer fails; imports of anything but models, and uses at import time, are reported, never edited; a cycle that would still fail is not half fixed.',
      sources: [SOURCES.lookup],
    },
  ],
  mayApply: (file, index) => inImportCycle(index, index.files[file.path]?.module ?? ''),
  // Every file in a cycle needs the plan of all cycles, which simulates the project's imports.
  usesProjectPlan: (path, index) => inImportCycle(index, index.files[path]?.module ?? ''),
  analyze,
};

function analyze({ file, index, readText, isSuppressed }: AnalysisContext): Finding[] {
  const plan = planFor(index, (path) => (path === file.path ? file.text : readText(path)));
  const cuts = plan.cuts.filter((cut) => cut.dependency.path === file.path);
  const reports = plan.reports.filter((report) => report.path === file.path);
  const pathOf = (module: string) => index.modules[module] ?? module;
  const findings: Finding[] = [];
  const uses = cuts.length > 0 ? findImportUses(file.tree, file.text) : undefined;
  for (const cut of cuts) {
    const line = cut.dependency.edges[0].line;
    const location = { path: file.path, line, column: firstColumn(file.text, line) };
    const story = `Import cycle: ${chainsText(cut.chains)}. ${failureText(cut.fixes.failure, cut.fixes.entry, pathOf)}.`;
    // The cuts of a cycle stop it failing only together: one the user suppressed holds back the others.
    const held = plan.cuts.find((other) => other !== cut && other.cycle === cut.cycle && isSuppressed({ path: other.dependency.path, line: other.dependency.edges[0].line }));
    if (held) {
      const where = `${held.dependency.path}:${held.dependency.edges[0].line}`;
      findings.push({ transform: ID, code: 'lazy-import', location, message: story, sources: [SOURCES.lookup], notFixed: `the cycle also needs the import at ${where} made lazy, and a "# djfix: ignore" comment there keeps djfix from changing it; a cycle that would still fail is not half fixed` });
      continue;
    }
    const edits = cutEdits(file.text, file.tree, uses!, cut.dependency.lazy);
    if (!edits.ok) {
      findings.push({ transform: ID, code: 'lazy-import', location, message: story, sources: [SOURCES.lookup], notFixed: edits.reason });
      continue;
    }
    const message = `${story} djfix makes the import of ${cut.dependency.to} at ${file.path}:${line} lazy: ${edits.summary.join('; ')}. App label ${edits.labels.join('; ')}.${companions(plan, cut)}`;
    findings.push({ transform: ID, code: 'lazy-import', location, message, sources: [SOURCES.lookup, SOURCES.relation], change: { safety: 'review', files: [{ path: file.path, kind: 'edit', edits: edits.edits }] } });
  }
  for (const report of reports) findings.push(reportFinding(report, file.text, pathOf));
  return findings;
}

/** Other imports djfix makes lazy for the same cycle, so one finding tells the whole story. */
function companions(plan: Plan, cut: Cut): string {
  const others = plan.cuts.filter((other) => other !== cut && other.cycle === cut.cycle).map((other) => `${other.dependency.path}:${other.dependency.edges[0].line}`);
  return others.length > 0 ? ` For this cycle djfix also makes ${listText(others)} lazy; it needs all of them.` : '';
}

function reportFinding(report: CycleReport, text: string, pathOf: (module: string) => string): Finding {
  const location = { path: report.path, line: report.line, column: firstColumn(text, report.line) };
  const chains = chainsText(report.chains);
  const shown = new Set(report.chains.flat().flatMap((edge) => [edge.from, edge.to]));
  const more = report.cycle.modules.some((module) => !shown.has(module)) ? ` ${report.cycle.modules.length} modules take part: ${report.cycle.modules.join(', ')}.` : '';
  if (!report.failure) {
    return {
      transform: ID,
      code: 'harmless-cycle',
      location,
      message: `Import cycle: ${chains}.${more} It does not fail: during django.setup() and with any of its modules imported first, every import in it finds a module, or a name its module has already bound.`,
      sources: [SOURCES.lookup],
      notFixed: 'nothing in it fails at import time; djfix leaves working cycles alone',
    };
  }
  const failure = `${failureText(report.failure.failure, report.failure.entry, pathOf)}.`;
  const first = report.failure.failure.stack[0];
  const byHand = `move the import at ${pathOf(first.module)}:${first.line}, which starts the failing chain, into the functions that use it`;
  const modelish = report.dependencies.filter((dependency) => dependency.modelish);
  if (modelish.length === 0) {
    return {
      transform: ID,
      code: 'helper-cycle',
      location,
      message: `Import cycle: ${chains}.${more} ${failure} None of its imports names a Django model, so there is no lazy lookup to break it with.`,
      sources: [SOURCES.lookup],
      notFixed: `no model import to make lazy: ${byHand}, or move what both modules need into a module that imports neither`,
    };
  }
  const reasons = [...new Set(modelish.flatMap((dependency) => dependency.reasons))];
  const shownReasons = reasons.length > MAX_REASONS ? [...reasons.slice(0, MAX_REASONS), `and ${reasons.length - MAX_REASONS} more`] : reasons;
  const why = reasons.length > 0 ? `No set of its model imports can be made lazy so that it stops failing: ${shownReasons.join('; ')}.` : 'Making its model imports lazy would not stop it failing: the failing import is not one of them.';
  return {
    transform: ID,
    code: 'model-cycle',
    location,
    message: `Import cycle: ${chains}.${more} ${failure} ${why}`,
    sources: [SOURCES.lookup, SOURCES.relation],
    notFixed: `no lazy model import stops this cycle failing (see the reasons): ${byHand}, or change the design`,
  };
}

function firstColumn(text: string, line: number): number {
  let start = 0;
  for (let i = 1; i < line; i++) start = text.indexOf('\n', start) + 1;
  return /^[ \t]*/.exec(text.slice(start))![0].length + 1;
}
