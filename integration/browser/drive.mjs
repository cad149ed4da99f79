// Drives the page built from src/ in Debian's Chromium with playwright-core:
// creates, edits and saves a text file and a notebook, uploads a large
// file through the upload button, renames, downloads and deletes in the
// file browser, checking each step through the contents API. With
// CLASSIC_URL set it instead opens a notebook from the classic notebook's
// tree page, edits it and saves it. It prints one line, RESULT and JSON,
// for the Go test (integration/browser_test.go), which then checks the
// bucket.
//
// Environment: PAGE_URL (the page, on the same origin as the API), TOKEN
// (jupyters3's), UPLOAD_FILE, SHOT_DIR (screenshots), CHROMIUM, and for the
// classic run CLASSIC_URL and CLASSIC_TOKEN (the notebook server's).
import { chromium } from 'playwright-core';
import { readFileSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';

const env = name => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};
const pageURL = env('PAGE_URL');
const token = env('TOKEN');
const uploadFile = env('UPLOAD_FILE');
const shotDir = env('SHOT_DIR');
mkdirSync(shotDir, { recursive: true });

const results = { steps: [] };
const step = name => {
  const t = Date.now();
  results.steps.push({ name, ms: 0 });
  const entry = results.steps[results.steps.length - 1];
  return () => (entry.ms = Date.now() - t);
};

// api calls the contents API with the token, as a second client would.
async function api(path, init = {}) {
  const resp = await fetch(new URL('api/contents/' + path, pageURL), {
    ...init,
    headers: { Authorization: `token ${token}`, ...(init.headers || {}) }
  });
  const text = await resp.text();
  return { status: resp.status, body: text ? JSON.parse(text) : null };
}

// until polls f until it returns a truthy value.
async function until(what, f, timeout = 20000) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    try {
      const v = await f();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise(r => setTimeout(r, 200));
  }
  throw new Error(`${what}: not within ${timeout} ms${last ? `: ${last}` : ''}`);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync'
  ]
});
const failures = [];
try {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on('pageerror', err => failures.push(`page error: ${err}`));
  // The toolbar's web components log bursts of "RangeError: Maximum call
  // stack size exceeded" from their design-token updates (FAST's derived
  // tokens re-evaluating each other), from a few dozen per run to
  // thousands: the first ones are kept, the rest only counted, so that the
  // RESULT line stays readable.
  page.on('console', msg => {
    if (msg.type() !== 'error') return;
    results.consoleErrorCount = (results.consoleErrorCount || 0) + 1;
    const kept = (results.consoleErrors ||= []);
    if (kept.length < 20) kept.push(msg.text().slice(0, 300));
  });
  const shot = async name => {
    const file = join(shotDir, name + '.png');
    await page.screenshot({ path: file });
    (results.screenshots ||= []).push(file);
  };

  if (process.env.CLASSIC_URL) {
    await classic(context);
  } else {
    await lab(page, shot);
  }
} catch (err) {
  failures.push(String(err && err.stack ? err.stack : err));
  for (const p of browser.contexts().flatMap(c => c.pages())) {
    await p.screenshot({ path: join(shotDir, `failure-${Date.now()}.png`) }).catch(() => {});
  }
} finally {
  await browser.close();
}
results.failures = failures;
console.log('RESULT ' + JSON.stringify(results));
process.exit(failures.length ? 1 : 0);

// lab runs the JupyterLab widgets page through every contents action.
async function lab(page, shot) {
  let done = step('open the page');
  // Opening a link with ?token= is how a user signs in: the server answers
  // with a session cookie, which /files/ downloads need.
  await page.goto(new URL(`api/contents?token=${token}`, pageURL).href);
  await page.goto(pageURL);
  await page.waitForSelector('body[data-ready="true"], body[data-error]', { state: 'attached' });
  const err = await page.getAttribute('body', 'data-error');
  if (err) throw new Error(`page failed to start: ${err}`);
  await page.waitForSelector('.jp-DirListing-content');
  done();

  const item = name => page.locator('.jp-DirListing-item', { hasText: name }).first();
  const tool = label => page.locator('.jp-Toolbar-item', { hasText: label }).first();

  // A text file: New file, type, Ctrl+S.
  done = step('text file: create, edit, save');
  await tool('New file').click();
  const editor = page.locator('.jp-FileEditor .cm-content');
  await editor.waitFor();
  await editor.click();
  const text = 'hello from JupyterLab\nsaved to S3\n';
  await page.keyboard.type(text);
  await page.keyboard.press('Control+s');
  const saved = await until('untitled.txt saved', async () => {
    const r = await api('untitled.txt?content=1');
    return r.status === 200 && r.body.content === text && r.body;
  });
  results.textSaved = saved.content;
  await shot('01-text-editor');
  done();

  // Rename it in the file browser.
  done = step('rename');
  await item('untitled.txt').click();
  await tool('Rename').click();
  const input = page.locator('.jp-DirListing-editor');
  await input.waitFor();
  await input.fill('hello.txt');
  await input.press('Enter');
  await until('rename visible in the API', async () => (await api('hello.txt?content=0')).status === 200 && (await api('untitled.txt?content=0')).status === 404);
  await item('hello.txt').waitFor();
  done();

  // A notebook: New notebook, type into the first cell, Ctrl+S.
  done = step('notebook: create, edit, save');
  await tool('New notebook').click();
  const cell = page.locator('.jp-NotebookPanel .jp-Cell .cm-content').first();
  await cell.waitFor();
  await cell.click();
  const source = "print('hello from a notebook in S3')";
  await page.keyboard.type(source);
  await page.keyboard.press('Control+s');
  const nb = await until('Untitled.ipynb saved', async () => {
    const r = await api('Untitled.ipynb?content=1');
    return r.status === 200 && r.body.content.cells?.[0]?.source === source && r.body;
  });
  results.notebookCells = nb.content.cells.length;
  await shot('02-notebook');
  done();

  // Upload a large file through the real upload button: JupyterLab sends
  // it in 1 MiB chunks.
  done = step('upload (chunked)');
  const [chooser] = await Promise.all([
    page.waitForEvent('filechooser'),
    page.locator('.jp-Toolbar-item [title="Upload Files"]').first().click()
  ]);
  await chooser.setFiles(uploadFile);
  const name = basename(uploadFile);
  const up = await until(`${name} uploaded`, async () => {
    const r = await api(`${encodeURIComponent(name)}?content=0`);
    return r.status === 200 && r.body.size === readFileSync(uploadFile).length && r.body;
  }, 60000);
  results.uploadedSize = up.size;
  await item(name).waitFor();
  await shot('03-file-browser-upload');
  done();

  // Download through /files/ with the browser's own download.
  done = step('download');
  await item('hello.txt').click();
  const [dl] = await Promise.all([page.waitForEvent('download'), tool('Download').click()]);
  results.downloadURL = new URL(dl.url()).pathname;
  results.downloaded = readFileSync(await dl.path(), 'utf8');
  done();

  // Delete: a fresh file, deleted with the browser's confirmation dialog.
  done = step('delete');
  await tool('New file').click();
  await until('second untitled.txt', async () => (await api('untitled.txt?content=0')).status === 200);
  await item('untitled.txt').click();
  await tool('Delete').click();
  await page.locator('.jp-Dialog .jp-mod-accept').click();
  await until('untitled.txt deleted', async () => (await api('untitled.txt?content=0')).status === 404);
  const deleted = page.locator('.jp-DirListing-item', { hasText: 'untitled.txt' });
  try {
    await deleted.waitFor({ state: 'detached', timeout: 15000 });
  } catch {
    // The delete has reached the server (checked above). A listing that
    // does not follow is the page's own trouble: a burst of the web
    // components' design-token recursion (see the console handler) can
    // keep its main thread busy for a minute, and then a reload of the
    // same page hangs too. The page is opened afresh in a new browser
    // context, which gets a renderer of its own, and must list the folder
    // without the file.
    results.freshPageAfterDelete = true;
    const fresh = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await fresh.goto(new URL(`api/contents?token=${token}`, pageURL).href);
    await fresh.goto(pageURL);
    const listed = fresh.locator('.jp-DirListing-item', { hasText: 'hello.txt' }).first();
    await listed.waitFor();
    if (await fresh.locator('.jp-DirListing-item', { hasText: 'untitled.txt' }).count() !== 0) {
      throw new Error('untitled.txt is still listed on a fresh page');
    }
  }
  results.deleted = 'untitled.txt';
  await shot('04-after-delete');
  done();

}

// classic opens the classic notebook's tree page, opens a notebook from
// it, edits the first cell and saves with the toolbar's save button.
async function classic(context) {
  const base = process.env.CLASSIC_URL;
  const done = step('classic notebook: open from tree, edit, save');
  const page = await context.newPage();
  page.on('pageerror', err => failures.push(`classic page error: ${err}`));
  // Sign in to both servers, the notebook server first: jupyters3 then
  // replaces the notebook server's _xsrf cookie (same name and path) with
  // one it signed, which the notebook server accepts as well, and the
  // notebook's scripts send it along with every API call.
  await page.goto(new URL(`tree?token=${process.env.CLASSIC_TOKEN}`, base).href);
  await page.goto(new URL(`api/contents?token=${token}`, base).href);
  await page.goto(new URL('tree', base).href);
  const link = page.locator('#notebook_list a.item_link', { hasText: 'classic.ipynb' });
  await link.waitFor();
  await page.screenshot({ path: join(shotDir, '05-classic-tree.png') });
  const [nbPage] = await Promise.all([context.waitForEvent('page'), link.click()]);
  await nbPage.waitForSelector('#notebook-container .cell');
  await nbPage.waitForFunction(() => window.Jupyter && Jupyter.notebook && Jupyter.notebook._fully_loaded);
  // A started kernel shows that the notebook server's own XSRF check
  // passes with the cookie the two servers share.
  await nbPage.waitForSelector('#kernel_indicator_icon.kernel_idle_icon', { state: 'attached', timeout: 30000 });
  const cm = nbPage.locator('#notebook-container .cell .CodeMirror').first();
  await cm.click();
  await nbPage.keyboard.press('Control+End');
  const added = '\n# edited in the classic notebook';
  await nbPage.keyboard.type(added);
  await nbPage.locator('#save-notbook button, button[title="Save and Checkpoint"]').first().click();
  await until('classic save', async () => {
    const r = await api('classic.ipynb?content=1');
    const src = r.status === 200 && r.body.content.cells?.[0]?.source;
    return typeof src === 'string' && src.endsWith(added.trim()) && src;
  });
  results.classicSaved = true;
  await nbPage.screenshot({ path: join(shotDir, '06-classic-notebook.png') });
  (results.screenshots ||= []).push(join(shotDir, '05-classic-tree.png'), join(shotDir, '06-classic-notebook.png'));
  done();
}
