/**
 * The `prepack` of each published package (run in its directory by `pnpm pack` and `pnpm
 * publish`): refuses to pack with anything but pnpm, and a package that has not been built.
 *
 * Why: pnpm rewrites `workspace:*` dependencies to the version they point at, and adds the
 * workspace root's LICENSE; `npm pack` does neither, and its tarball installs an
 * `@troupe/node-runtime` that depends on `workspace:*`. See docs/releasing.md.
 */

import { existsSync, readFileSync } from 'node:fs';

const { name, exports } = JSON.parse(readFileSync('package.json', 'utf8'));
const agent = process.env.npm_config_user_agent ?? '';
if (!agent.startsWith('pnpm/')) {
  console.error(
    `${name}: pack and publish with pnpm (pnpm -r pack, pnpm -r publish), not ${agent.split(' ')[0] || 'this tool'}: ` +
      'only pnpm replaces workspace:* with the real version and adds the LICENSE. See docs/releasing.md.',
  );
  process.exit(1);
}
const entry = exports['.'].default;
if (!existsSync(entry)) {
  console.error(`${name}: ${entry} is missing: run pnpm build first.`);
  process.exit(1);
}
