// PromQL read with the Prometheus project's own grammar (@prometheus-io/lezer-promql), for the
// tests that check the rules' and dashboards' expressions against the services' metrics.

import { parser } from "@prometheus-io/lezer-promql";

export interface Selector {
  metric: string;
  /** Label matchers as written: `result=~"a|b"` gives { label: "result", op: "=~", value: "a|b" }. */
  matchers: { label: string; op: string; value: string }[];
}

export interface ParsedExpression {
  selectors: Selector[];
  /** Parse errors with their offset; empty for a valid expression. */
  errors: string[];
}

export function parsePromql(expr: string): ParsedExpression {
  const tree = parser.parse(expr);
  const selectors: Selector[] = [];
  const errors: string[] = [];
  const text = (from: number, to: number) => expr.slice(from, to);
  const cursor = tree.cursor();
  do {
    if (cursor.type.isError) errors.push(`syntax error at ${cursor.from}: ${JSON.stringify(text(Math.max(0, cursor.from - 20), cursor.to + 20))}`);
    if (cursor.name !== "VectorSelector") continue;
    const node = cursor.node;
    const identifier = node.getChild("Identifier");
    if (!identifier) continue;
    const matchers: Selector["matchers"] = [];
    for (const m of node.getChild("LabelMatchers")?.getChildren("UnquotedLabelMatcher") ?? []) {
      const label = m.getChild("LabelName");
      const op = m.getChild("MatchOp");
      const value = m.getChild("StringLiteral");
      if (label && op && value) matchers.push({ label: text(label.from, label.to), op: text(op.from, op.to), value: JSON.parse(text(value.from, value.to)) as string });
    }
    selectors.push({ metric: text(identifier.from, identifier.to), matchers });
  } while (cursor.next());
  return { selectors, errors };
}

/** The alternatives of a label matcher's value: `a|b` gives [a, b] (only for plain alternations). */
export function alternatives(value: string): string[] {
  return value.split("|");
}
