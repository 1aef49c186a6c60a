// RFC 9457 problem details: the one shape of every HTTP error the services send.
// Handlers throw an HttpProblem; the server's error handler (server.ts) writes it.

export const problemContentType = "application/problem+json";

export interface FieldError {
  /** JSON pointer to the field at fault ("/data/amount", "/2/type"), or a parameter name. */
  path: string;
  message: string;
}

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

const titles: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/** Problem type URIs: a stable name per kind of fault, for clients to branch on. */
const typeBase = "urn:webhooks:problem:";

export class HttpProblem extends Error {
  readonly headers: Record<string, string>;
  readonly extensions: Record<string, unknown>;
  constructor(
    readonly status: number,
    /** Short kebab-case kind, e.g. "schema-violation"; becomes the `type` URI. */
    readonly kind: string,
    readonly detail: string,
    readonly errors?: FieldError[],
    options: { headers?: Record<string, string>; extensions?: Record<string, unknown> } = {},
  ) {
    super(detail);
    this.name = "HttpProblem";
    this.headers = options.headers ?? {};
    this.extensions = options.extensions ?? {};
  }

  toDocument(): ProblemDocument {
    return problemDocument(this.status, this.kind, this.detail, this.errors, this.extensions);
  }
}

export function problemDocument(status: number, kind: string, detail: string, errors?: FieldError[], extensions: Record<string, unknown> = {}): ProblemDocument {
  return {
    ...extensions,
    type: `${typeBase}${kind}`,
    title: titles[status] ?? (status >= 500 ? "Server Error" : "Client Error"),
    status,
    detail,
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
}

/** Shorthands for the common cases. */
export const problems = {
  badRequest: (detail: string, errors?: FieldError[]) => new HttpProblem(400, "bad-request", detail, errors),
  validation: (detail: string, errors: FieldError[]) => new HttpProblem(400, "invalid-request", detail, errors),
  unauthorized: (detail: string) => new HttpProblem(401, "unauthorized", detail, undefined, { headers: { "www-authenticate": "Bearer" } }),
  forbidden: (detail: string, errors?: FieldError[]) => new HttpProblem(403, "forbidden", detail, errors),
  notFound: (detail: string, errors?: FieldError[]) => new HttpProblem(404, "not-found", detail, errors),
  conflict: (detail: string, errors?: FieldError[]) => new HttpProblem(409, "conflict", detail, errors),
  unavailable: (detail: string, retryAfterSeconds = 1) =>
    new HttpProblem(503, "unavailable", detail, undefined, { headers: { "retry-after": String(retryAfterSeconds) } }),
};
