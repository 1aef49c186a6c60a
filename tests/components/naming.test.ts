import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { componentTags, defaultTags, fixedNames, logGroupName, resourceName } from "../../components/naming";

describe("naming", () => {
  it("names resources webhooks-{env}-{component}", () => {
    assert.equal(resourceName("dev", "msk-ingress"), "webhooks-dev-msk-ingress");
    assert.equal(logGroupName("prod", "vpc-flow-logs"), "/webhooks/prod/vpc-flow-logs");
  });

  it("keeps the names the blueprint fixes exactly", () => {
    assert.equal(fixedNames.eventsSecurityGroup("staging"), "platform-events-staging-sg");
    assert.equal(fixedNames.sharedSecurityGroup, "platform-shared");
    assert.equal(fixedNames.mskLogGroup, "/platform/msk");
  });

  it("tags stack-wide through the provider and per component on each resource", () => {
    assert.deepEqual(defaultTags({ environment: "prod", owner: "team", costCenter: "CC-1" }), {
      environment: "prod",
      owner: "team",
      "cost-center": "CC-1",
      project: "webhooks",
      "managed-by": "pulumi",
    });
    assert.deepEqual(componentTags("network", { Name: "x" }), { component: "network", Name: "x" });
  });
});
