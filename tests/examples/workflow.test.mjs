// The release workflow is valid against GitHub's workflow schema (action-validator), and the
// validator rejects a workflow with a mistake, so that its acceptance means something.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const workflows = path.join(here, "..", "..", ".github", "workflows");
const validator = path.join(here, "node_modules", ".bin", "action-validator");

const validate = (file) => spawnSync(validator, [file], { encoding: "utf8" });

test("every workflow is valid against the schema", () => {
  const files = fs.readdirSync(workflows).filter((name) => /\.ya?ml$/.test(name));
  assert.ok(files.includes("release.yml"), `workflows: ${files.join(", ")}`);
  for (const name of files) {
    const result = validate(path.join(workflows, name));
    assert.equal(result.status, 0, `${name}: ${result.stdout}${result.stderr}`);
  }
});

test("a workflow with a misspelled key is rejected", () => {
  const result = validate(path.join(here, "workflow-fixtures", "misspelled-runs-on.yml"));
  assert.equal(result.status, 1, result.stdout + result.stderr);
  assert.match(result.stdout + result.stderr, /Additional property 'runs_on' is not allowed/);
});
