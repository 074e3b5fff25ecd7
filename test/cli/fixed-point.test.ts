// One batch run applies every compatible change, so a second run is a no-op: proven on the whole
// example project with every transform on, as committed (import cycle included) and with the
// lazy-model-imports overlay the other tests start from.
import { copyExampleProject } from '../helpers/django';
import { djfix } from '../helpers/cli';
import { snapshot } from '../helpers/tree';
import { TRANSFORMS } from '../../transforms/registry';

const VARIANTS = [
  { name: 'as committed, import cycle included', importCycle: true, fixedBy: TRANSFORMS.map((transform) => transform.id) },
  { name: 'with the import cycle already broken', importCycle: false, fixedBy: TRANSFORMS.map((transform) => transform.id).filter((id) => id !== 'lazy-model-imports') },
];

describe.each(VARIANTS)('the example project $name', ({ importCycle, fixedBy }) => {
  test('--write, then --dry-run changes nothing and exits 0; a second --write leaves every byte as it was', async () => {
    const project = copyExampleProject({ importCycle });
    const first = await djfix(['--write', '--json', project]);
    expect(first.code).toBe(0);
    const applied = JSON.parse(first.stdout).findings.filter((finding: { status: string }) => finding.status === 'applied');
    expect(new Set(applied.map((finding: { transform: string }) => finding.transform))).toEqual(new Set(fixedBy));
    const written = snapshot(project);

    const dryRun = await djfix(['--dry-run', project]);
    expect(dryRun.stdout).not.toContain('diff --git');
    expect(dryRun.stdout).toMatch(/Would change 0 files with 0 fixes/);
    expect(dryRun.code).toBe(0);

    const second = await djfix(['--write', project]);
    expect(second.code).toBe(0);
    expect(snapshot(project)).toEqual(written);
  });
});
