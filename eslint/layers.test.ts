import path from 'node:path';
import { RuleTester } from 'eslint';
import { describe, it } from 'vitest';
import { layersRule } from './layers.js';

RuleTester.describe = describe;
RuleTester.it = it;

const root = path.resolve('/repo');
const at = (file: string) => path.join(root, file);
const tester = new RuleTester({ languageOptions: { ecmaVersion: 2022, sourceType: 'module' } });
const options = [{ root }];

tester.run('armistice/layers', layersRule, {
  valid: [
    {
      filename: at('src/core/zones/build.ts'),
      code: "import { x } from '../geo/index.js';",
      options,
    },
    { filename: at('src/core/zones/build.ts'), code: "import { x } from './inner.js';", options },
    {
      filename: at('src/core/zones/build.ts'),
      code: "import g from 'geographiclib-geodesic';",
      options,
    },
    { filename: at('src/core/zones/build.test.ts'), code: "import fs from 'node:fs';", options },
    {
      filename: at('src/app/ingest.ts'),
      code: "import { x } from '../core/zones/index.js';",
      options,
    },
    {
      filename: at('src/cli/zones.ts'),
      code: "import { x } from '../adapters/http/index.js';",
      options,
    },
    { filename: at('src/build-app.ts'), code: "import { x } from './app/index.js';", options },
    {
      filename: at('src/adapters/http/routes.ts'),
      code: "import { x } from '../../app/index.js';",
      options,
    },
  ],
  invalid: [
    {
      filename: at('src/core/zones/build.ts'),
      code: "import fs from 'node:fs';",
      options,
      errors: [{ message: /core does no I\/O/ }],
    },
    {
      filename: at('src/core/zones/build.ts'),
      code: "import { x } from '../../app/index.js';",
      options,
      errors: [{ message: /core may not import app/ }],
    },
    {
      filename: at('src/core/zones/build.ts'),
      code: "import { x } from '../geo/wgs84.js';",
      options,
      errors: [{ message: /through its public surface '..\/geo\/index.js'/ }],
    },
    {
      filename: at('src/app/ingest.ts'),
      code: "import { x } from '../adapters/http/index.js';",
      options,
      errors: [{ message: /app may not import adapters/ }],
    },
    {
      filename: at('src/app/ingest.ts'),
      code: "import Database from 'better-sqlite3';",
      options,
      errors: [{ message: /does I\/O/ }],
    },
    {
      filename: at('src/adapters/http/routes.ts'),
      code: "import { x } from '../ws/index.js';",
      options,
      errors: [{ message: /an adapter imports no other adapter/ }],
    },
    {
      filename: at('src/adapters/storage/sqlite/store.ts'),
      code: "import { x } from '../postgres/index.js';",
      options,
      errors: [
        { message: /an adapter imports no other adapter \('adapters\/storage\/postgres'\)/ },
      ],
    },
    {
      filename: at('src/sim/run.ts'),
      code: "import { x } from '../app/index.js';",
      options,
      errors: [{ message: /simulator drives the system only through its public API/ }],
    },
  ],
});
