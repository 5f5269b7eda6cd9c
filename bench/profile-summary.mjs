// Summarises a V8 .cpuprofile by self time per function (top N), and the share of time under
// cache-client's own source files. Usage: node bench/profile-summary.mjs <file.cpuprofile> [N]
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = new Map();
// time per sample: the delta to the next sample
profile.samples.forEach((id, i) => dt.set(i, profile.timeDeltas[i + 1] ?? 0));
let total = 0;
profile.samples.forEach((id, i) => {
  const n = byId.get(id);
  const { functionName, url, lineNumber } = n.callFrame;
  const key = `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(/^.*wt-runtime\//, '')}:${lineNumber + 1}`;
  const t = dt.get(i);
  self.set(key, (self.get(key) ?? 0) + t);
  total += t;
});
const rows = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg ?? 25));
for (const [key, t] of rows) console.log(`${((t / total) * 100).toFixed(1).padStart(5)}%  ${key}`);
const share = (re) => [...self.entries()].filter(([k]) => re.test(k)).reduce((s, [, t]) => s + t, 0) / total;
console.log(
  `idle ${(share(/^\(idle\)/) * 100).toFixed(1)}%, gc ${(share(/^\(garbage collector\)/) * 100).toFixed(1)}%, libs/cache-client ${(share(/libs\/cache-client\//) * 100).toFixed(1)}%, @redis/client ${(share(/@redis\/client/) * 100).toFixed(1)}%, node internals ${(share(/^[^ ]* node:/) * 100).toFixed(1)}%`,
);
