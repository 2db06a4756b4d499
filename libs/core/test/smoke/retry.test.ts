import { describe, expect, it } from 'vitest';
import { assertProbe, formatProbeResult, ProbeError, probeFailed, probeOk, type ProbeResult } from '../../src/smoke/probe-result.ts';
import { retry } from '../../src/smoke/retry.ts';

/** A probe that fails `failures` times, then passes; counts its calls. */
function flaky(failures: number) {
  const calls: number[] = [];
  const probe = async (attempt: number): Promise<ProbeResult> => {
    calls.push(attempt);
    return calls.length > failures ? probeOk('https://svc.example.test/', 'status 200') : probeFailed('https://svc.example.test/', `expected status 200, got 502`);
  };
  return { probe, calls };
}

describe('retry', () => {
  it('stops at the first pass and reports the attempts made', async () => {
    const { probe, calls } = flaky(2);
    const seen: number[] = [];
    const result = await retry(probe, { attempts: 5, delayMs: 1, onAttempt: (_r, attempt) => seen.push(attempt) });
    expect(result).toEqual({ ok: true, target: 'https://svc.example.test/', detail: 'status 200', attempts: 3 });
    expect(calls).toEqual([1, 2, 3]);
    expect(seen).toEqual([1, 2, 3]);
  });

  it('gives up after the bound with the last failure', async () => {
    const { probe, calls } = flaky(10);
    const result = await retry(probe, { attempts: 4, delayMs: 0 });
    expect(calls).toHaveLength(4);
    expect(formatProbeResult(result)).toBe('https://svc.example.test/: expected status 200, got 502 after 4 attempts');
  });

  it('tries once with attempts: 1', async () => {
    const { probe, calls } = flaky(10);
    expect((await retry(probe, { attempts: 1 })).attempts).toBe(1);
    expect(calls).toHaveLength(1);
  });

  it.each([0, -1, 2.5, Number.POSITIVE_INFINITY])('rejects attempts: %s', async (attempts) => {
    const { probe, calls } = flaky(0);
    await expect(retry(probe, { attempts })).rejects.toThrow(RangeError);
    expect(calls).toHaveLength(0);
  });

  it('lets an error thrown by the probe through at once', async () => {
    let calls = 0;
    const probe = async (): Promise<ProbeResult> => {
      calls++;
      throw new TypeError('bad input');
    };
    await expect(retry(probe, { attempts: 3, delayMs: 0 })).rejects.toThrow('bad input');
    expect(calls).toBe(1);
  });
});

describe('assertProbe', () => {
  it('throws a ProbeError with the formatted message on failure', () => {
    const failed = { ...probeFailed('svc.example.test:443', 'expected the TCP port to accept a connection, got ECONNREFUSED'), attempts: 2 };
    expect(() => assertProbe(failed)).toThrow(new ProbeError(failed));
    expect(() => assertProbe(failed)).toThrow('svc.example.test:443: expected the TCP port to accept a connection, got ECONNREFUSED after 2 attempts');
  });

  it('returns quietly on a pass', () => {
    expect(() => assertProbe(probeOk('svc.example.test:443', 'TCP port open'))).not.toThrow();
  });
});
