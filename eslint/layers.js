import { existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';

/** Packages that do I/O; the functional core and the use cases must reach them through ports. */
const IO_PACKAGES = [
  'better-sqlite3',
  'pg',
  'nats',
  'fastify',
  'ws',
  'pino',
  'undici',
  '@fastify/',
  'tsx',
];

const BUILTINS = new Set(builtinModules);

/**
 * Locates a file in the architecture: its layer and the module (folder) that owns it.
 * @param {string} root absolute path of the repository root
 * @param {string} file absolute file path
 * @returns {{layer: string, module: string, moduleDir: string} | undefined}
 */
export function locate(root, file) {
  const rel = path.relative(root, file).split(path.sep);
  if (rel[0] === 'web') return { layer: 'web', module: 'web', moduleDir: path.join(root, 'web') };
  if (rel[0] !== 'src') return undefined;
  const [, top, first, second] = rel;
  const srcDir = path.join(root, 'src');
  if (top === 'core' && first && rel.length > 3) {
    return { layer: 'core', module: `core/${first}`, moduleDir: path.join(srcDir, 'core', first) };
  }
  if (top === 'adapters' && first && rel.length > 3) {
    const groupDir = path.join(srcDir, 'adapters', first);
    const grouped = second && rel.length > 4 && !existsSync(path.join(groupDir, 'index.ts'));
    const moduleDir = grouped ? path.join(groupDir, second) : groupDir;
    return { layer: 'adapters', module: path.relative(srcDir, moduleDir), moduleDir };
  }
  if (top === 'app' || top === 'sim' || top === 'cli') {
    return { layer: top, module: top, moduleDir: path.join(srcDir, top) };
  }
  if (top === 'core' || top === 'adapters') return { layer: top, module: top, moduleDir: srcDir };
  return { layer: 'root', module: 'root', moduleDir: srcDir };
}

/** Which layers each layer may not import, with what to do instead. */
const FORBIDDEN = {
  core: {
    app: 'core is pure: pass what it needs in as arguments, and let a use case in src/app call it.',
    adapters: 'core is pure: declare a port in src/app/ports.ts and implement it in an adapter.',
    cli: 'core must not depend on the command line: move the logic into core and call it from src/cli.',
    sim: 'core must not depend on the simulator.',
    root: 'core must not depend on the composition root.',
    web: 'core must not depend on the web client.',
  },
  app: {
    adapters:
      'use cases take their ports as arguments: declare the port in src/app/ports.ts and wire the adapter in src/build-app.ts.',
    cli: 'use cases must not depend on the command line.',
    sim: 'use cases must not depend on the simulator.',
    root: 'use cases must not depend on the composition root.',
    web: 'use cases must not depend on the web client.',
  },
  adapters: {
    cli: 'adapters must not depend on the command line.',
    sim: 'adapters must not depend on the simulator.',
    root: 'adapters must not depend on the composition root: it wires them, not the other way round.',
    web: 'adapters must not depend on the web client.',
  },
  sim: {
    app: 'the simulator drives the system only through its public API (HTTP/WebSocket).',
    adapters: 'the simulator drives the system only through its public API (HTTP/WebSocket).',
    root: 'the simulator drives the system only through its public API (HTTP/WebSocket).',
    cli: 'the simulator must not depend on the command line.',
    web: 'the simulator must not depend on the web client.',
  },
  cli: { web: 'the command line must not depend on the web client.' },
  web: {
    app: 'the web client talks only to the public API.',
    adapters: 'the web client talks only to the public API.',
    cli: 'the web client talks only to the public API.',
    sim: 'the web client talks only to the public API.',
    root: 'the web client talks only to the public API.',
  },
};

function isTestFile(file) {
  return /\.(test|spec)\.[cm]?[jt]s$/.test(file);
}

function isBareForbidden(layer, source, file) {
  if (layer !== 'core' && layer !== 'app') return undefined;
  if (isTestFile(file)) return undefined;
  const bare = source.startsWith('node:') ? source.slice(5) : source;
  if (source.startsWith('node:') || BUILTINS.has(bare)) {
    return layer === 'core'
      ? `core does no I/O and reads no clock: '${source}' belongs in an adapter behind a port.`
      : `use cases reach '${source}' through a port declared in src/app/ports.ts.`;
  }
  const io = IO_PACKAGES.find((p) => (p.endsWith('/') ? source.startsWith(p) : source === p));
  if (io)
    return `'${source}' does I/O: use it in an adapter under src/adapters and reach it through a port.`;
  return undefined;
}

/** @type {import('eslint').Rule.RuleModule} */
export const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Keeps the layers of docs/architecture.md honest.' },
    schema: [
      { type: 'object', properties: { root: { type: 'string' } }, additionalProperties: false },
    ],
  },
  create(context) {
    const root = context.options[0]?.root ?? context.cwd;
    const file = context.filename;
    const here = locate(root, file);
    if (!here) return {};

    function check(node, source) {
      if (typeof source !== 'string') return;
      if (!source.startsWith('.')) {
        const message = isBareForbidden(here.layer, source, file);
        if (message) context.report({ node, message });
        return;
      }
      const target = path.resolve(path.dirname(file), source);
      const there = locate(root, target);
      if (!there) return;
      const forbidden = FORBIDDEN[here.layer]?.[there.layer];
      if (forbidden && here.module !== there.module) {
        context.report({
          node,
          message: `${here.layer} may not import ${there.layer}: ${forbidden}`,
        });
        return;
      }
      if (there.module === here.module || there.layer === 'root') return;
      if (here.layer === 'adapters' && there.layer === 'adapters') {
        context.report({
          node,
          message: `an adapter imports no other adapter ('${there.module}'): share the code through core or app, and wire both in src/build-app.ts.`,
        });
        return;
      }
      const inner = path.relative(there.moduleDir, target).replace(/\.[cm]?[jt]s$/, '');
      if (inner !== 'index') {
        context.report({
          node,
          message: `import '${there.module}' through its public surface '${path.relative(path.dirname(file), path.join(there.moduleDir, 'index.js'))}', not its inner file '${source}'.`,
        });
      }
    }

    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};

/** The local ESLint plugin of this repository. */
export const armisticePlugin = { rules: { layers: layersRule } };
