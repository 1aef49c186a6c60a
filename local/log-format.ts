// The services log JSON (pino) for machines; the local platform shows people one short line
// per entry: time, level, message, then the remaining fields.

const levels: Record<number, string> = { 10: "TRACE", 20: "DEBUG", 30: "INFO", 40: "WARN", 50: "ERROR", 60: "FATAL" };
const omitted = new Set(["level", "time", "msg", "pid", "hostname", "service"]);

export function formatLogLine(line: string): string {
  if (!line.startsWith("{")) return line;
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const time = typeof entry.time === "number" ? new Date(entry.time).toISOString().slice(11, 23) : "";
  const level = levels[entry.level as number] ?? String(entry.level ?? "");
  const rest = Object.entries(entry)
    .filter(([k]) => !omitted.has(k))
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(" ");
  return `${time} ${level.padEnd(5)} ${String(entry.msg ?? "")}${rest ? `  ${rest}` : ""}`;
}
