// The floor of the correlate bench: read every line of stdin and JSON.parse it, nothing else.
import { createInterface } from 'node:readline';

let lines = 0;
createInterface({ input: process.stdin, crlfDelay: Infinity })
  .on('line', (line) => {
    if (line.length === 0) return;
    JSON.parse(line);
    lines += 1;
  })
  .on('close', () => process.stdout.write(`${JSON.stringify({ lines })}\n`));
