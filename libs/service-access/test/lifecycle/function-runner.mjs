// The rotation function as Lambda runs it: the bundled handler loaded once (a warm execution
// environment), one event per IPC message, its result or its error message sent back.
import { pathToFileURL } from 'node:url';

const { handler } = await import(pathToFileURL(process.argv[2]).href);
process.on('message', async ({ id, event }) => {
  const deadline = Date.now() + 60_000;
  try {
    const result = await handler(event, { getRemainingTimeInMillis: () => deadline - Date.now() });
    process.send({ id, result });
  } catch (error) {
    process.send({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
process.send({ ready: true });
