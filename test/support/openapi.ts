import { readFileSync } from 'node:fs';
import path from 'node:path';

import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

type Doc = {
  paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
  components: Record<string, Record<string, unknown>>;
};

const doc = parse(readFileSync(path.join(__dirname, '..', '..', 'openapi.yaml'), 'utf8')) as Doc;
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: 'openapi', components: doc.components });

function resolveResponse(ref: unknown): { content?: Record<string, { schema: unknown }> } {
  const r = ref as { $ref?: string };
  if (r.$ref)
    return doc.components.responses?.[r.$ref.split('/').pop()!] as {
      content?: Record<string, { schema: unknown }>;
    };
  return ref as { content?: Record<string, { schema: unknown }> };
}

/** Rewrites local `#/components/...` refs to the registered `openapi` document. */
function rebase(schema: unknown): unknown {
  return JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, '"openapi#/components/'));
}

/** Throws unless `body` is what openapi.yaml promises for this operation and status. */
export function assertMatchesOpenApi(
  pathTemplate: string,
  method: string,
  status: number,
  body: unknown,
): void {
  const operation = doc.paths[pathTemplate]?.[method.toLowerCase()];
  if (!operation) throw new Error(`openapi.yaml has no ${method} ${pathTemplate}`);
  const response = operation.responses[String(status)];
  if (!response) throw new Error(`openapi.yaml has no ${status} for ${method} ${pathTemplate}`);
  const schema = resolveResponse(response).content?.['application/json']?.schema;
  if (!schema) {
    if (body !== undefined && status !== 503) throw new Error(`openapi.yaml declares no body for ${status}`);
    return;
  }
  const validate = ajv.compile(rebase(schema) as object);
  if (!validate(body))
    throw new Error(
      `${method} ${pathTemplate} ${status}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(body)}`,
    );
}
