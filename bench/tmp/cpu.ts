import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { startServer } from '../children.js';
import { prepareCredentials } from '../credentials.js';
import { sourceEnvironment } from '../config.js';
import { ensureDemoDatabases } from '../demo-databases.js';
import { requestFor } from '../queries.js';
import { JSON_HEADERS } from '../http.js';

const cpu = (pid: number) => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' '); return (Number(f[11]) + Number(f[12])) * 10; };
await ensureDemoDatabases(console.log);
await prepareCredentials();
const env = sourceEnvironment();
const extra = process.argv.slice(2);
const a = await startServer('with', 'civicgraph', ['--connections', '10', ...extra], env, 120000);
const b = await startServer('without', 'civicgraph', ['--connections', '10', '--no-limits', ...extra], env, 120000);
const req = requestFor('civicgraph', 'Q1')!;
async function load(url: string, pid: number, seconds: number) {
  const before = cpu(pid);
  const r = await autocannon({ url: url + req.path, method: 'POST', headers: { ...JSON_HEADERS, ...req.headers }, body: req.body, connections: 10, duration: seconds });
  return { rps: r.requests.average, cpuMs: (cpu(pid) - before) / r.requests.total, non2xx: r.non2xx };
}
try {
  for (const s of [a, b]) await load(s.url, s.pid!, 3);
  const ratios: number[] = [];
  for (let round = 0; round < Number(process.env.ROUNDS ?? 4); round++) {
    const order = round % 2 ? [b, a] : [a, b];
    const res: Record<string, any> = {};
    for (const s of order) res[s.name] = await load(s.url, s.pid!, Number(process.env.SECS ?? 8));
    ratios.push(res.without.cpuMs / res.with.cpuMs);
    console.log(JSON.stringify(res), 'cpu ratio without/with', (res.without.cpuMs / res.with.cpuMs).toFixed(3));
  }
  ratios.sort(); console.log('median cpu ratio', ratios[Math.floor(ratios.length / 2)]!.toFixed(3));
} finally { await a.stop(); await b.stop(); }
