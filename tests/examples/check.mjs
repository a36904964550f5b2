// Checks linger's examples without a cluster:
// - every Kubernetes manifest type-checks against the API types of kubernetes-types with tsc
//   (an object literal with a field the type does not have is an error: a misspelled field);
// - every Kubernetes manifest validates against the OpenAPI schemas of kubernetes-models
//   (a value of the wrong type is an error);
// - every file linger's --cacert names is inside one of that container's volume mounts (else
//   the file would not exist in the container);
// - every delay that linger is given fits in the time the platform allows before SIGKILL
//   (terminationGracePeriodSeconds, ECS stopTimeout, Compose stop_grace_period).
//
// Usage: node check.mjs [FILE...]   (default: every file in ../../examples)
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseAllDocuments } from "yaml";

const here = path.dirname(fileURLToPath(import.meta.url));
export const examplesDir = path.resolve(here, "../../examples");
const generatedDir = path.join(here, ".generated");

// apiVersion + kind -> the kubernetes-types module and the kubernetes-models module that describe it.
const kinds = {
  "apps/v1 Deployment": ["apps/v1", "apps/v1/Deployment"],
  "apps/v1 StatefulSet": ["apps/v1", "apps/v1/StatefulSet"],
  "apps/v1 DaemonSet": ["apps/v1", "apps/v1/DaemonSet"],
  "batch/v1 Job": ["batch/v1", "batch/v1/Job"],
  "v1 Pod": ["core/v1", "v1/Pod"],
  "v1 ConfigMap": ["core/v1", "v1/ConfigMap"],
  "v1 Service": ["core/v1", "v1/Service"],
};

// Kubernetes' defaults: what applies when a manifest says nothing.
const defaultGraceSeconds = { kubernetes: 30, ecs: 30, compose: 10 };
const lingerDefaultDelay = 20;

// A Go-style duration (linger's grammar, also Compose's) in seconds; bare numbers are seconds.
export function parseDuration(text) {
  const s = String(text).trim();
  if (/^\d+(\.\d*)?$|^\.\d+$/.test(s)) return Number(s);
  const units = { ns: 1e-9, us: 1e-6, "µs": 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  const part = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;
  let total = 0;
  let at = 0;
  while (at < s.length) {
    part.lastIndex = at;
    const match = part.exec(s);
    if (!match) return NaN;
    total += Number(match[1]) * units[match[2]];
    at = part.lastIndex;
  }
  return s.length ? total : NaN;
}

// How long linger holds the stop back in this argv, in seconds, or 0 when linger is not in it:
// `linger sleep D` (a preStop hook) or `linger exec-with-delay [--delay D]` (the wrapper), also
// after a `wait-http URL --` chain.
export function lingerDelay(argv, env = {}) {
  let delay = 0;
  for (let i = 0; i < argv.length; i++) {
    if (!/(^|\/)linger$/.test(argv[i])) continue;
    const command = argv[i + 1];
    if (command === "sleep") {
      const value = argv.slice(i + 2).find((word) => !Number.isNaN(parseDuration(word)));
      if (value !== undefined) delay = Math.max(delay, parseDuration(value));
    } else if (command === "exec-with-delay") {
      let value = env.LINGER_DELAY ?? `${lingerDefaultDelay}s`;
      for (let j = i + 2; j < argv.length && argv[j].startsWith("-") && argv[j] !== "--"; j++) {
        if (argv[j] === "--delay") value = argv[++j];
        else if (argv[j].startsWith("--delay=")) value = argv[j].slice("--delay=".length);
      }
      delay = Math.max(delay, parseDuration(value));
    }
  }
  return delay;
}

// The seconds `sleep NUMBER[SUFFIX]...` waits, read as coreutils sleep (and linger called by the
// name sleep) reads its operands: decimals, s m h d, infinity, summed. NaN when one is bad.
export function sleepSeconds(operands) {
  const number = /^\s*\+?(\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|inf|infinity)([smhd]?)$/i;
  const units = { "": 1, s: 1, m: 60, h: 3600, d: 86400 };
  let total = 0;
  for (const word of operands) {
    const match = number.exec(word);
    if (!match || !(match[2] in units)) return NaN; // the suffix is lower case only
    total += (/^inf/i.test(match[1]) ? Infinity : Number(match[1])) * units[match[2]];
  }
  return operands.length ? total : NaN;
}

// How long a preStop exec hook waits: a hard-coded `sleep ...` (coreutils', or linger copied to
// that name), or linger's own delay.
export function hookDelay(argv, env = {}) {
  if (/(^|\/)sleep$/.test(argv[0] ?? "")) return sleepSeconds(argv.slice(1));
  return lingerDelay(argv, env);
}

function envOf(container) {
  return Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value]));
}

// The pod spec inside a workload, whatever its kind.
function podSpecOf(object) {
  if (object.kind === "Pod") return object.spec;
  return object.spec?.template?.spec;
}

function checkPodDelays(podSpec, label, errors) {
  if (!podSpec) return;
  const grace = podSpec.terminationGracePeriodSeconds ?? defaultGraceSeconds.kubernetes;
  for (const container of podSpec.containers ?? []) {
    const env = envOf(container);
    const preStop = container.lifecycle?.preStop;
    const delays = [
      lingerDelay([...(container.command ?? []), ...(container.args ?? [])], env),
      hookDelay(preStop?.exec?.command ?? [], env),
      preStop?.sleep?.seconds ?? 0,
    ];
    const delay = Math.max(...delays);
    if (Number.isNaN(delay)) {
      errors.push(`${label}: container ${container.name}: a delay does not parse`);
    } else if (delay >= grace) {
      errors.push(
        `${label}: container ${container.name}: delay ${delay}s does not fit in ` +
          `terminationGracePeriodSeconds ${grace}: SIGKILL would come first`,
      );
    }
  }
}

// The files given to --cacert in this argv.
export function cacertFiles(argv) {
  const files = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--") break;
    if (argv[i] === "--cacert" && i + 1 < argv.length) files.push(argv[++i]);
    else if (argv[i].startsWith("--cacert=")) files.push(argv[i].slice("--cacert=".length));
  }
  return files;
}

function checkPodMounts(podSpec, label, errors) {
  if (!podSpec) return;
  for (const container of [...(podSpec.initContainers ?? []), ...(podSpec.containers ?? [])]) {
    const argv = [...(container.command ?? []), ...(container.args ?? [])];
    const mounts = (container.volumeMounts ?? []).map((m) => m.mountPath.replace(/\/*$/, "/"));
    for (const file of cacertFiles(argv)) {
      if (!mounts.some((mount) => file.startsWith(mount))) {
        errors.push(
          `${label}: container ${container.name}: --cacert ${file} is not in any of its ` +
            `volumeMounts: the file would not exist`,
        );
      }
    }
  }
}

function readDocuments(file) {
  const text = fs.readFileSync(file, "utf8");
  if (file.endsWith(".json")) return [JSON.parse(text)];
  // YAML 1.1, as kubectl and Docker read it: 0755 is octal.
  const documents = parseAllDocuments(text, { version: "1.1" });
  for (const document of documents) {
    if (document.errors.length) throw new Error(document.errors[0].message);
  }
  return documents.map((d) => d.toJS()).filter((object) => object != null);
}

function checkEcs(task, label, errors) {
  for (const container of task.containerDefinitions ?? []) {
    const env = Object.fromEntries((container.environment ?? []).map((e) => [e.name, e.value]));
    const delay = lingerDelay([...(container.entryPoint ?? []), ...(container.command ?? [])], env);
    const timeout = container.stopTimeout ?? defaultGraceSeconds.ecs;
    if (!Number.isInteger(timeout) || timeout < 2 || timeout > 120) {
      errors.push(`${label}: container ${container.name}: stopTimeout must be 2 to 120 seconds`);
    } else if (delay >= timeout) {
      errors.push(
        `${label}: container ${container.name}: delay ${delay}s does not fit in ` +
          `stopTimeout ${timeout}: SIGKILL would come first`,
      );
    }
  }
}

function asArgv(value) {
  if (value == null) return [];
  return Array.isArray(value) ? value.map(String) : String(value).split(/\s+/);
}

function checkCompose(project, label, errors) {
  for (const [name, service] of Object.entries(project.services ?? {})) {
    const env = Array.isArray(service.environment)
      ? Object.fromEntries(service.environment.map((e) => e.split("=", 2)))
      : (service.environment ?? {});
    const delay = lingerDelay([...asArgv(service.entrypoint), ...asArgv(service.command)], env);
    const grace = service.stop_grace_period
      ? parseDuration(service.stop_grace_period)
      : defaultGraceSeconds.compose;
    if (Number.isNaN(grace)) {
      errors.push(`${label}: service ${name}: bad stop_grace_period '${service.stop_grace_period}'`);
    } else if (delay >= grace) {
      errors.push(
        `${label}: service ${name}: delay ${delay}s does not fit in ` +
          `stop_grace_period ${grace}s: SIGKILL would come first`,
      );
    }
  }
}

// Type-checks every manifest with tsc, each as an object literal of its kubernetes-types type.
function typeCheck(manifests, errors) {
  if (!manifests.length) return;
  fs.rmSync(generatedDir, { recursive: true, force: true });
  fs.mkdirSync(generatedDir);
  const labels = new Map();
  const files = manifests.map(({ object, label, typesModule }, i) => {
    const file = path.join(generatedDir, `manifest${i}.ts`);
    fs.writeFileSync(
      file,
      `import type { ${object.kind} } from "kubernetes-types/${typesModule}";\n` +
        `export const manifest: ${object.kind} = ${JSON.stringify(object, null, 2)};\n`,
    );
    labels.set(path.basename(file), label);
    return file;
  });
  const tsc = path.join(here, "node_modules/typescript/bin/tsc");
  const flags = ["--noEmit", "--strict", "--pretty", "false", "--target", "es2022"];
  flags.push("--module", "esnext", "--moduleResolution", "bundler");
  try {
    execFileSync(process.execPath, [tsc, ...flags, ...files], { encoding: "utf8" });
  } catch (failure) {
    if (failure.stdout == null) throw failure;
    const lines = failure.stdout.split("\n").filter((line) => line.includes("error TS"));
    if (!lines.length) throw new Error(`tsc failed: ${failure.stdout}${failure.stderr}`);
    for (const line of lines) {
      const match = /(manifest\d+\.ts)\(\d+,\d+\): (.*)/.exec(line);
      const label = match ? labels.get(match[1]) : undefined;
      errors.push(label ? `${label}: tsc: ${match[2]}` : `tsc: ${line}`);
    }
  } finally {
    fs.rmSync(generatedDir, { recursive: true, force: true });
  }
}

// Checks `files`; returns one line per problem, empty when all is well.
export async function check(files) {
  const errors = [];
  const manifests = [];
  for (const file of files) {
    const name = path.relative(process.cwd(), file);
    let documents;
    try {
      documents = readDocuments(file);
    } catch (error) {
      errors.push(`${name}: does not parse: ${error.message}`);
      continue;
    }
    for (const [i, object] of documents.entries()) {
      if (object.containerDefinitions) {
        checkEcs(object, name, errors);
        continue;
      }
      if (object.services && !object.apiVersion) {
        checkCompose(object, name, errors);
        continue;
      }
      const label = `${name} (document ${i + 1}, ${object.kind} ${object.metadata?.name})`;
      const modules = kinds[`${object.apiVersion} ${object.kind}`];
      if (!modules) {
        errors.push(`${label}: apiVersion ${object.apiVersion} kind ${object.kind} is not known here`);
        continue;
      }
      const [typesModule, modelsModule] = modules;
      manifests.push({ object, label, typesModule });
      const models = await import(`kubernetes-models/${modelsModule}`);
      try {
        new models[object.kind](object).validate();
      } catch (error) {
        errors.push(`${label}: kubernetes-models: ${error.message}`);
      }
      checkPodDelays(podSpecOf(object), label, errors);
      checkPodMounts(podSpecOf(object), label, errors);
    }
  }
  typeCheck(manifests, errors);
  return errors;
}

// Every example file: Kubernetes manifests, ECS task definitions, Compose files.
export function exampleFiles() {
  const found = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(ya?ml|json)$/.test(entry.name)) found.push(full);
    }
  };
  walk(examplesDir);
  return found.sort();
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const files = process.argv.length > 2 ? process.argv.slice(2).map((f) => path.resolve(f)) : exampleFiles();
  const errors = await check(files);
  for (const error of errors) console.error(`check: ${error}`);
  if (errors.length) process.exit(1);
  console.log(`check: ${files.length} example files are valid`);
}
