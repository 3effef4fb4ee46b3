// Reads that go over the network are started side by side, but their errors must not depend on timing: the
// error a search reports is the one its first failing read (in query order) met, as if they ran one by one.

/** Awaits every promise; rejects with the first rejection in list order, once all have settled. */
export async function allInOrder<T extends readonly unknown[]>(tasks: T): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const settled = await Promise.allSettled(tasks)
  for (const s of settled) if (s.status === 'rejected') throw s.reason
  return settled.map(s => (s as PromiseFulfilledResult<unknown>).value) as { -readonly [K in keyof T]: Awaited<T[K]> }
}
