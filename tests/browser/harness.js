// Starts a real campaignd on a free loopback port with a fresh store,
// talks to its API, and drives Debian's Chromium with playwright-core.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..');
export const screenshotDir = path.join(repoRoot, 'docs', 'screenshots');

const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic',
  '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

// Polls fn until it returns a truthy value; fails with what it last saw.
export async function until(fn, { timeout = 10000, interval = 100,
  message = 'condition' } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) {
      throw new Error(`timed out waiting for ${message}; last: ${
        last instanceof Error ? last.message : JSON.stringify(last)}`);
    }
    await sleep(interval);
  }
}

function firstLine(stream) {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (chunk) => {
      buf += chunk.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        stream.off('data', onData);
        resolve(buf.slice(0, nl).trim());
      }
    };
    stream.on('data', onData);
    stream.on('end', () => reject(new Error('campaignd printed no API key')));
  });
}

export async function startServer() {
  const bin = process.env.CAMPAIGND_BIN
    || path.join(repoRoot, 'build', 'rel', 'campaignd');
  if (!fs.existsSync(bin)) throw new Error(`no campaignd at ${bin}; run make`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'campaignd-browser-'));
  const port = await freePort();
  const proc = spawn(bin, ['serve', '--db', path.join(dir, 'c.db'),
    '--listen', `127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  proc.stderr.on('data', (d) => { log += d.toString(); });
  const exited = new Promise((resolve) => proc.on('exit', resolve));
  const key = await Promise.race([
    firstLine(proc.stdout),
    exited.then((code) => {
      throw new Error(`campaignd exited with ${code}: ${log}`);
    }),
  ]);
  proc.stdout.resume();
  const base = `http://127.0.0.1:${port}`;
  await until(async () => (await fetch(`${base}/health`)).ok,
    { message: 'campaignd /health' });
  return {
    base, key, dir,
    log: () => log,
    async stop() {
      if (proc.exitCode === null) {
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

// A small client of the API for setting up and checking.
export function apiClient(base, key) {
  return async function call(method, p, body) {
    const res = await fetch(base + p, {
      method,
      headers: { Authorization: `Bearer ${key}`,
        ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    const data = text ? JSON.parse(text) : null;
    if (!res.ok) {
      const err = new Error(`${method} ${p} -> ${res.status} ${text}`);
      err.status = res.status;
      err.body = data;
      throw err;
    }
    return data;
  };
}

export async function launchBrowser() {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 800 },
    timezoneId: 'UTC',
    locale: 'en-US',
  });
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

// A new tab that records page errors and CSP violations.
export async function newPage(context, { base, key } = {}) {
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    const t = m.text();
    if (/Content Security Policy|Refused to/i.test(t)) {
      problems.push(`csp: ${t}`);
    }
  });
  page.problems = problems;
  if (key) {
    await page.addInitScript((k) => {
      if (!sessionStorage.getItem('campaignd.test.init')) {
        sessionStorage.setItem('campaignd.apiKey', k);
        sessionStorage.setItem('campaignd.test.init', '1');
      }
    }, key);
    await page.goto(`${base}/bulk-call`);
    await page.getByRole('heading', { name: 'Bulk Call', level: 1 }).waitFor();
  }
  return page;
}

// Saves docs/screenshots/NAME. fullPage grows the viewport to the whole
// page first, so the sticky sidebar spans it as a person would see it.
export async function screenshot(page, name, { fullPage = false } = {}) {
  fs.mkdirSync(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, name);
  if (!fullPage) {
    await page.screenshot({ path: file });
    return;
  }
  const size = page.viewportSize();
  const height = await page.evaluate(() =>
    document.documentElement.scrollHeight);
  await page.setViewportSize({ width: size.width, height });
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path: file });
  await page.setViewportSize(size);
}

/* Reading the dashboard ---------------------------------------------------- */

// A locator's text with its white space collapsed.
export async function text(locator) {
  return (await locator.textContent() || '').replace(/\s+/g, ' ').trim();
}

// The number on a count tile of the campaign page ("total", "failed"...).
export async function tileValue(page, name) {
  const tile = page.locator(`[data-count="${name}"] .tile-value`);
  return Number((await text(tile)).replace(/\D/g, ''));
}

export async function statusText(page) {
  return text(page.locator('#campaign-status'));
}

export function nextButton(page) {
  return page.getByRole('button', { name: /^Next/ });
}

export function assertClean(page) {
  assert.deepEqual(page.problems, [], 'no page errors or CSP violations');
}
