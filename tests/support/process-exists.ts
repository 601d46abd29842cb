/** Whether a process (or, for a negative PID, any process of that group) still exists; a zombie counts as existing. */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
