// The worker side of worker-client.js: serve(ops) answers each message
// {id, op, ...args} with {id, ...await ops[op](args)}. A result may name
// the buffers to hand over without a copy as its transfer.
export function serve(ops) {
  self.onmessage = async (e) => {
    const { id, op, ...args } = e.data;
    try {
      if (!Object.hasOwn(ops, op)) throw new Error(`unknown operation ${op}`);
      const { transfer = [], ...result } = (await ops[op](args)) || {};
      self.postMessage({ id, ...result }, transfer);
    } catch (err) {
      self.postMessage({ id, error: { message: String((err && err.message) || err), status: err && err.status, code: err && err.code, field: err && err.field } });
    }
  };
}
