import { describe, expect, it } from 'vitest';
import { appWith, expectNone, only, withDefs } from './helpers.ts';

// app sits on n2: 8 cores, 16 GiB; the lab allows 3x CPU and 2x RAM overcommit, so a 10-core
// guest passes the node's ratio (10 + others <= 24) but cannot run on 8 cores.
const sized = (cores: number, memoryMiB: number) => appWith({ resources: { cores, memoryMiB, disks: [{ storage: 'local', sizeGiB: 8 }] } });

describe('capacity: one guest larger than its node', () => {
  it('passes a guest as large as its node', () => {
    expectNone(withDefs(sized(8, 16384)), 'GuestCoresExceedNode', 'GuestMemoryExceedsNode');
  });
  it('GuestCoresExceedNode: more cores than the node has, within the overcommit ratio', () => {
    const problems = withDefs(sized(10, 1024));
    expect(only(problems, 'CpuOvercommitExceeded')).toEqual([]);
    expect(only(problems, 'GuestCoresExceedNode')).toEqual([expect.objectContaining({ source: 'packages/app', path: 'resources.cores', received: 10 })]);
    expect(only(problems, 'GuestCoresExceedNode')[0]!.message).toContain('n2 has only 8');
  });
  it('GuestMemoryExceedsNode: more RAM than the node has, within the overcommit ratio', () => {
    const problems = withDefs(sized(1, 20480));
    expect(only(problems, 'MemoryOvercommitExceeded')).toEqual([]);
    expect(only(problems, 'GuestMemoryExceedsNode')).toEqual([expect.objectContaining({ source: 'packages/app', path: 'resources.memoryMiB', received: 20480 })]);
  });
  it('names an extra guest by its index in guests', () => {
    const cluster = appWith({ guests: [{ name: 'big-vm', kind: 'vm', placement: 'vm', tier: 'normal', resources: { cores: 9, memoryMiB: 1024, disks: [{ storage: 'local', sizeGiB: 8 }] } }] });
    expect(only(withDefs(cluster), 'GuestCoresExceedNode').map((p) => p.path)).toEqual(['guests[0].resources.cores']);
  });
});
