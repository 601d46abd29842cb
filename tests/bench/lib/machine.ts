/** What the numbers were measured on, recorded with every run. */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { adminQuery } from './db.js';

export interface MachineInfo {
  os: string;
  cpuModel: string;
  cpuCount: number;
  totalMemoryGiB: number;
  node: string;
  postgres: string;
  fdLimit: string;
  loadAverageAtStart: number[];
  postgresSettings: Record<string, string>;
}

export async function machineInfo(): Promise<MachineInfo> {
  const cpus = os.cpus();
  let postgres = 'unknown';
  let postgresSettings: Record<string, string> = {};
  try {
    postgres = (await adminQuery<{ server_version: string }>('SHOW server_version'))[0].server_version;
    const rows = await adminQuery<{ name: string; setting: string }>(
      `SELECT name, setting FROM pg_settings
        WHERE name IN ('fsync', 'synchronous_commit', 'wal_sync_method', 'commit_delay', 'shared_buffers', 'max_connections')`,
    );
    postgresSettings = Object.fromEntries(rows.map((row) => [row.name, row.setting]));
  } catch (error) {
    postgres = `unreachable (${(error as Error).message})`;
  }
  let fdLimit = 'unknown';
  try {
    fdLimit = execFileSync('sh', ['-c', 'echo "soft $(ulimit -Sn), hard $(ulimit -Hn)"'], { encoding: 'utf8' }).trim();
  } catch {
    // Leave it unknown.
  }
  return {
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    cpuModel: cpus[0]?.model ?? 'unknown',
    cpuCount: cpus.length,
    totalMemoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    postgres,
    fdLimit,
    loadAverageAtStart: os.loadavg().map((value) => Math.round(value * 100) / 100),
    postgresSettings,
  };
}
