import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { FieldProblem } from '../../http/validation';

/** `/config/correlation/windowMs` and `/config/connectors/0/id` as this API names fields. */
function fieldOf(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce(
      (path, part) =>
        /^\d+$/.test(part) ? `${path}[${part}]` : path === '' ? part : `${path}.${part}`,
      '',
    );
}

/**
 * What is wrong with `value` against `schema`: the first problem of each field, at most
 * `limit`, worded `must ...` as the API's other 400s are. An unknown field is named itself.
 */
export function schemaProblems(schema: TSchema, value: unknown, limit = 20): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  for (const error of Value.Errors(schema, value)) {
    const path = fieldOf(error.path) || '(body)';
    if (seen.has(path)) continue;
    seen.add(path);
    problems.push({
      path,
      reason: error.message
        .replace(/^Expected/, 'must be')
        .replace(/^Unexpected property$/, 'unknown field'),
    });
    if (problems.length >= limit) break;
  }
  return problems;
}
