// A PDF render thread (src/forms/render-pool.ts): renders each form it is sent and sends the file back.
import { parentPort } from 'node:worker_threads';
import { renderPdf, type PdfInput } from './pdf.js';

parentPort!.on('message', ({ id, input }: { id: number; input: PdfInput }) => {
  renderPdf(input).then(
    (pdf) => parentPort!.postMessage({ id, pdf }),
    (err: unknown) => parentPort!.postMessage({ id, error: String(err) }),
  );
});
