import type { MigrationReport } from './check';

/** The human report: one row per step, the reasons of a missing step under it, then `N/6`. */
export function formatReport(report: MigrationReport): string {
  const width = Math.max(...report.steps.map((s) => s.title.length));
  const subject = report.service ?? report.app;
  const lines = [`migration check of ${subject}: stacks ${report.stacks.join(', ')}; handler ${report.handlerFiles.join(', ')}`, ''];
  lines.push(`  step  ${'what'.padEnd(width)}  status`);
  for (const step of report.steps) {
    lines.push(`  ${String(step.step).padStart(4)}  ${step.title.padEnd(width)}  ${step.done ? 'done' : 'MISSING'}`);
    for (const reason of step.reasons) lines.push(`        - ${reason}`);
  }
  lines.push(
    '',
    `${report.done}/${report.total} steps done${
      report.done === report.total
        ? ''
        : `; missing: ${report.steps
            .filter((s) => !s.done)
            .map((s) => s.step)
            .join(', ')} (docs/migration.md says how to do each)`
    }`,
  );
  return lines.join('\n');
}
