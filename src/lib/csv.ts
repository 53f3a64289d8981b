/**
 * A small RFC 4180 CSV reader: comma separated, double-quoted fields may hold commas, quotes ("") and line
 * breaks; a UTF-8 BOM is dropped (Excel writes one). Returns one record per row with the header's names.
 */
export function parseCsv(text: string): {
  header: string[];
  rows: Array<{ line: number; values: Record<string, string> }>;
} {
  const records = readRecords(text.replace(/^\uFEFF/, ''));
  const [headerRecord, ...body] = records;
  if (!headerRecord) return { header: [], rows: [] };
  const header = headerRecord.fields.map((h) => h.trim());
  const rows = body
    .filter((r) => r.fields.some((f) => f.trim() !== ''))
    .map((r) => ({
      line: r.line,
      values: Object.fromEntries(header.map((h, i) => [h, (r.fields[i] ?? '').trim()])),
    }));
  return { header, rows };
}

function readRecords(text: string): Array<{ line: number; fields: string[] }> {
  const records: Array<{ line: number; fields: string[] }> = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      fields.push(field);
      records.push({ line: recordLine, fields });
      fields = [];
      field = '';
      line++;
      recordLine = line;
    } else field += c;
  }
  if (field !== '' || fields.length) {
    fields.push(field);
    records.push({ line: recordLine, fields });
  }
  return records;
}
