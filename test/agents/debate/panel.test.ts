import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildPanel } from "../../../lib/agents/debate/panel";

test("panel: endpoints by name share a client; inline URLs; defaults and errors", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-panel-"));
  const file = path.join(dir, "endpoints.json");
  fs.writeFileSync(file, JSON.stringify({ endpoints: { local: { baseURL: "http://127.0.0.1:8000/v1", model: "tiny" } } }));
  try {
    const p = buildPanel(
      {
        debaters: [
          { name: "A", endpoint: "local", system: "a" },
          { name: "B", endpoint: "local", system: "b", model: "other", temperature: 0.5 },
        ],
        judge: { name: "J", baseURL: "http://x/v1", apiKeyEnv: "JK", model: "big", system: "j" },
      },
      "panel.json",
      file,
      { JK: "secret" },
    );
    assert.deepEqual([p.rounds, p.labels], [2, ["signal", "background"]]);
    assert.deepEqual(p.debaters.map((d) => d.model), ["tiny", "other"]);
    assert.equal(p.debaters[0].client, p.debaters[1].client);
    assert.equal(p.debaters[1].temperature, 0.5);
    assert.notEqual(p.judge.client, p.debaters[0].client);
    assert.throws(() => buildPanel({ debaters: [], judge: { name: "J", system: "" } }, "p.json", file, {}), /p.json: "debaters" must be a non-empty array/);
    assert.throws(() => buildPanel({ debaters: [{ name: "A", baseURL: "http://x/v1", system: "" }], judge: { name: "J", endpoint: "local", system: "" } }, "p.json", file, {}), /debaters\[0\]\.model is required/);
    assert.throws(() => buildPanel({ debaters: [{ name: "A", endpoint: "local", system: "" }], judge: { name: "J", baseURL: "http://x/v1", apiKeyEnv: "NOPE", model: "m", system: "" } }, "p.json", file, {}), /judge\.apiKeyEnv: \$NOPE is not set/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
