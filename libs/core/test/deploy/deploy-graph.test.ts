/**
 * Deploy as a graph: services start as soon as their dependencies in this deploy are done, at
 * most `parallelism` at once, Terraform calls under their own bound, questions one at a time.
 * Overlap is proven by fake tools that wait for each other (rendezvous), never by timing.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deployServices, EXIT, readDeployRecord, type DeployUnit } from '../../src/index.ts';
import { deploySetup, fakeSpawner, inFlight, rendezvous, unitOf } from './helpers.ts';

const ENV = { PATH: '/fake/bin' };

/** Lets pending I/O callbacks and promise reactions run: a chance for a wrong overlap to show. */
const yieldTurns = async (n = 5): Promise<void> => { for (let i = 0; i < n; i++) await new Promise<void>((r) => setImmediate(r)); };

/** proxy <- idp <- app, and solo <- proxy: two branches after proxy. */
function fleet(root: string): DeployUnit[] {
  return [
    unitOf(root, 'proxy'), unitOf(root, 'idp', { deps: ['proxy'] }),
    unitOf(root, 'app', { deps: ['idp'] }), unitOf(root, 'solo', { deps: ['proxy'] }),
  ];
}

const statuses = (s: { services: readonly { service: string; status: string }[] }) => Object.fromEntries(s.services.map((o) => [o.service, o.status]));
const progressLines = (lines: readonly string[]) => lines.filter((l) => /^deploy: \d+ running/.test(l));

describe('deployServices as a graph', () => {
  it('runs independent services at the same time; a dependent starts only after its dependency finished (recorded); the summary keeps deploy order', async () => {
    const { root, stateDir, out, options } = deploySetup(ENV);
    const meet = rendezvous(2);
    const events: string[] = [];
    const recordAtStart = new Map<string, string | undefined>();
    const fake = fakeSpawner(async (call) => {
      if (call.step === 'record') return undefined;
      if (!recordAtStart.has(call.service)) {
        const dep = call.service === 'app' ? 'idp' : call.service === 'proxy' ? undefined : 'proxy';
        recordAtStart.set(call.service, dep ? (await readDeployRecord(stateDir, dep))?.status : 'none');
      }
      events.push(`start ${call.service}`);
      // idp and solo meet in their playbooks: one after the other, neither would get past it.
      if ((call.service === 'idp' || call.service === 'solo') && call.step === 'config') await meet.arrive();
      events.push(`end ${call.service}`);
      return undefined;
    });
    const summary = await deployServices(fleet(root), options({ spawner: fake.spawner, parallelism: 4 }));
    expect(summary.exitCode).toBe(EXIT.ok);
    expect(summary.services.map((s) => s.service)).toEqual(['proxy', 'idp', 'solo', 'app']);
    const first = (e: string) => events.indexOf(e);
    const last = (e: string) => events.lastIndexOf(e);
    expect(last('end proxy')).toBeLessThan(first('start idp'));
    expect(last('end proxy')).toBeLessThan(first('start solo'));
    expect(last('end idp')).toBeLessThan(first('start app'));
    // Finished means recorded: each dependent's first tool ran after its dependency's record said deployed.
    expect(Object.fromEntries(recordAtStart)).toEqual({ proxy: 'none', idp: 'deployed', solo: 'deployed', app: 'deployed' });
    expect(progressLines(out.lines)).toContain('deploy: 2 running (idp, solo), 1 done, 1 waiting');
    expect(progressLines(out.lines).at(-1)).toBe('deploy: 0 running, 4 done, 0 waiting');
  });

  it('never runs more than `parallelism` services at once (tools in flight and the progress lines)', async () => {
    const { root, out, options } = deploySetup(ENV);
    const units = ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => unitOf(root, n, { infra: false }));
    const meet = rendezvous(2);
    const flight = inFlight();
    const fake = fakeSpawner(async (call) => {
      if (call.step !== 'config') return undefined;
      flight.enter();
      await meet.arrive();
      await yieldTurns();
      flight.leave();
      return undefined;
    });
    const summary = await deployServices(units, options({ spawner: fake.spawner, parallelism: 2 }));
    expect(summary.exitCode).toBe(EXIT.ok);
    expect(flight.max).toBe(2);
    const running = progressLines(out.lines).map((l) => Number(/^deploy: (\d+) running/.exec(l)![1]));
    expect(Math.max(...running)).toBe(2);
    expect(running.length).toBe(12);
  });

  it('a failure skips only its dependents; the other branch, running meanwhile, completes', async () => {
    const { root, options } = deploySetup(ENV);
    let idpFailed!: () => void;
    const failedSeen = new Promise<void>((r) => { idpFailed = r; });
    const fake = fakeSpawner(async (call) => {
      if (call.service === 'idp' && call.step === 'config') {
        idpFailed();
        return { exitCode: 1, stderr: 'fatal: unreachable' };
      }
      // solo's playbook is running while idp fails, and only finishes after it.
      if (call.service === 'solo' && call.step === 'config') await failedSeen;
      return undefined;
    });
    const summary = await deployServices(fleet(root), options({ spawner: fake.spawner, parallelism: 4 }));
    expect(summary.exitCode).toBe(EXIT.failed);
    expect(statuses(summary)).toEqual({ proxy: 'deployed', idp: 'failed', solo: 'deployed', app: 'skipped' });
    expect(summary.services.find((s) => s.service === 'app')!.reason).toBe('depends on idp, which did not deploy');
    expect(fake.calls.filter((c) => c.service === 'app')).toEqual([]);
  });

  it('an interrupt with several services running stops every tool, records each as failed, starts nothing more and releases the locks', async () => {
    const { root, stateDir, out, options } = deploySetup(ENV);
    const units = [
      unitOf(root, 'a', { infra: false }), unitOf(root, 'b', { infra: false }), unitOf(root, 'c', { infra: false }),
      unitOf(root, 'd', { deps: ['a'], infra: false }),
    ];
    const interrupt = new AbortController();
    const flight = inFlight();
    let told = 0;
    const fake = fakeSpawner(async (call, o) => {
      if (call.step !== 'config') return undefined;
      flight.enter();
      // The third tool to start presses Ctrl-C: all three run now.
      if (flight.now === 3) interrupt.abort();
      await new Promise<void>((r) => (o.signal!.aborted ? r() : o.signal!.addEventListener('abort', () => r(), { once: true })));
      told++;
      return { exitCode: undefined, signal: 'SIGINT', interrupted: true, stderr: 'interrupted' };
    });
    const summary = await deployServices(units, options({ spawner: fake.spawner, signal: interrupt.signal, parallelism: 3 }));
    expect(summary.result).toBe('interrupted');
    expect(summary.exitCode).toBe(EXIT.interrupted);
    expect(flight.max).toBe(3);
    expect(told).toBe(3);
    expect(statuses(summary)).toEqual({ a: 'failed', b: 'failed', c: 'failed', d: 'skipped' });
    expect(summary.services.find((s) => s.service === 'd')!.reason).toBe('interrupted before it started');
    for (const name of ['a', 'b', 'c']) {
      const record = (await readDeployRecord(stateDir, name))!;
      expect(record.status).toBe('failed');
      expect(record.failedStep).toBe('config');
    }
    expect(fake.calls.filter((c) => c.service === 'd')).toEqual([]);
    expect(readdirSync(join(stateDir, 'locks'))).toEqual([]);
    expect(out.all()).toContain('deploy: interrupted; the running tools were stopped');
  });

  it.each([1, 2])('at most %i Terraform call(s) at once (the Proxmox API bound), while the services run together', async (bound) => {
    const { root, options } = deploySetup(ENV);
    const units = ['a', 'b', 'c'].map((n) => unitOf(root, n));
    const api = inFlight();
    const inits = rendezvous(bound);
    const playbooks = rendezvous(3);
    const fake = fakeSpawner(async (call) => {
      if (call.step === 'infra') {
        api.enter();
        // The first `bound` inits meet: that many Terraform calls did run at once.
        if (call.args[0] === 'init' && call.service !== 'c') await inits.arrive();
        await yieldTurns();
        api.leave();
      }
      // All three services meet in their playbooks: the services themselves ran together.
      if (call.step === 'config') await playbooks.arrive();
      return undefined;
    });
    const summary = await deployServices(units, options({ spawner: fake.spawner, parallelism: 3, proxmoxApiParallelism: bound }));
    expect(summary.exitCode).toBe(EXIT.ok);
    expect(api.max).toBe(bound);
  });

  it('asks one question at a time, each right after its plan is shown again, in a deploy of services running together', async () => {
    const { root, out, options } = deploySetup(ENV);
    const units = [unitOf(root, 'a'), unitOf(root, 'b')];
    const plans = rendezvous(2);
    const fake = fakeSpawner(async (call) => {
      // Both plans end together: both services want to ask at once.
      if (call.args[0] === 'plan') await plans.arrive();
      return undefined;
    });
    const questions = inFlight();
    const asked: string[] = [];
    const confirm = async (question: string): Promise<boolean> => {
      questions.enter();
      asked.push(question);
      await yieldTurns(10);
      questions.leave();
      return true;
    };
    const summary = await deployServices(units, options({ spawner: fake.spawner, parallelism: 2, yes: false, confirm }));
    expect(summary.exitCode).toBe(EXIT.ok);
    expect(questions.max).toBe(1);
    expect([...asked].sort()).toEqual(['Apply these changes to a? [y/N]', 'Apply these changes to b? [y/N]']);
    for (const name of ['a', 'b']) {
      const again = out.lines.indexOf(`[${name}] the plan again, for the question below:`);
      const next = out.lines.findIndex((l) => l.startsWith(`[${name}] next: `));
      expect(again).toBeGreaterThanOrEqual(0);
      expect(out.lines.slice(again + 1, next)).toEqual([
        `[${name}]   # proxmox_virtual_environment_container.x will be created`, `[${name}] Plan: 1 to add, 0 to change, 0 to destroy.`,
      ]);
    }
  });

  it('a dry run prints the same commands in the same order whatever the parallelism', async () => {
    const a = deploySetup(ENV);
    const one = await deployServices(fleet(a.root), a.options({ dryRun: true, parallelism: 1 }));
    const b = deploySetup(ENV);
    const four = await deployServices(fleet(b.root), b.options({ dryRun: true, parallelism: 4 }));
    const argv = (s: typeof one, root: string) => s.commands.map((c) => `${c.service}: ${[c.file, ...c.args].join(' ').replaceAll(root, '<root>')}`);
    expect(argv(four, b.root)).toEqual(argv(one, a.root));
    expect(four.commands.map((c) => c.service).filter((s, i, all) => all.indexOf(s) === i)).toEqual(['proxy', 'idp', 'solo', 'app']);
  });
});
