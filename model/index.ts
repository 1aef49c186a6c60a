// The shared model: plain TypeScript, no Pulumi, no AWS SDK. See docs/architecture.md.
export * from "./tables";
export * from "./topics";
export * from "./secrets";
export * from "./access";
export * from "./ports";
