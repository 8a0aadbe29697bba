import { loadAllBuiltins } from '../engine/registry.js';
import { profileJsonSchema } from '../profile/json-schema.js';
import { createOutput } from '../write.js';
import { EXIT } from './errors.js';

export async function schemaCommand(options: { output?: string }): Promise<number> {
  const out = createOutput();
  const text = `${JSON.stringify(profileJsonSchema(await loadAllBuiltins()), null, 2)}\n`;
  if (options.output) {
    out.file(options.output, text);
    out.stderr(`wrote ${options.output}`);
  } else out.stdout(text);
  return EXIT.ok;
}
