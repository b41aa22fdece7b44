// Turns schema validation errors (TypeBox's and Ajv's, which share a shape) into problems a
// person can act on: named fields, the allowed values, unknown fields by name.
import type { Problem } from './normalize.js';

export interface SchemaError {
  keyword: string;
  instancePath: string;
  params: unknown;
  message?: string;
}

const names = (plural: unknown, single: unknown): string[] =>
  Array.isArray(plural) ? plural.map(String) : typeof single === 'string' ? [single] : [];

const fieldName = (pointer: string) => pointer.slice(1).replaceAll('/', '.') || 'the event';

export function schemaProblems(errors: Iterable<SchemaError>, basePath: string): Problem[] {
  const problems: Problem[] = [];
  for (const e of errors) {
    const params = e.params as Record<string, unknown>;
    const field = fieldName(e.instancePath);
    const at = `${basePath}${e.instancePath}`;
    switch (e.keyword) {
      case 'boolean': // "schema is false" on the unknown field itself: reported below by name
        break;
      case 'additionalProperties':
        for (const name of names(params.additionalProperties, params.additionalProperty))
          problems.push({
            path: `${at}/${name}`,
            message: `unknown field "${name}"${e.instancePath ? ` in ${field}` : ''}`,
          });
        break;
      case 'required':
        for (const name of names(params.requiredProperties, params.missingProperty))
          problems.push({ path: `${at}/${name}`, message: `${name} is required` });
        break;
      case 'enum':
        problems.push({
          path: at,
          message: `${field} must be one of ${((params.allowedValues as unknown[] | undefined) ?? []).join(', ')}`,
        });
        break;
      case 'type': {
        const t = params.type;
        problems.push({
          path: at,
          message: `${field} must be ${Array.isArray(t) ? t.join(' or ') : String(t)}`,
        });
        break;
      }
      default:
        problems.push({ path: at, message: `${field} ${e.message ?? 'is not valid'}` });
    }
  }
  return problems;
}
