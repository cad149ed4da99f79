// Drives a Jupyter contents server with JupyterLab's own client library,
// @jupyterlab/services, the code the JupyterLab front end runs: every
// request below is built by ContentsManager exactly as the file browser and
// the document editors build it.
//
// Environment:
//   JUPYTERS3_URL     base URL of the server, ending in "/" (for example
//                     http://127.0.0.1:8888/ or http://127.0.0.1:8000/user/alice/)
//   JUPYTERS3_TOKEN   the API token
//   JSCLIENT_RESULT   optional file to write a JSON summary to, which the Go
//                     test uses to check the bucket directly
//
// Run with: node --test contents.test.mjs

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { test } from 'node:test';

import { ContentsManager, ServerConnection } from '@jupyterlab/services';

const baseUrl = process.env.JUPYTERS3_URL;
const token = process.env.JUPYTERS3_TOKEN;
if (!baseUrl || !token) {
  throw new Error('set JUPYTERS3_URL and JUPYTERS3_TOKEN');
}

// The upload constants of @jupyterlab/filebrowser 4.x (lib/model.js):
// files above CHUNK_SIZE are sent in CHUNK_SIZE slices.
const CHUNK_SIZE = 1024 * 1024;

// Every PUT body the client sends, in order, so the test can check the
// shape of the upload requests and not only their outcome.
const puts = [];

// fetch records PUT bodies and otherwise is Node's own fetch; the library
// calls it with a Request it built.
async function recordingFetch(request) {
  if (request.method === 'PUT') {
    const body = JSON.parse(await request.clone().text());
    puts.push({ url: request.url, body });
  }
  return fetch(request);
}

const serverSettings = ServerConnection.makeSettings({
  baseUrl,
  token,
  fetch: recordingFetch,
  Request,
  Headers,
  // No WebSocket is given: the contents API needs none, and the library
  // loads the "ws" package (its own dependency) when it runs in Node. The
  // token goes in an Authorization header on every request, as in
  // JupyterLab.
});
const contents = new ContentsManager({ serverSettings });

// The working folder: spaces, non-ASCII letters and "#", which must be
// percent-encoded in the URL or the rest of the path is lost as a fragment.
const WORK = 'Ünïcödé work #1 with spaces';
const join = (...parts) => parts.filter(Boolean).join('/');

/** status returns the HTTP status of a rejected ContentsManager call. */
async function status(promise) {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ServerConnection.ResponseError) {
      return err.response.status;
    }
    throw err;
  }
  return 200;
}

/** names lists a folder through the API, as the file browser does. */
async function names(dir) {
  const model = await contents.get(dir, { content: true });
  assert.equal(model.type, 'directory');
  for (const item of model.content) {
    assert.equal(item.content, null, `listing of ${dir}: ${item.name} has content`);
  }
  return model.content.map(item => item.name).sort();
}

/** download fetches a file's bytes through /files/, as the Download menu does. */
async function download(path) {
  const url = await contents.getDownloadUrl(path);
  const resp = await fetch(url, { headers: { Authorization: `token ${token}` } });
  assert.equal(resp.status, 200, `GET ${url}`);
  return Buffer.from(await resp.arrayBuffer());
}

/** readBase64 reads a file through the API in base64 and decodes it. */
async function readBase64(path) {
  const model = await contents.get(path, { type: 'file', format: 'base64', content: true });
  assert.equal(model.format, 'base64');
  return Buffer.from(model.content, 'base64');
}

/** pattern returns n bytes of a deterministic pseudo-random sequence. */
function pattern(n, seed) {
  const b = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    // xorshift32: cheap and never repeats within a few MiB
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    b[i] = x & 0xff;
  }
  return b;
}

const sha256 = b => createHash('sha256').update(b).digest('hex');

/**
 * upload sends a file to dir the way @jupyterlab/filebrowser's
 * FileBrowserModel._upload does: one save when it fits in a slice, else
 * CHUNK_SIZE slices numbered 1, 2, … and -1 for the last, each base64
 * encoded on its own and sent only after the previous one was answered.
 */
async function upload(file, dir) {
  const path = dir ? dir + '/' + file.name : file.name;
  const uploadInner = async (blob, chunk) => {
    const content = Buffer.from(await blob.arrayBuffer()).toString('base64');
    const model = { type: 'file', format: 'base64', name: file.name, chunk, content };
    return contents.save(path, model);
  };
  if (file.size <= CHUNK_SIZE) {
    return uploadInner(file);
  }
  let finalModel;
  for (let start = 0; !finalModel; start += CHUNK_SIZE) {
    const end = start + CHUNK_SIZE;
    const lastChunk = end >= file.size;
    const chunk = lastChunk ? -1 : end / CHUNK_SIZE;
    const model = await uploadInner(file.slice(start, end), chunk);
    if (lastChunk) {
      finalModel = model;
    }
  }
  return finalModel;
}

// What the Go side checks in the bucket: paths that must be there, and
// paths deleted through the API that must have left no key behind.
const summary = { work: WORK, deleted: [] };

test('JupyterLab contents client', async t => {
  await t.test('list the root and make the working folder', async () => {
    const root = await contents.get('', { content: true });
    assert.equal(root.type, 'directory');
    assert.equal(root.path, '');
    if (root.content.some(item => item.name === WORK)) {
      await contents.delete(WORK); // left over from an earlier run
    }
    const dir = await contents.newUntitled({ path: '', type: 'directory' });
    assert.equal(dir.type, 'directory');
    assert.match(dir.name, /^Untitled Folder/);
    const moved = await contents.rename(dir.path, WORK);
    assert.equal(moved.path, WORK);
    assert.equal(moved.name, WORK);
    assert.ok((await names('')).includes(WORK));
    assert.equal(await status(contents.get(dir.path)), 404);
    summary.deleted.push(dir.path);
  });

  await t.test('new untitled notebook, file and folder', async () => {
    const nb = await contents.newUntitled({ path: WORK, type: 'notebook' });
    assert.equal(nb.path, join(WORK, 'Untitled.ipynb'));
    assert.equal(nb.type, 'notebook');
    const opened = await contents.get(nb.path, { type: 'notebook', content: true, hash: true });
    assert.equal(opened.content.nbformat, 4);
    assert.deepEqual(opened.content.cells, []);

    const f1 = await contents.newUntitled({ path: WORK, type: 'file', ext: 'txt' });
    assert.equal(f1.path, join(WORK, 'untitled.txt'));
    assert.equal(f1.type, 'file');
    const f2 = await contents.newUntitled({ path: WORK, type: 'file', ext: '.txt' });
    assert.equal(f2.path, join(WORK, 'untitled1.txt'));

    const d = await contents.newUntitled({ path: WORK, type: 'directory' });
    assert.equal(d.path, join(WORK, 'Untitled Folder'));
    assert.deepEqual(await names(WORK), ['Untitled Folder', 'Untitled.ipynb', 'untitled.txt', 'untitled1.txt']);
  });

  await t.test('save and read a notebook', async () => {
    const path = join(WORK, 'my notebook #1 ü.ipynb');
    const nb = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
      cells: [
        { cell_type: 'markdown', id: 'a1', metadata: {}, source: '# Títle\nwith #hash' },
        { cell_type: 'code', id: 'b2', metadata: {}, source: 'print("ü")', execution_count: 1,
          outputs: [{ output_type: 'stream', name: 'stdout', text: 'ü\n' }] },
      ],
    };
    const saved = await contents.save(path, { type: 'notebook', format: 'json', content: nb });
    assert.equal(saved.path, path);
    assert.equal(saved.type, 'notebook');
    assert.equal(saved.content, null);
    const got = await contents.get(path, { type: 'notebook', content: true, hash: true });
    assert.equal(got.format, 'json');
    assert.deepEqual(got.content.cells.map(c => c.source), ['# Títle\nwith #hash', 'print("ü")']);
    assert.equal(got.content.cells[1].outputs[0].text, 'ü\n');
    // JupyterLab compares hashes before and after a save to detect
    // conflicts, so the content-less answer must carry the same one.
    const meta = await contents.get(path, { content: false, hash: true });
    assert.equal(meta.content, null);
    assert.equal(meta.hash, got.hash);
    assert.equal(meta.last_modified, saved.last_modified);

    // Ctrl+S: conflict check, save, fetch the new hash, then checkpoint.
    const before = await contents.get(path, { content: false, hash: true });
    nb.cells[0].source = '# Changed';
    const resaved = await contents.save(path, { type: 'notebook', format: 'json', content: nb });
    const after = await contents.get(path, { content: false, hash: true });
    assert.equal(after.last_modified, resaved.last_modified);
    if (before.hash !== null && before.hash !== undefined) {
      assert.notEqual(after.hash, before.hash);
    }
    const cp = await contents.createCheckpoint(path);
    assert.deepEqual((await contents.listCheckpoints(path)).at(-1).id, cp.id);
    const reread = await contents.get(path, { type: 'notebook', content: true });
    assert.equal(reread.content.cells[0].source, '# Changed');
  });

  await t.test('save and read text', async () => {
    const path = join(WORK, 'notes #2 é.txt');
    const text = 'héllo\nwörld # not a fragment\n';
    const saved = await contents.save(path, { type: 'file', format: 'text', content: text });
    assert.equal(saved.size, Buffer.byteLength(text));
    const got = await contents.get(path, { type: 'file', format: 'text', content: true, hash: true });
    assert.equal(got.content, text);
    assert.equal(got.mimetype, 'text/plain');
    if (got.hash !== null && got.hash !== undefined) {
      assert.equal(got.hash_algorithm, 'sha256');
      assert.equal(got.hash, sha256(Buffer.from(text)));
    }
    assert.deepEqual(await download(path), Buffer.from(text));
  });

  await t.test('save and read base64', async () => {
    const path = join(WORK, 'bytes ☃ #3.bin');
    const bytes = Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256));
    await contents.save(path, { type: 'file', format: 'base64', content: bytes.toString('base64') });
    assert.deepEqual(await readBase64(path), bytes);
    assert.deepEqual(await download(path), bytes);
  });

  await t.test('names with URL-special characters', async () => {
    // Each of these means something in a URL unless percent-encoded, and
    // the client encodes them with encodeURIComponent.
    const name = "100% sure? a+b=c&d;e [1] 'q' ~!$@,.txt";
    const path = join(WORK, name);
    await contents.save(path, { type: 'file', format: 'text', content: 'special' });
    assert.equal((await contents.get(path, { type: 'file', format: 'text', content: true })).content, 'special');
    assert.deepEqual(await download(path), Buffer.from('special'));
    const renamed = await contents.rename(path, join(WORK, 'plain.txt'));
    assert.equal(renamed.name, 'plain.txt');
    await contents.delete(renamed.path);
    assert.equal(await status(contents.get(path)), 404);
    summary.deleted.push(path);
  });

  await t.test('get with and without content', async () => {
    const path = join(WORK, 'notes #2 é.txt');
    const without = await contents.get(path, { content: false });
    assert.equal(without.content, null);
    assert.equal(without.format, null);
    assert.equal(without.type, 'file');
    assert.ok(without.last_modified);
    const dir = await contents.get(WORK, { content: false });
    assert.equal(dir.content, null);
    assert.equal(dir.type, 'directory');
    const listed = await contents.get(WORK, { content: true });
    assert.ok(listed.content.length >= 6);
  });

  await t.test('rename', async () => {
    const from = join(WORK, 'untitled1.txt');
    const to = join(WORK, 'Untitled Folder', 'renamed #4 ñ.txt');
    const moved = await contents.rename(from, to);
    assert.equal(moved.path, to);
    assert.equal(await status(contents.get(from)), 404);
    summary.deleted.push(from);
    assert.deepEqual(await names(join(WORK, 'Untitled Folder')), ['renamed #4 ñ.txt']);
  });

  await t.test('copy files and folders', async () => {
    const src = join(WORK, 'notes #2 é.txt');
    const c1 = await contents.copy(src, WORK);
    assert.equal(c1.path, join(WORK, 'notes #2 é-Copy1.txt'));
    const c2 = await contents.copy(src, join(WORK, 'Untitled Folder'));
    assert.equal(c2.path, join(WORK, 'Untitled Folder', 'notes #2 é.txt'));
    assert.equal((await contents.get(c2.path, { type: 'file', format: 'text', content: true })).content,
      'héllo\nwörld # not a fragment\n');
    const nb = await contents.copy(join(WORK, 'my notebook #1 ü.ipynb'), WORK);
    assert.equal(nb.path, join(WORK, 'my notebook #1 ü-Copy1.ipynb'));
    assert.equal(nb.type, 'notebook');
    const dir = await contents.copy(join(WORK, 'Untitled Folder'), WORK);
    assert.equal(dir.type, 'directory');
    assert.equal(dir.path, join(WORK, 'Untitled Folder-Copy1'));
    assert.deepEqual(await names(dir.path), ['notes #2 é.txt', 'renamed #4 ñ.txt']);
  });

  await t.test('checkpoints create, list, restore, delete', async () => {
    const path = join(WORK, 'checkpointed #5 ö.txt');
    await contents.save(path, { type: 'file', format: 'text', content: 'version one' });
    const cp = await contents.createCheckpoint(path);
    assert.match(cp.id, /^[A-Za-z0-9_-]+$/);
    assert.ok(cp.last_modified);
    let list = await contents.listCheckpoints(path);
    assert.deepEqual(list.map(c => c.id), [cp.id]);

    await contents.save(path, { type: 'file', format: 'text', content: 'version two' });
    // "Revert to checkpoint" restores the last one listed.
    list = await contents.listCheckpoints(path);
    await contents.restoreCheckpoint(path, list[list.length - 1].id);
    const got = await contents.get(path, { type: 'file', format: 'text', content: true });
    assert.equal(got.content, 'version one');

    await contents.deleteCheckpoint(path, cp.id);
    assert.deepEqual(await contents.listCheckpoints(path), []);
    assert.equal(await status(contents.deleteCheckpoint(path, cp.id)), 404);
  });

  await t.test('delete files and non-empty folders', async () => {
    await contents.delete(join(WORK, 'untitled.txt'));
    assert.equal(await status(contents.get(join(WORK, 'untitled.txt'))), 404);
    const nested = join(WORK, 'Untitled Folder-Copy1');
    await contents.save(join(nested, 'deeper #6'), { type: 'directory' });
    await contents.save(join(nested, 'deeper #6', 'leaf ü.txt'), { type: 'file', format: 'text', content: 'leaf' });
    await contents.delete(nested);
    assert.equal(await status(contents.get(nested)), 404);
    assert.equal(await status(contents.get(join(nested, 'deeper #6', 'leaf ü.txt'))), 404);
    assert.ok(!(await names(WORK)).includes('Untitled Folder-Copy1'));
    summary.deleted.push(join(WORK, 'untitled.txt'), nested);
  });

  await t.test('chunked upload as the file browser sends it', async () => {
    const name = 'big upload ü #7.bin';
    const path = join(WORK, name);
    const first = pattern(3.5 * CHUNK_SIZE, 7);
    puts.length = 0;
    const model = await upload(new File([first], name), WORK);
    assert.equal(model.path, path);
    assert.equal(model.size, first.length);
    assert.deepEqual(puts.map(p => p.body.chunk), [1, 2, 3, -1]);
    for (const p of puts) {
      assert.equal(p.url.split('?')[0], puts[0].url.split('?')[0], 'every slice goes to the same URL');
      assert.equal(p.body.type, 'file');
      assert.equal(p.body.format, 'base64');
      assert.equal(p.body.name, name);
    }
    assert.deepEqual(await download(path), first);
    assert.deepEqual(await readBase64(path), first);

    // An upload abandoned after two slices (the tab was closed) must not
    // leak into the next upload of the same path, nor change the file.
    puts.length = 0;
    const abandoned = pattern(2 * CHUNK_SIZE, 5);
    for (const chunk of [1, 2]) {
      const slice = abandoned.subarray((chunk - 1) * CHUNK_SIZE, chunk * CHUNK_SIZE);
      await contents.save(path, { type: 'file', format: 'base64', name, chunk, content: slice.toString('base64') });
    }
    // jupyters3 stages slices and publishes on -1 (README, "Bucket
    // layout"), so readers still see the previous upload whole.
    assert.deepEqual(await download(path), first);

    // Uploading again over the file replaces it, also with a shorter one:
    // no byte of the first upload may survive.
    const second = pattern(2 * CHUNK_SIZE + 12345, 11);
    puts.length = 0;
    const again = await upload(new File([second], name), WORK);
    assert.equal(again.size, second.length);
    assert.deepEqual(puts.map(p => p.body.chunk), [1, 2, -1]);
    assert.deepEqual(await download(path), second);
    assert.deepEqual(await readBase64(path), second);
    const meta = await contents.get(path, { content: false, hash: true });
    assert.equal(meta.size, second.length);
    if (meta.hash !== null && meta.hash !== undefined) {
      assert.equal(meta.hash, sha256(second));
    }

    // A small file takes the single-request path, with no chunk field.
    puts.length = 0;
    const small = pattern(1000, 3);
    await upload(new File([small], 'small #8.bin'), WORK);
    assert.deepEqual(puts.map(p => p.body.chunk), [undefined]);
    assert.deepEqual(await download(join(WORK, 'small #8.bin')), small);

    const listing = await contents.get(WORK, { content: true });
    const entry = listing.content.find(item => item.name === name);
    assert.equal(entry.size, second.length);
    assert.ok(listing.content.every(item => !item.name.startsWith('.')), 'no staging entries listed');
    summary.upload = { path, size: second.length, sha256: sha256(second) };
  });

  await t.test('final listing', async () => {
    assert.deepEqual(await names(WORK), [
      'Untitled Folder',
      'Untitled.ipynb',
      'big upload ü #7.bin',
      'bytes ☃ #3.bin',
      'checkpointed #5 ö.txt',
      'my notebook #1 ü-Copy1.ipynb',
      'my notebook #1 ü.ipynb',
      'notes #2 é-Copy1.txt',
      'notes #2 é.txt',
      'small #8.bin',
    ]);
    summary.names = await names(WORK);
    if (process.env.JSCLIENT_RESULT) {
      writeFileSync(process.env.JSCLIENT_RESULT, JSON.stringify(summary, null, 2));
    }
  });
});
