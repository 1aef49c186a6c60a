// Listening ports of the services and of the local engines, and the environment variables
// that move them locally. Charts, the local runner and the tests take them from here.

export const servicePorts = {
  gateway: { port: 8080, envVar: "GATEWAY_PORT" },
  admin: { port: 8081, envVar: "ADMIN_PORT" },
  /** The processor and the dispatcher serve only /healthz, /readyz and /metrics. */
  processor: { port: 8082, envVar: "PROCESSOR_PORT" },
  dispatcher: { port: 8083, envVar: "DISPATCHER_PORT" },
} as const;

export const localEnginePorts = {
  kafka: { port: 9092, envVar: "KAFKA_PORT" },
  dynamodb: { port: 8000, envVar: "DYNAMODB_PORT" },
  receiver: { port: 8090, envVar: "RECEIVER_PORT" },
} as const;

/** MSK with SASL/IAM over TLS listens on this port; the security groups admit it and nothing wider. */
export const mskIamPort = 9098;
