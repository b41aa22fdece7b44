// Runs a Dockerfile's build steps as plain commands, for a machine without a Docker engine: each
// stage gets a folder standing for its root file system, COPY takes files from the build context
// (filtered by .dockerignore) or from an earlier stage, RUN runs in /bin/sh in the stage's WORKDIR
// with the stage's ENV and HOME inside the stage, and a BuildKit cache mount
// (RUN --mount=type=cache,target=…) is a folder kept between runs, as BuildKit keeps it between
// builds. What needs an engine (the base image's own files, USER switching) is recorded, not
// emulated: the commands run with this machine's Node.js and npm.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, statSync, symlinkSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { DockerIgnore } from './dockerignore.js';

export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

/** Instructions, with comments dropped and `\` continuations joined. */
export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending: { text: string; line: number } | undefined;
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (pending === undefined && (line === '' || line.startsWith('#'))) continue;
    if (pending !== undefined && line.startsWith('#')) continue;
    const text = line.endsWith('\\') ? line.slice(0, -1) : line;
    pending = pending ? { ...pending, text: `${pending.text} ${text}` } : { text, line: index + 1 };
    if (!line.endsWith('\\')) {
      const m = /^(\S+)\s*(.*)$/.exec(pending.text.trim())!;
      out.push({ keyword: m[1]!.toUpperCase(), args: m[2]!.trim(), line: pending.line });
      pending = undefined;
    }
  }
  return out;
}

/** The exec form (a JSON array) of CMD, ENTRYPOINT or HEALTHCHECK … CMD. */
export function execForm(args: string): string[] {
  const parsed = JSON.parse(args) as unknown;
  if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === 'string')) {
    throw new Error(`expected the exec form (a JSON array of strings): ${args}`);
  }
  return parsed;
}

export interface Healthcheck {
  options: Record<string, string>;
  command: string[];
}

export interface Stage {
  index: number;
  name?: string;
  image: string;
  /** The folder standing for the stage's `/`. */
  root: string;
  workdir: string;
  env: Record<string, string>;
  user?: string;
  cmd?: string[];
  healthcheck?: Healthcheck;
  expose: string[];
  /** RUN commands, in order, with the files COPY'd before each. */
  runs: { command: string; copiedBefore: string[] }[];
  copied: string[];
}

export interface BuildOptions {
  /** The build context (the repository root). */
  context: string;
  dockerfile: string;
  dockerignore: string;
  /** Where the stages' folders go. */
  workDir: string;
  /** The environment every RUN starts from (a container has PATH, little else); HOME is the stage's. */
  baseEnv: Record<string, string>;
  /** Where cache mounts are kept between runs. */
  cacheDir: string;
  log?: (line: string) => void;
}

const substitute = (text: string, vars: Record<string, string>): string =>
  text.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (_, a, b) => vars[a ?? b] ?? '',
  );

/** Splits flags (`--from=build`) from the words after them. */
function flagsAndWords(args: string): { flags: Record<string, string>; words: string[] } {
  const flags: Record<string, string> = {};
  const words: string[] = [];
  for (const word of args.split(/\s+/).filter(Boolean)) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(word);
    if (m && words.length === 0) flags[m[1]!] = m[2] ?? 'true';
    else words.push(word);
  }
  return { flags, words };
}

export function buildDockerfile(options: BuildOptions): Stage[] {
  const ignore = new DockerIgnore(options.dockerignore);
  const log = options.log ?? (() => undefined);
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  const current = (): Stage => {
    const stage = stages.at(-1);
    if (!stage) throw new Error('an instruction before FROM');
    return stage;
  };
  const inStage = (stage: Stage, path: string): string =>
    join(stage.root, posix.isAbsolute(path) ? path : posix.join(stage.workdir, path));

  /** Copies a path of the build context, leaving out what .dockerignore excludes. */
  const copyFromContext = (source: string, target: string): number => {
    const rel = posix
      .normalize(source)
      .replace(/^\.\/?/, '')
      .replace(/\/$/, '');
    const abs = join(options.context, rel);
    if (!existsSync(abs)) throw new Error(`COPY ${source}: not in the build context`);
    let files = 0;
    const walk = (relPath: string, dest: string) => {
      const from = join(options.context, relPath);
      if (statSync(from).isDirectory()) {
        if (ignore.excludes(relPath) && !ignore.mayReinclude(relPath)) return;
        mkdirSync(dest, { recursive: true });
        for (const name of readdirSync(from)) walk(posix.join(relPath, name), join(dest, name));
      } else if (!ignore.excludes(relPath)) {
        mkdirSync(dirname(dest), { recursive: true });
        cpSync(from, dest);
        files += 1;
      }
    };
    walk(rel, target);
    if (files === 0) throw new Error(`COPY ${source}: excluded by .dockerignore (nothing to copy)`);
    return files;
  };

  for (const ins of parseDockerfile(options.dockerfile)) {
    const where = `Dockerfile:${ins.line} ${ins.keyword}`;
    switch (ins.keyword) {
      case 'ARG': {
        const [name, value] = ins.args.split('=');
        if (stages.length === 0 || !(name! in args)) args[name!] = value ?? args[name!] ?? '';
        break;
      }
      case 'FROM': {
        const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(substitute(ins.args, args));
        if (!m) throw new Error(`${where}: cannot read ${ins.args}`);
        const index = stages.length;
        const root = join(options.workDir, `stage-${index}${m[2] ? `-${m[2]}` : ''}`);
        mkdirSync(root, { recursive: true });
        stages.push({
          index,
          name: m[2],
          image: m[1]!,
          root,
          workdir: '/',
          env: {},
          expose: [],
          runs: [],
          copied: [],
        });
        break;
      }
      case 'WORKDIR': {
        const stage = current();
        stage.workdir = posix.resolve(stage.workdir, substitute(ins.args, stage.env));
        mkdirSync(join(stage.root, stage.workdir), { recursive: true });
        break;
      }
      case 'ENV': {
        const stage = current();
        for (const m of ins.args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S*)/g)) {
          stage.env[m[1]!] = m[2]!.replace(/^"(.*)"$/, '$1');
        }
        break;
      }
      case 'COPY': {
        const stage = current();
        const { flags, words } = flagsAndWords(ins.args);
        const dest = words.pop();
        if (!dest || words.length === 0)
          throw new Error(`${where}: needs a source and a destination`);
        if (words.length > 1 && !dest.endsWith('/'))
          throw new Error(`${where}: several sources need a folder (…/) as destination`);
        for (const source of words) {
          const target = dest.endsWith('/')
            ? inStage(stage, posix.join(dest, posix.basename(source)))
            : inStage(stage, dest);
          if (flags.from) {
            const from = stages.find(
              (s) => s.name === flags.from || String(s.index) === flags.from,
            );
            if (!from) throw new Error(`${where}: no stage ${flags.from}`);
            const abs = join(from.root, source);
            if (!existsSync(abs))
              throw new Error(`${where}: ${source} does not exist in stage ${flags.from}`);
            cpSync(abs, target, { recursive: true });
          } else {
            copyFromContext(source, target);
          }
          stage.copied.push(
            posix.join(dest.endsWith('/') ? posix.join(dest, posix.basename(source)) : dest),
          );
        }
        break;
      }
      case 'RUN': {
        const stage = current();
        const { flags } = flagsAndWords(ins.args);
        const command = ins.args.replace(/^(?:--\S+\s+)*/, '').trim();
        if (command.startsWith('[')) throw new Error(`${where}: the exec form is not run here`);
        for (const [flag, value] of Object.entries(flags)) {
          const mount = Object.fromEntries(
            value.split(',').map((kv) => kv.split('=') as [string, string]),
          );
          if (flag !== 'mount' || mount.type !== 'cache' || !mount.target) {
            throw new Error(`${where}: only --mount=type=cache,target=… is supported here`);
          }
          const kept = join(
            options.cacheDir,
            (mount.id ?? mount.target).replace(/[^A-Za-z0-9._-]+/g, '_'),
          );
          const at = join(stage.root, mount.target);
          mkdirSync(kept, { recursive: true });
          mkdirSync(dirname(at), { recursive: true });
          if (!existsSync(at)) symlinkSync(kept, at);
        }
        const home = join(stage.root, stage.user ? `home/${stage.user}` : 'root');
        mkdirSync(home, { recursive: true });
        log(`${where} ${command}`);
        const started = Date.now();
        const result = spawnSync('/bin/sh', ['-c', command], {
          cwd: join(stage.root, stage.workdir),
          env: { ...options.baseEnv, HOME: home, ...stage.env },
          encoding: 'utf8',
          maxBuffer: 64 * 1024 * 1024,
        });
        if (result.status !== 0) {
          throw new Error(
            `${where} ${command} failed (${String(result.status ?? result.signal)}):\n${result.stdout}\n${result.stderr}`,
          );
        }
        log(`${where} done in ${Math.round((Date.now() - started) / 1000)} s`);
        stage.runs.push({ command, copiedBefore: [...stage.copied] });
        break;
      }
      case 'USER':
        current().user = ins.args;
        break;
      case 'EXPOSE':
        current().expose.push(...ins.args.split(/\s+/));
        break;
      case 'CMD':
        current().cmd = execForm(ins.args);
        break;
      case 'HEALTHCHECK': {
        const m = /^((?:--[a-z-]+=\S+\s+)*)CMD\s+(.*)$/.exec(ins.args);
        if (!m) throw new Error(`${where}: expected HEALTHCHECK [options] CMD [...]`);
        const options = Object.fromEntries(
          [...m[1]!.matchAll(/--([a-z-]+)=(\S+)/g)].map((o) => [o[1]!, o[2]!]),
        );
        current().healthcheck = { options, command: execForm(m[2]!) };
        break;
      }
      case 'LABEL':
      case 'STOPSIGNAL':
        break;
      default:
        throw new Error(`${where}: not supported by this runner`);
    }
  }
  return stages;
}
