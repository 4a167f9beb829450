// Reads CSV text in the browser for the wizard's preview. The server
// parses the upload again and is the judge of which rows it accepts.

const PLAIN_END = /[",\r\n]/g;

// How many line feeds text holds from index from up to index to.
function lineFeeds(text, from, to) {
  let n = 0;
  for (let i = text.indexOf('\n', from); i >= 0 && i < to;
    i = text.indexOf('\n', i + 1)) n++;
  return n;
}

// Returns {records: [{row, cells}], error}; row is the spreadsheet row
// number of the record's first line (the header is row 1). Scans from one
// special character to the next, so that a 16 MiB file reads in well
// under a second.
export function parseCsv(text) {
  const records = [];
  const end = text.length;
  let cells = [];
  let cell = '';
  let line = 1;
  let start = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRecord = () => {
    cells.push(cell);
    // Like campaignd, records whose fields are all empty are skipped.
    if (cells.some((c) => c !== '')) records.push({ row: start, cells });
    cells = [];
    cell = '';
  };
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c === 34 && cell === '') { // a quoted field
      let j = i + 1;
      for (;;) {
        const q = text.indexOf('"', j);
        if (q < 0) {
          return { records,
            error: `row ${start}: a quoted field is not closed` };
        }
        cell += text.slice(j, q);
        if (text.charCodeAt(q + 1) !== 34) {
          j = q + 1;
          break;
        }
        cell += '"';
        j = q + 2;
      }
      line += lineFeeds(text, i, j);
      i = j;
    } else if (c === 34) { // a quote inside an unquoted field
      cell += '"';
      i++;
    } else if (c === 44) {
      cells.push(cell);
      cell = '';
      i++;
    } else if (c === 13 || c === 10) {
      endRecord();
      i += c === 13 && text.charCodeAt(i + 1) === 10 ? 2 : 1;
      line++;
      start = line;
    } else {
      PLAIN_END.lastIndex = i;
      const m = PLAIN_END.exec(text);
      const stop = m ? m.index : end;
      cell += text.slice(i, stop);
      i = stop;
    }
  }
  if (cell !== '' || cells.length) endRecord();
  return { records, error: null };
}

export const PHONE_COLUMNS = ['phone_number', 'to_number'];

// campaignd's own limits on an upload (src/domain/csv.h): the file, the
// data rows and the fields in one record.
export const CSV_MAX_BYTES = 16 * 1024 * 1024;
export const CSV_MAX_ROWS = 100000;
export const CSV_MAX_COLS = 256;

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
  if (rows.length > CSV_MAX_ROWS) {
    problems.push(`The file has ${rows.length.toLocaleString('en-US')} `
      + `contact rows; a campaign takes at most `
      + `${CSV_MAX_ROWS.toLocaleString('en-US')}. Split it into smaller `
      + 'campaigns.');
  }
  const wide = records.find((r) => r.cells.length > CSV_MAX_COLS);
  if (wide) {
    problems.push(`Row ${wide.row} has ${wide.cells.length} fields; campaignd `
      + `takes at most ${CSV_MAX_COLS} per row.`);
  }
  return {
    header,
    preview: rows.slice(0, previewRows),
    rowCount: rows.length,
    phoneIndex,
    problems,
  };
}
