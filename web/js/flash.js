// A message handed from one page to the next, such as the rows a CSV
// import rejected, shown once by the page that takes it.

let pending = null;

export function setFlash(value) {
  pending = value;
}

export function takeFlash() {
  const v = pending;
  pending = null;
  return v;
}
