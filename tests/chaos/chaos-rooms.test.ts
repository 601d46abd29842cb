import { describe, expect, it } from 'vitest';
import { formatReport, runChaos } from './chaos.js';
import { SHORT_RUN } from './short-run.js';

/**
 * R1 across rooms: the short run's faults with groups created and members
 * added, removed and leaving under fire. `npm run chaos:rooms` only (the
 * chaos project excludes this file unless CHAOS_ROOMS is set): it is not yet
 * green. About 4 in 10 runs find client bugs (a room cursor left behind
 * entries the device holds; a member re-added to a group never relisting
 * it; one client looping on catch-up writes until the run times out); see
 * the README's chaos table. It goes into `npm test` once they are fixed.
 */
describe('R1 chaos across rooms', () => {
  it('[R1][M4][M5][E1] 8 clients across several rooms with group creation and membership changes mixed into the traffic: nothing lost, nothing twice, every client\'s rooms and timelines equal the server\'s', async () => {
    const report = await runChaos({ ...SHORT_RUN, rooms: { groups: 3, membershipChanges: 6 } });
    console.log(formatReport(report));

    // The harness's checks include, per room: messages ∪ room_events seqs
    // 1..last_seq; every device's room list the server's; every device's
    // entries of each of its rooms the log's tail up to last_seq, its cursor
    // last_seq, nothing of a room it is not in; a message missing only when
    // refused (unknown_room) after its author was removed or left.
    expect(report.problems).toEqual([]);
    expect(report.settled).toBe(true);
    expect(report.lost).toBe(0);
    expect(report.duplicated).toBe(0);
    expect(report.messages).toBe(8 * 30);
    expect(report.stored + report.refused).toBe(report.messages);
    expect(report.groups).toBe(3);
    expect(report.membershipChanges).toBe(6);
    expect(report.kills).toBe(1);
    expect(report.cuts).toBeGreaterThan(0);
  }, 180_000);
});
