// `helm lint --strict` of the library chart and of every service chart with each environment's values.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { serviceNames } from "../../model/access";
import { Helm, stackEnvs } from "./helm";

let helm: Helm;
before(() => {
  helm = Helm.prepare();
});
after(() => helm?.cleanup());

describe("helm lint --strict", () => {
  it("passes the library chart", () => {
    const r = helm.run(["lint", "--strict", helm.chartDir("platform-lib")]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });

  for (const service of serviceNames) {
    for (const env of stackEnvs) {
      it(`passes the ${service} chart with its ${env} values`, () => {
        const r = helm.run(["lint", "--strict", helm.chartDir(service), "-f", helm.ciValues(service, env)]);
        assert.equal(r.status, 0, r.stdout + r.stderr);
        assert.match(r.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
      });
    }
  }
});
