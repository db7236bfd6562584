/**
 * Whether a process of this machine is alive. Signal 0 tests without signalling: ESRCH says
 * there is no such process; EPERM says there is one (of another user).
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
