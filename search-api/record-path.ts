// Where this server serves one capture: its record route, by document (hex id) and the capture's place among
// that document's captures, naming the index when the request did.

export function recordPath(doc: string, n: number, index?: string): string {
  return `/api/v1/documents/${doc}/captures/${n}/record${index === undefined ? '' : `?index=${encodeURIComponent(index)}`}`
}
