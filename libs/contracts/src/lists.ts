/**
 * `true` only when `List` names every member of `Union`: a const list written beside a union
 * that is built from other types (an event union) fails to compile when a member is added to
 * the union but not to the list. (`satisfies readonly Union[]` covers the other direction.)
 */
export type ListsEvery<Union extends string, List extends readonly string[]> = [
  Exclude<Union, List[number]>,
] extends [never]
  ? true
  : never;
