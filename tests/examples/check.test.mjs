// The examples checker accepts every example and rejects each kind of mistake it exists for.
// One check() over everything: tsc takes seconds to start, so it runs once.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { before, test } from "node:test";
import { fileURLToPath } from "node:url";
import {
  cacertFiles,
  check,
  exampleFiles,
  hookDelay,
  lingerDelay,
  parseDuration,
  sleepSeconds,
} from "./check.mjs";

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures");
const examples = exampleFiles();
let errors = [];

// The problems reported for one file, found by the name every line starts with.
const errorsFor = (name) => errors.filter((e) => e.startsWith(name) || e.includes(`/${name}`));

before(async () => {
  const bad = fs.readdirSync(fixtures).map((name) => path.join(fixtures, name));
  errors = await check([...examples, ...bad]);
});

test("every example is valid", () => {
  assert.ok(examples.length >= 8, `only ${examples.length} example files found`);
  assert.deepEqual(errors.filter((e) => !e.includes("fixtures/")), []);
});

test("a misspelled field is rejected by the type check, naming the field", () => {
  const found = errorsFor("misspelled-field.yaml");
  assert.equal(found.length, 1, found.join("\n"));
  assert.match(found[0], /misspelled-field\.yaml \(document 1, Deployment api\): tsc: /);
  assert.match(found[0], /'"?comand"?' does not exist in type 'ExecAction'/);
});

test("a value of the wrong type is rejected by kubernetes-models", () => {
  const found = errorsFor("wrong-type.yaml");
  assert.ok(
    found.some((e) => /kubernetes-models: .*containerPort must be integer/.test(e)),
    found.join("\n"),
  );
});

test("a linger delay longer than the grace period is rejected", () => {
  for (const name of [
    "delay-over-grace.yaml",
    "wrapper-default-delay-over-grace.yaml",
    "ecs-stop-timeout-short.json",
    "compose-grace-short.yaml",
    "hardcoded-sleep-over-grace.yaml",
  ]) {
    const found = errorsFor(name);
    assert.equal(found.length, 1, `${name}: ${found.join("\n")}`);
    assert.match(found[0], /does not fit in .*SIGKILL would come first/);
  }
});

test("a --cacert file outside the container's volume mounts is rejected", () => {
  const found = errorsFor("cacert-not-mounted.yaml");
  assert.equal(found.length, 1, found.join("\n"));
  assert.match(found[0], /--cacert \/etc\/ca\/ca\.crt is not in any of its volumeMounts/);
  assert.deepEqual(cacertFiles(["wait-http", "--cacert", "/a", "--cacert=/b", "--", "--cacert", "/c"]), [
    "/a",
    "/b",
  ]);
});

test("durations and delays are read as linger reads them", () => {
  assert.equal(parseDuration("20"), 20);
  assert.equal(parseDuration("1m30s"), 90);
  assert.equal(parseDuration("1.5s"), 1.5);
  assert.equal(parseDuration("500ms"), 0.5);
  assert.ok(Number.isNaN(parseDuration("1m30")));
  assert.equal(lingerDelay(["/linger", "sleep", "--log", "/proc/1/fd/2", "25s"]), 25);
  assert.equal(lingerDelay(["/linger", "exec-with-delay", "--", "/app"]), 20);
  assert.equal(lingerDelay(["/linger", "exec-with-delay", "/app", "--delay", "99s"]), 20);
  assert.equal(lingerDelay(["linger", "exec-with-delay", "--delay=5s", "--", "/app"]), 5);
  assert.equal(lingerDelay(["/l/linger", "exec-with-delay", "/app"], { LINGER_DELAY: "7" }), 7);
  assert.equal(lingerDelay(["/app"]), 0);
});

test("a hard-coded sleep hook is read as coreutils sleep reads it", () => {
  assert.equal(sleepSeconds(["20"]), 20);
  assert.equal(sleepSeconds(["1m", "30s"]), 90);
  assert.equal(sleepSeconds([".5", "1e1", "0.5m"]), 40.5);
  assert.equal(sleepSeconds(["1d"]), 86400);
  assert.equal(sleepSeconds(["infinity"]), Infinity);
  for (const bad of [[], ["20x"], ["1m30s"], ["1S"], ["-1"], ["nan"]]) {
    assert.ok(Number.isNaN(sleepSeconds(bad)), JSON.stringify(bad));
  }
  assert.equal(hookDelay(["sleep", "20"]), 20);
  assert.equal(hookDelay(["/bin/sleep", "25"]), 25);
  assert.equal(hookDelay(["/linger", "sleep", "--quiet", "15s"]), 15);
  assert.equal(hookDelay(["/app", "sleep", "99"]), 0);
});
