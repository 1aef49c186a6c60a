// LISTEN_HOST: the address a service's HTTP server binds. All interfaces in a pod; loopback
// for local runs and tests.

import { z } from "zod";
import { envVar } from "./config";

export const listenHost = envVar(z.string().min(1).default("0.0.0.0"), "an address to bind, e.g. 0.0.0.0 or 127.0.0.1 (default 0.0.0.0)");
