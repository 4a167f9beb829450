// Reads CSV text in the browser for the wizard's preview. The server
// parses the upload again and is the judge of which rows it accepts.

// Returns {records: [{row, cells}], error}; row is the spreadsheet row
// number of the record's first line (the header is row 1).
export function parseCsv(text) {
  const records = [];
  let cells = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let sawAny = false;
  const endRecord = () => {
    cells.push(cell);
    if (!(cells.length === 1 && cells[0] === '')) {
      records.push({ row: start, cells });
    }
    cells = [];
    cell = '';
  };
  for (; i < text.length; i++) {
    const c = text[i];
    sawAny = true;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; }
      else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        cell += c;
      }
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === ',') { cells.push(cell); cell = ''; }
    else if (c === '\r' && text[i + 1] === '\n') { /* CRLF: wait for \n */ }
    else if (c === '\n' || c === '\r') {
      endRecord();
      line++;
      start = line;
    } else cell += c;
  }
  if (quoted) return { records, error: `row ${start}: a quoted field is not closed` };
  if (sawAny && (cell !== '' || cells.length)) endRecord();
  return { records, error: null };
}

export const PHONE_COLUMNS = ['phone_number', 'to_number'];

// Summarises a CSV upload: header, a preview of the first rows, counts,
// and problems that will keep the server from using it.
export function summarizeCsv(text, previewRows = 5) {
  const { records, error } = parseCsv(text);
  const header = records.length ? records[0].cells.map((h) => h.trim()) : [];
  const rows = records.slice(1);
  const phoneIndex = header.findIndex((h) =>
    PHONE_COLUMNS.includes(h.toLowerCase()));
  const problems = [];
  if (error) problems.push(`The file is not valid CSV: ${error}.`);
  if (!header.length) problems.push('The file is empty.');
  else if (phoneIndex < 0) {
    problems.push('The header needs a phone_number or to_number column.');
  }
  if (header.length && !rows.length) problems.push('The file has no contact rows.');
  return {
    header,
    preview: rows.slice(0, previewRows),
    rowCount: rows.length,
    phoneIndex,
    problems,
  };
}
