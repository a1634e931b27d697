import * as avro from 'avsc';

export interface CompatibilityProblem {
  readonly against: string;
  readonly reason: string;
}

/**
 * BACKWARD_TRANSITIVE, checked locally: the new schema must read data written with every
 * earlier version (avsc builds a resolver only when the reader can read the writer).
 */
export function backwardTransitiveProblems(
  candidate: avro.Schema,
  earlier: readonly { readonly label: string; readonly schema: avro.Schema }[],
): CompatibilityProblem[] {
  const reader = avro.Type.forSchema(candidate);
  const problems: CompatibilityProblem[] = [];
  for (const { label, schema } of earlier) {
    try {
      reader.createResolver(avro.Type.forSchema(schema));
    } catch (error) {
      problems.push({
        against: label,
        reason: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return problems;
}
