// Where the PDFs are rendered. pdfkit works synchronously, so a render on the API's event loop holds up every
// other request meanwhile; with FORMS_RENDER_THREADS > 0 the renders run on that many worker threads
// (node:worker_threads), each with the fonts parsed once, and the event loop only sends the form's data and
// receives the file. With 0 they run inline.
import { Worker } from 'node:worker_threads';
import type { PdfInput } from './pdf.js';

export interface PdfRenderer {
  render(input: PdfInput): Promise<Buffer>;
  close(): Promise<void>;
}

/** Renders on the calling thread (FORMS_RENDER_THREADS=0). */
export function inlineRenderer(): PdfRenderer {
  return {
    async render(input) {
      const { renderPdf } = await import('./pdf.js');
      return renderPdf(input);
    },
    async close() {},
  };
}

interface Job {
  id: number;
  resolve: (pdf: Buffer) => void;
  reject: (err: Error) => void;
}

type Reply = { id: number; pdf: Uint8Array } | { id: number; error: string };

/**
 * A thread running the worker file next to this one: render-worker.js in a build; from the sources,
 * render-worker.ts loaded through tsx, registered inside the thread (a thread does not inherit its parent's
 * module hooks).
 */
function startThread(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./render-worker.js', import.meta.url));
  const file = JSON.stringify(new URL('./render-worker.ts', import.meta.url).href);
  return new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${file}); })`, {
    eval: true,
  });
}

/**
 * A pool of `threads` worker threads, started on the first render. Each render goes to the thread with the
 * fewest renders in flight. A thread that dies fails its renders and is replaced on the next one.
 */
export function workerRenderer(threads: number): PdfRenderer {
  const workers: Array<{ worker: Worker; jobs: Map<number, Job> } | null> = Array.from(
    { length: threads },
    () => null,
  );
  let nextId = 1;
  let closed = false;

  function start(slot: number) {
    const worker = startThread();
    const entry = { worker, jobs: new Map<number, Job>() };
    worker.on('message', (reply: Reply) => {
      const job = entry.jobs.get(reply.id);
      if (!job) return;
      entry.jobs.delete(reply.id);
      if ('error' in reply) job.reject(new Error(reply.error));
      else job.resolve(Buffer.from(reply.pdf.buffer, reply.pdf.byteOffset, reply.pdf.byteLength));
    });
    const fail = (err: Error) => {
      if (workers[slot] === entry) workers[slot] = null;
      for (const job of entry.jobs.values()) job.reject(err);
      entry.jobs.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`PDF render thread exited with code ${code}`)));
    // An idle pool does not keep the process alive.
    worker.unref();
    workers[slot] = entry;
    return entry;
  }

  return {
    render(input) {
      if (closed) return Promise.reject(new Error('PDF renderer closed'));
      let slot = 0;
      for (let i = 0; i < threads; i++) {
        const w = workers[i];
        if (!w) {
          slot = i;
          break;
        }
        if (w.jobs.size < (workers[slot]?.jobs.size ?? Infinity)) slot = i;
      }
      const entry = workers[slot] ?? start(slot);
      const id = nextId++;
      return new Promise<Buffer>((resolve, reject) => {
        entry.jobs.set(id, { id, resolve, reject });
        entry.worker.postMessage({ id, input });
      });
    },
    async close() {
      closed = true;
      await Promise.all(workers.map((w) => w?.worker.terminate()));
    },
  };
}

export function pdfRenderer(threads: number): PdfRenderer {
  return threads > 0 ? workerRenderer(threads) : inlineRenderer();
}
