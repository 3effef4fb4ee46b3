// Text from crawls, made safe to print on a terminal.

/**
 * A value from a crawl as terminal text: control characters (C0 but tab, DEL, C1) removed, so a URL or title
 * cannot move the cursor, clear the screen or set the window's title (ESC ] 0; ... BEL).
 */
export const terminalSafe = (s: string): string => s.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g, '')
