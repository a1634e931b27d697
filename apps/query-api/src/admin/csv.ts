/**
 * RFC 4180 CSV: quoted fields may hold commas, quotes ("") and line breaks; CRLF or LF rows.
 * Returns the header row as keys of each record. Small on purpose: asset lists are short.
 */
export interface CsvResult {
  readonly records: Record<string, string>[];
  readonly problems: { readonly path: string; readonly reason: string }[];
}

export function parseCsvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const input = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  while (i < input.length) {
    const c = input[i] as string;
    if (quoted) {
      if (c === '"') {
        if (input[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else field += c;
      i += 1;
      continue;
    }
    if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      if (c === '\r' && input[i + 1] === '\n') i += 1;
    } else field += c;
    i += 1;
  }
  if (quoted) throw new Error('unterminated quoted field');
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}

export function parseCsv(text: string, required: readonly string[]): CsvResult {
  let rows: string[][];
  try {
    rows = parseCsvRows(text);
  } catch (error) {
    return {
      records: [],
      problems: [{ path: 'csv', reason: error instanceof Error ? error.message : String(error) }],
    };
  }
  const [header, ...body] = rows;
  if (!header)
    return { records: [], problems: [{ path: 'csv', reason: 'empty: expected a header row' }] };
  const names = header.map((h) => h.trim().toLowerCase());
  const missing = required.filter((name) => !names.includes(name));
  if (missing.length > 0)
    return {
      records: [],
      problems: [{ path: 'csv.header', reason: `missing column(s) ${missing.join(', ')}` }],
    };
  const problems: CsvResult['problems'] = [];
  const records = body.map((cells, index) => {
    if (cells.length !== names.length) {
      problems.push({
        path: `csv[${index + 2}]`,
        reason: `expected ${names.length} fields, found ${cells.length}`,
      });
    }
    return Object.fromEntries(names.map((name, column) => [name, (cells[column] ?? '').trim()]));
  });
  return { records, problems };
}
