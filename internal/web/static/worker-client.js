// A request/reply channel to a module worker: call(op, args, transfer)
// posts {id, op, ...args} (so args name neither id nor op) and resolves with the worker's reply of the same
// id ({id, ...result}, or {id, error} to reject). The workers answer with
// serve() from worker-serve.js.
import { APIError } from './http.js';

export function startWorker(url) {
  const w = new Worker(url, { type: 'module' });
  const waiting = new Map();
  let seq = 0;
  const failAll = (err) => { for (const p of waiting.values()) p.reject(err); waiting.clear(); };
  w.onmessage = (e) => {
    const { id, error, ...result } = e.data;
    const p = waiting.get(id);
    if (!p) return;
    waiting.delete(id);
    if (error) p.reject(error.status ? new APIError(error.status, error) : new Error(error.message));
    else p.resolve(result);
  };
  // A worker that fails to load (its script, or a library it imports)
  // fails every call instead of leaving them waiting.
  w.onerror = (e) => { e.preventDefault(); failAll(new Error(`worker ${url}: ${e.message || 'failed to load'}`)); };
  return {
    call(op, args = {}, transfer = []) {
      const id = ++seq;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        w.postMessage({ ...args, id, op }, transfer);
      });
    },
    terminate() { w.terminate(); failAll(new Error('worker stopped')); },
  };
}
