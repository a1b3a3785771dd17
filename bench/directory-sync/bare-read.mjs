// The bench's floor: a bare ldapts paged read that only counts the entries (same search, page
// size and binary attribute as the sync). Plain JavaScript in a worker thread with the heap limits
// of the sync's reader thread, so both read under the same garbage collector settings.
import { parentPort, workerData } from 'node:worker_threads';
import { Client } from 'ldapts';

const { url, bindDn, bindPassword, baseDn, filter, attributes, binary, pageSize } = workerData;
parentPort.once('message', async () => {
  const client = new Client({ url });
  await client.bind(bindDn, bindPassword);
  let entries = 0;
  for await (const page of client.searchPaginated(baseDn, { filter, attributes, explicitBufferAttributes: binary, paged: { pageSize } })) {
    entries += page.searchEntries.length;
  }
  parentPort.postMessage(entries);
  await client.unbind();
});
parentPort.postMessage('ready');
