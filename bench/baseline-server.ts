// The ingest baseline: a bare Node HTTP server that does what any ingest endpoint must do and
// nothing more: read the body, parse it as JSON, answer 202 with a fresh id. The gateway's
// throughput is reported as a share of this one's, on the same machine, under the same load.

import { serveBaseline } from "./baseline-http";

serveBaseline(() => undefined);
