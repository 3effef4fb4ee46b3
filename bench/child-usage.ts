// Runs a command as a child process and reports what it cost, measured by the kernel rather than sampled: wall
// time, CPU seconds of every thread and every child it waited for, and its peak resident memory (GNU time, which
// reads them from wait4's resource usage).
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

const GNU_TIME = '/usr/bin/time'

export interface ChildUsage {
  readonly wallS: number
  /** User + system CPU seconds, all threads and waited-for children. */
  readonly cpuS: number
  /** Peak resident set of the largest process (the child itself, or one of its children), bytes. */
  readonly peakRss: number
  readonly stdout: string
  readonly stderr: string
}

export async function runMeasured(cmd: string, args: readonly string[], opts: { cwd?: string } = {}): Promise<ChildUsage> {
  if (!existsSync(GNU_TIME)) throw new Error(`${GNU_TIME} is needed to measure a child's CPU and memory: apt-get install time`)
  const out = path.join(os.tmpdir(), `canopy-usage-${process.pid}-${Date.now()}.txt`)
  const child = spawn(GNU_TIME, ['-f', '%e %U %S %M', '-o', out, cmd, ...args], { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (s: string) => {
    stdout += s
  })
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    stderr += s
  })
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', resolve)
  })
  const usage = await readFile(out, 'utf8').finally(async () => await rm(out, { force: true }))
  if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${code}:\n${stderr.slice(-2000)}`)
  // GNU time writes a "Command exited with non-zero status" line first on failure; the figures are the last line.
  const [wall, user, sys, maxKb] = usage.trim().split('\n').at(-1)!.split(' ').map(Number)
  return { wallS: wall, cpuS: user + sys, peakRss: maxKb * 1024, stdout, stderr }
}
