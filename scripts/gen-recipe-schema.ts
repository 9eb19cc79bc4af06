// `npm run gen:recipe-schema`: writes schemas/recipe.schema.json from the option table
// (compiler/options/recipe-schema.ts); test/compiler/options/recipe.test.ts fails when it is stale.

import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RECIPE_SCHEMA_PATH, recipeSchemaText } from '../compiler/options/recipe-schema.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
writeFileSync(join(ROOT, RECIPE_SCHEMA_PATH), recipeSchemaText());
process.stdout.write(`wrote ${RECIPE_SCHEMA_PATH}\n`);
